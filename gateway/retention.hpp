#pragma once
// The automatic retention's unit of work, shared by the outbox's hourly housekeeping and
// `anliegen citizen retention --apply`: one transaction that anonymises the oldest closed Anliegen past
// their channel's period and takes the titles of anonymised invitations out of stored weekly reports.
#include "storage/citizens.hpp"
#include "storage/database.hpp"

namespace anliegen::gateway {

inline constexpr int kRetentionBatch = 500;  // Anliegen per transaction

// Call again while the result holds kRetentionBatch Anliegen.
storage::RetentionRun anonymise_expired_batch(storage::Connection& conn, const storage::RetentionPolicy& policy);

}  // namespace anliegen::gateway

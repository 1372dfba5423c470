#include "gateway/retention.hpp"

#include "gateway/reports/weekly.hpp"

namespace anliegen::gateway {

storage::RetentionRun anonymise_expired_batch(storage::Connection& conn, const storage::RetentionPolicy& policy) {
  storage::RetentionRun run;
  conn.transact([&](storage::Tx& tx) {
    run = storage::anonymise_expired(tx, policy, kRetentionBatch);
    erase_invitation_titles(tx, run.content.invitations);
  });
  return run;
}

}  // namespace anliegen::gateway

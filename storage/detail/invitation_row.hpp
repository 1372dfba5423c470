#pragma once
// Private to storage/: the columns of an invitation (table alias `i`) and reading them back, shared by
// get_invitation and get_case, which selects them together with the Anliegen.
#include <pqxx/pqxx>

#include "domain/model.hpp"

namespace anliegen::storage::detail {

// Ten columns: external_id, title, created_at, supporters, threshold_reached_at, withdrawn_at,
// decision, decided_at, visit_at, decision_message (times as epoch milliseconds).
extern const char* const kInvitationColumns;

// The invitation in the ten columns starting at `first` (external_id must not be null).
domain::Invitation invitation_from_row(const pqxx::row& row, pqxx::row::size_type first);

}  // namespace anliegen::storage::detail

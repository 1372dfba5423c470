#include "storage/invitations.hpp"

#include <algorithm>

#include "storage/detail/invitation_row.hpp"
#include "storage/detail/pq.hpp"

namespace anliegen::storage {
namespace {

using detail::txn;

std::string ms(const char* column) {
  return std::string("(extract(epoch FROM ") + column + ") * 1000)::bigint";
}

// Sets a timestamp column that is written once only; true when this call wrote it.
bool set_once(Tx& tx, const std::string& column, domain::AnliegenId id, domain::Timestamp at) {
  return !txn(tx)
              .exec_params("UPDATE invitations SET " + column + " = $2::timestamptz WHERE anliegen_id = $1 AND " +
                               column + " IS NULL RETURNING anliegen_id",
                           id.value, detail::timestamp_param(at))
              .empty();
}

}  // namespace

void lock_invitation_key(Tx& tx, const std::string& external_id) {
  txn(tx).exec_params("SELECT pg_advisory_xact_lock(hashtext('holdieob:' || $1))", external_id);
}

void insert_invitation(Tx& tx, const NewInvitation& inv) {
  txn(tx).exec_params(
      "INSERT INTO invitations (anliegen_id, external_id, title, created_at, proposed_dates) "
      "VALUES ($1, $2, $3, $4::timestamptz, $5::date[])",
      inv.anliegen.value, inv.external_id, inv.title, detail::timestamp_param(inv.created_at),
      detail::text_array_param(inv.proposed_dates));
}

std::optional<domain::AnliegenId> find_invitation(Tx& tx, const std::string& external_id) {
  const auto r = txn(tx).exec_params("SELECT anliegen_id FROM invitations WHERE external_id = $1", external_id);
  if (r.empty()) return std::nullopt;
  return domain::AnliegenId{r[0][0].as<std::int64_t>()};
}

std::optional<domain::Invitation> get_invitation(Tx& tx, domain::AnliegenId id) {
  const auto r = txn(tx).exec_params(std::string("SELECT ") + detail::kInvitationColumns +
                                         " FROM invitations i WHERE i.anliegen_id = $1",
                                     id.value);
  if (r.empty()) return std::nullopt;
  return detail::invitation_from_row(r[0], 0);
}

int record_supporters(Tx& tx, domain::AnliegenId id, domain::Timestamp at, int supporters) {
  auto& t = txn(tx);
  const auto at_param = detail::timestamp_param(at);
  t.exec_params(
      "INSERT INTO invitation_supporter_counts (anliegen_id, observed_at, supporters) "
      "VALUES ($1, $2::timestamptz, $3) ON CONFLICT DO NOTHING",
      id.value, at_param, supporters);
  // The current count is the one holdieob stated last ("at"), whatever order the deliveries came in.
  return t
      .exec_params1(
          "UPDATE invitations i SET supporters = c.supporters, supporters_updated_at = c.observed_at "
          "FROM (SELECT supporters, observed_at FROM invitation_supporter_counts WHERE anliegen_id = $1 "
          "      ORDER BY observed_at DESC LIMIT 1) c "
          "WHERE i.anliegen_id = $1 RETURNING i.supporters",
          id.value)[0]
      .as<int>();
}

bool mark_threshold_reached(Tx& tx, domain::AnliegenId id, domain::Timestamp at) {
  return set_once(tx, "threshold_reached_at", id, at);
}

bool mark_withdrawn(Tx& tx, domain::AnliegenId id, domain::Timestamp at) { return set_once(tx, "withdrawn_at", id, at); }

void keep_early_event(Tx& tx, const std::string& external_id, const EarlyEvent& e) {
  txn(tx).exec_params(
      "INSERT INTO invitation_early_events (external_id, type, at, supporters) "
      "VALUES ($1, $2, $3::timestamptz, CASE WHEN $2 = 'supported' THEN $4::integer END) ON CONFLICT DO NOTHING",
      external_id, e.type, detail::timestamp_param(e.at), e.supporters);
}

std::vector<EarlyEvent> take_early_events(Tx& tx, const std::string& external_id) {
  const auto r = txn(tx).exec_params(
      "DELETE FROM invitation_early_events WHERE external_id = $1 "
      "RETURNING type, " + ms("at") + ", coalesce(supporters, 0)",
      external_id);
  std::vector<EarlyEvent> out;
  for (const auto& row : r) {
    out.push_back({row[0].as<std::string>(), detail::timestamp_from_ms(row[1]), row[2].as<int>()});
  }
  std::sort(out.begin(), out.end(), [](const EarlyEvent& a, const EarlyEvent& b) { return a.at < b.at; });
  return out;
}

bool record_decision(Tx& tx, domain::AnliegenId id, const Decision& d) {
  return !txn(tx)
              .exec_params(
                  "UPDATE invitations SET decision = $2, decided_at = $3::timestamptz, "
                  "visit_at = NULLIF($4, '')::timestamptz, decision_message = $5 "
                  "WHERE anliegen_id = $1 AND decision IS NULL RETURNING anliegen_id",
                  id.value, d.decision, detail::timestamp_param(d.decided_at),
                  detail::optional_timestamp_param(d.visit_at), d.message)
              .empty();
}

std::vector<InvitationSummary> list_invitations(Tx& tx, domain::Timestamp from, domain::Timestamp to) {
  const auto r = txn(tx).exec_params(
      "SELECT i.anliegen_id, a.reference, i.external_id, i.title, a.status, " + ms("i.created_at") +
          ", i.supporters, i.threshold_reached_at IS NOT NULL, i.withdrawn_at IS NOT NULL, "
          "coalesce(i.decision, '') FROM invitations i JOIN anliegen a ON a.id = i.anliegen_id "
          "WHERE i.created_at >= $1::timestamptz AND i.created_at < $2::timestamptz "
          "ORDER BY i.supporters DESC, i.created_at, i.anliegen_id",
      detail::timestamp_param(from), detail::timestamp_param(to));
  std::vector<InvitationSummary> out;
  for (const auto& row : r) {
    InvitationSummary s;
    s.anliegen = domain::AnliegenId{row[0].as<std::int64_t>()};
    s.reference = row[1].as<std::string>();
    s.external_id = row[2].as<std::string>();
    s.title = row[3].as<std::string>();
    s.status = domain::parse_status(row[4].as<std::string>()).value_or(domain::Status::new_);
    s.created_at = detail::timestamp_from_ms(row[5]);
    s.supporters = row[6].as<int>();
    s.threshold_reached = row[7].as<bool>();
    s.withdrawn = row[8].as<bool>();
    s.decision = row[9].as<std::string>();
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<AcceptedVisit> accepted_visits(Tx& tx) {
  const auto r = txn(tx).exec(
      "SELECT i.anliegen_id, i.title, a.address, " + ms("i.visit_at") + ", " + ms("i.decided_at") +
      " FROM invitations i JOIN anliegen a ON a.id = i.anliegen_id "
      "WHERE i.decision = 'accepted' AND i.visit_at IS NOT NULL AND i.withdrawn_at IS NULL "
      "ORDER BY i.visit_at, i.anliegen_id");
  std::vector<AcceptedVisit> out;
  for (const auto& row : r) {
    out.push_back({domain::AnliegenId{row[0].as<std::int64_t>()}, row[1].as<std::string>(), row[2].as<std::string>(),
                   detail::timestamp_from_ms(row[3]), detail::timestamp_from_ms(row[4])});
  }
  return out;
}

namespace detail {

const char* const kInvitationColumns =
    "i.external_id, i.title, (extract(epoch FROM i.created_at) * 1000)::bigint, i.supporters, "
    "(extract(epoch FROM i.threshold_reached_at) * 1000)::bigint, "
    "(extract(epoch FROM i.withdrawn_at) * 1000)::bigint, coalesce(i.decision, ''), "
    "(extract(epoch FROM i.decided_at) * 1000)::bigint, (extract(epoch FROM i.visit_at) * 1000)::bigint, "
    "i.decision_message";

domain::Invitation invitation_from_row(const pqxx::row& row, pqxx::row::size_type first) {
  domain::Invitation inv;
  inv.external_id = row[first].as<std::string>();
  inv.title = row[first + 1].as<std::string>();
  inv.created_at = timestamp_from_ms(row[first + 2]);
  inv.supporters = row[first + 3].as<int>();
  inv.threshold_reached_at = optional_timestamp_from_ms(row[first + 4]);
  inv.withdrawn_at = optional_timestamp_from_ms(row[first + 5]);
  inv.decision = row[first + 6].as<std::string>();
  inv.decided_at = optional_timestamp_from_ms(row[first + 7]);
  inv.visit_at = optional_timestamp_from_ms(row[first + 8]);
  inv.decision_message = row[first + 9].as<std::string>();
  return inv;
}

}  // namespace detail

}  // namespace anliegen::storage

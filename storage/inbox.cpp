#include "storage/inbox.hpp"

#include "storage/detail/pq.hpp"

namespace anliegen::storage {
namespace {
const char* state_name(InboxState s) { return s == InboxState::processed ? "processed" : "dead_letter"; }
}  // namespace

bool insert_inbox(Tx& tx, const std::string& channel, const std::string& dedupe_key, const std::string& body,
                  InboxState state, const std::string& error) {
  const auto r = detail::exec_prepared(tx, 
      "INSERT INTO inbox (channel, dedupe_key, body, state, error) VALUES ($1, $2, $3, $4, $5) "
      "ON CONFLICT (channel, dedupe_key) DO NOTHING RETURNING id",
      channel, dedupe_key, pqxx::binarystring(body), std::string(state_name(state)), error);
  return !r.empty();
}

long long count_inbox(Tx& tx, const std::string& channel, InboxState state) {
  return detail::exec_prepared1(tx, "SELECT count(*) FROM inbox WHERE channel = $1 AND state = $2", channel,
                    std::string(state_name(state)))[0]
      .as<long long>();
}

}  // namespace anliegen::storage

namespace anliegen::storage {

Purged purge_expired(Tx& tx, const Retention& r) {
  Purged p;
  p.inbox = detail::exec_prepared(tx, 
                 "DELETE FROM inbox WHERE (state = 'processed' AND received_at < now() - ($1::int * interval '1 day')) "
                 "OR (state = 'dead_letter' AND received_at < now() - ($2::int * interval '1 day'))",
                 r.inbox_days, r.dead_letter_days)
                .affected_rows();
  p.event_keys = detail::exec_prepared(tx, "DELETE FROM event_keys WHERE created_at < now() - ($1::int * interval '1 day')",
                               r.event_key_days)
                     .affected_rows();
  return p;
}

}  // namespace anliegen::storage

#include "storage/inbox.hpp"

#include <tuple>

#include "storage/detail/pq.hpp"

namespace anliegen::storage {
namespace {
const char* state_name(InboxState s) { return s == InboxState::processed ? "processed" : "dead_letter"; }
}  // namespace

bool insert_inbox(Tx& tx, const std::string& channel, const std::string& dedupe_key, const std::string& body,
                  InboxState state, const std::string& error) {
  return insert_inbox_rows(tx, {{channel, dedupe_key, &body, state, error}}).front();
}

std::vector<bool> insert_inbox_rows(Tx& tx, const std::vector<InboxRow>& rows) {
  detail::Columns columns(5);
  const auto order =
      detail::key_order(rows.size(), [&](std::size_t i) { return std::tie(rows[i].channel, rows[i].dedupe_key); });
  for (const auto i : order) {
    const auto& row = rows[i];
    columns.add_row({row.channel, row.dedupe_key, detail::bytea_literal(*row.body), state_name(row.state), row.error});
  }
  const auto stored = detail::exec_columns(tx,
      "INSERT INTO inbox (channel, dedupe_key, body, state, error) "
      "SELECT * FROM unnest($1::text[], $2::text[], $3::bytea[], $4::text[], $5::text[]) "
      "ON CONFLICT (channel, dedupe_key) DO NOTHING RETURNING channel, dedupe_key",
      columns);
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& row : rows) keys.emplace_back(row.channel, row.dedupe_key);
  return detail::first_of_each(keys, stored);
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

#include "storage/replies.hpp"

#include "storage/detail/pq.hpp"

namespace anliegen::storage {

std::optional<ReplyContext> load_reply_context(Tx& tx, domain::AnliegenId id) {
  auto& t = detail::txn(tx);
  const auto r = t.exec_params(
      "SELECT a.id, a.reference, a.unit_code, a.channel, a.status, c.id, coalesce(c.external_id, ''), "
      "       coalesce(c.phone, ''), (extract(epoch FROM c.last_inbound_at) * 1000)::bigint, a.kind, "
      "       'public' = ANY(a.tags) "
      "FROM anliegen a LEFT JOIN citizens c ON c.id = a.citizen_id WHERE a.id = $1 FOR UPDATE OF a",
      id.value);
  if (r.empty()) return std::nullopt;
  ReplyContext c;
  c.anliegen = id;
  c.reference = r[0][1].as<std::string>();
  c.unit = r[0][2].as<std::string>();
  c.channel = domain::parse_channel(r[0][3].as<std::string>()).value_or(domain::Channel::phone);
  c.status = domain::parse_status(r[0][4].as<std::string>()).value_or(domain::Status::new_);
  if (!r[0][5].is_null()) c.citizen = domain::CitizenId{r[0][5].as<std::int64_t>()};
  c.citizen_key = r[0][6].as<std::string>();
  c.citizen_phone = r[0][7].as<std::string>();
  c.citizen_last_inbound_at = detail::optional_timestamp_from_ms(r[0][8]);
  c.kind = domain::parse_kind(r[0][9].as<std::string>()).value_or(domain::Kind::message);
  c.is_public = r[0][10].as<bool>();
  // The thread hangs on the first inbound comment, or on its parent when that comment answered another
  // one (flag comment_reply, reply_to = the top-level comment): Instagram only takes replies to those.
  const auto first = t.exec_params(
      "SELECT CASE WHEN 'comment_reply' = ANY(flags) AND coalesce(reply_to, '') <> '' THEN reply_to "
      "ELSE coalesce(external_id, '') END FROM messages WHERE anliegen_id = $1 AND direction = 'inbound' "
      "ORDER BY sent_at, id LIMIT 1",
      id.value);
  if (!first.empty()) c.thread_key = first[0][0].as<std::string>();
  const auto last = t.exec_params(
      "SELECT coalesce(external_id, ''), account_id FROM messages WHERE anliegen_id = $1 AND direction = 'inbound' "
      "ORDER BY sent_at DESC, id DESC LIMIT 1",
      id.value);
  if (!last.empty()) {
    c.last_inbound_id = last[0][0].as<std::string>();
    c.account_id = last[0][1].as<std::string>();
  }
  return c;
}

void mark_answered(Tx& tx, domain::AnliegenId id, domain::Timestamp at) {
  detail::txn(tx).exec_params(
      "UPDATE anliegen SET first_response_at = coalesce(first_response_at, $2::timestamptz), "
      "status = CASE WHEN status IN ('new', 'in_progress') THEN 'answered' ELSE status END, "
      "updated_at = now(), version = version + 1 WHERE id = $1",
      id.value, detail::timestamp_param(at));
}

}  // namespace anliegen::storage

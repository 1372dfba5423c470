#include "storage/outbox.hpp"

#include "storage/detail/pq.hpp"
#include "storage/threads.hpp"

namespace anliegen::storage {
namespace {

using detail::txn;

std::string opt_id(const auto& v) { return v ? std::to_string(v->value) : std::string(); }

constexpr const char* kClaim = R"sql(
  UPDATE outbox SET state = 'sending', attempts = attempts + 1, locked_by = $2, locked_at = now(), updated_at = now()
  WHERE id IN (SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= now()
               ORDER BY next_attempt_at, id FOR UPDATE SKIP LOCKED LIMIT $1)
  RETURNING id, channel, kind, payload::text, attempts, message_id)sql";

void set_message_state(Tx& tx, const OutboxItem& item, const std::string& status, const std::string& error) {
  if (!item.message) return;
  detail::exec_prepared(tx, 
      "UPDATE messages SET delivery_status = $2, delivery_error = $3, delivery_updated_at = now() WHERE id = $1",
      item.message->value, status, error);
}

}  // namespace

std::int64_t enqueue_outbox(Tx& tx, const NewOutboxItem& item) {
  return detail::exec_prepared1(tx, 
          "INSERT INTO outbox (channel, kind, payload, state, message_id, anliegen_id, citizen_id) "
          "VALUES ($1, $2, $3::jsonb, $4, NULLIF($5, '')::bigint, NULLIF($6, '')::bigint, NULLIF($7, '')::bigint) "
          "RETURNING id",
          item.channel, item.kind, item.payload_json, std::string(item.held ? "held" : "pending"), opt_id(item.message),
          opt_id(item.anliegen), opt_id(item.citizen))[0]
      .as<std::int64_t>();
}

std::vector<OutboxItem> claim_outbox(Tx& tx, int limit, const std::string& worker) {
  std::vector<OutboxItem> out;
  for (const auto& r : detail::exec_prepared(tx, kClaim, limit, worker)) {
    OutboxItem item;
    item.id = r[0].as<std::int64_t>();
    item.channel = r[1].as<std::string>();
    item.kind = r[2].as<std::string>();
    item.payload_json = r[3].as<std::string>();
    item.attempts = r[4].as<int>();
    if (!r[5].is_null()) item.message = domain::MessageId{r[5].as<std::int64_t>()};
    out.push_back(std::move(item));
  }
  return out;
}

void outbox_done(Tx& tx, const OutboxItem& item, const std::string& platform_message_id) {
  detail::exec_prepared(tx, "UPDATE outbox SET state = 'done', last_error = '', updated_at = now() WHERE id = $1", item.id);
  if (!item.message) return;
  detail::exec_prepared(tx, 
      "UPDATE messages SET external_id = NULLIF($2, ''), delivery_status = 'accepted', delivery_error = '', "
      "delivery_updated_at = now() WHERE id = $1 AND delivery_status IN ('queued', 'held')",
      item.message->value, platform_message_id);
  if (!platform_message_id.empty()) {
    if (auto c = domain::parse_channel(item.channel)) apply_pending_receipts(tx, *c, platform_message_id);
  }
}

void outbox_retry(Tx& tx, const OutboxItem& item, const std::string& error, std::int64_t delay_ms) {
  detail::exec_prepared(tx, 
      "UPDATE outbox SET state = 'pending', last_error = $2, locked_by = '', locked_at = NULL, "
      "next_attempt_at = now() + ($3::bigint * interval '1 millisecond'), updated_at = now() WHERE id = $1",
      item.id, error, delay_ms);
}

void outbox_failed(Tx& tx, const OutboxItem& item, const std::string& error) {
  detail::exec_prepared(tx, "UPDATE outbox SET state = 'failed', last_error = $2, updated_at = now() WHERE id = $1", item.id,
                      error);
  set_message_state(tx, item, "failed", error);
}

int fail_stale_sending(Tx& tx, int stale_seconds) {
  const auto rows = detail::exec_prepared(tx, 
      "UPDATE outbox SET state = 'failed', updated_at = now(), "
      "last_error = 'interrupted while sending: delivery unknown, not retried to avoid sending twice' "
      "WHERE state = 'sending' AND locked_at < now() - ($1::int * interval '1 second') RETURNING id, message_id",
      stale_seconds);
  for (const auto& r : rows) {
    if (r[1].is_null()) continue;
    detail::exec_prepared(tx, 
        "UPDATE messages SET delivery_status = 'failed', delivery_error = 'Zustellung unklar: der Versand wurde "
        "unterbrochen. Bitte prüfen und bei Bedarf erneut senden.' WHERE id = $1 AND delivery_status IN ('queued','held')",
        r[1].as<std::int64_t>());
  }
  return static_cast<int>(rows.size());
}

int release_held(Tx& tx, domain::CitizenId citizen) {
  return static_cast<int>(detail::exec_prepared(tx, "UPDATE outbox SET state = 'pending', next_attempt_at = now(), "
                                           "updated_at = now() WHERE citizen_id = $1 AND state = 'held' RETURNING id",
                                           citizen.value)
                              .size());
}

std::int64_t outbox_depth(Tx& tx) {
  return txn(tx)
      .exec1("SELECT count(*) FROM outbox WHERE state IN ('pending', 'sending', 'held')")[0]
      .as<std::int64_t>();
}

domain::MessageId insert_outbound(Tx& tx, const OutboundMessageRow& row) {
  const auto r = detail::exec_prepared1(tx, 
      "INSERT INTO messages (anliegen_id, direction, channel, text, sent_at, author, delivery_status, delivery_error, "
      "flags) VALUES ($1, 'outbound', $2, $3, $4::timestamptz, $5, $6, $7, $8::text[]) RETURNING id",
      row.anliegen.value, std::string(domain::to_string(row.channel)), row.text, detail::timestamp_param(row.sent_at),
      row.author, row.delivery_status, row.delivery_error, detail::text_array_param(row.flags));
  detail::exec_prepared(tx, 
      "UPDATE anliegen SET last_message_at = CASE WHEN $3 THEN greatest(last_message_at, $2::timestamptz) "
      "ELSE last_message_at END, updated_at = now(), version = version + 1 WHERE id = $1",
      row.anliegen.value, detail::timestamp_param(row.sent_at), row.is_activity);
  return domain::MessageId{r[0].as<std::int64_t>()};
}

}  // namespace anliegen::storage

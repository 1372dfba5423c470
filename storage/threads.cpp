#include "storage/threads.hpp"

#include "storage/detail/pq.hpp"

namespace anliegen::storage {
namespace {

using detail::txn;

std::string ch(domain::Channel c) { return std::string(domain::to_string(c)); }

constexpr const char* kLockCitizen = R"sql(
  INSERT INTO citizens (channel, external_id, display_name, phone, email) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (channel, external_id) DO UPDATE SET
    display_name = CASE WHEN EXCLUDED.display_name <> '' THEN EXCLUDED.display_name ELSE citizens.display_name END,
    phone = CASE WHEN EXCLUDED.phone <> '' THEN EXCLUDED.phone ELSE citizens.phone END,
    email = CASE WHEN EXCLUDED.email <> '' THEN EXCLUDED.email ELSE citizens.email END,
    updated_at = now()
  RETURNING id, (extract(epoch FROM last_inbound_at) * 1000)::bigint,
            (extract(epoch FROM last_auto_reply_at) * 1000)::bigint,
            (extract(epoch FROM netiquette_notified_at) * 1000)::bigint)sql";

constexpr const char* kFindOpenThread = R"sql(
  SELECT id, status, unit_code, reference FROM anliegen
  WHERE citizen_id = $1 AND channel = $2 AND kind = $4 AND status NOT IN ('closed', 'rejected')
    AND last_message_at >= $3::timestamptz
  ORDER BY last_message_at DESC, id DESC LIMIT 1)sql";

constexpr const char* kInsertInbound = R"sql(
  INSERT INTO messages (anliegen_id, direction, channel, external_id, text, sent_at, account_id, type, reply_to,
                        flags, lat, lon)
  VALUES ($1, 'inbound', $2, NULLIF($3, ''), $4, $5::timestamptz, $6, $7, $8, $9::text[],
          NULLIF($10, '')::float8, NULLIF($11, '')::float8)
  RETURNING id)sql";

constexpr const char* kTouchAnliegen = R"sql(
  UPDATE anliegen SET
    status = CASE WHEN status IN ('answered', 'closed') THEN 'in_progress' ELSE status END,
    closed_at = CASE WHEN status = 'closed' THEN NULL ELSE closed_at END,
    last_message_at = greatest(last_message_at, $2::timestamptz),
    last_inbound_at = greatest(last_inbound_at, $2::timestamptz),
    updated_at = now(), version = version + 1
  WHERE id = $1)sql";

constexpr const char* kApplyReceipt = R"sql(
  UPDATE messages SET delivery_status = $3, delivery_updated_at = $4::timestamptz,
         delivery_error = CASE WHEN $5 <> '' THEN $5 ELSE delivery_error END
  WHERE channel = $1 AND direction = 'outbound' AND external_id = $2
    AND delivery_status <> 'failed'
    AND (CASE delivery_status WHEN 'queued' THEN 0 WHEN 'held' THEN 0 WHEN 'accepted' THEN 1 WHEN 'sent' THEN 2
           WHEN 'delivered' THEN 3 WHEN 'read' THEN 4 WHEN 'played' THEN 4 ELSE 0 END) < $6
  RETURNING id)sql";

}  // namespace

int delivery_rank(const std::string& status) {
  if (status == "queued" || status == "held") return 0;
  if (status == "accepted") return 1;
  if (status == "sent") return 2;
  if (status == "delivered") return 3;
  if (status == "read" || status == "played") return 4;
  if (status == "failed") return 5;
  return -1;
}

bool claim_event(Tx& tx, const std::string& channel, const std::string& key) {
  return !detail::exec_prepared(tx, "INSERT INTO event_keys (channel, key) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1",
                           channel, key)
              .empty();
}

CitizenState lock_citizen(Tx& tx, const domain::Citizen& c) {
  const auto r = detail::exec_prepared1(tx, kLockCitizen, ch(c.channel), c.external_id, c.display_name, c.phone, c.email);
  CitizenState s;
  s.id = domain::CitizenId{r[0].as<std::int64_t>()};
  s.last_inbound_at = detail::optional_timestamp_from_ms(r[1]);
  s.last_auto_reply_at = detail::optional_timestamp_from_ms(r[2]);
  s.netiquette_notified_at = detail::optional_timestamp_from_ms(r[3]);
  return s;
}

void touch_citizen_inbound(Tx& tx, domain::CitizenId id, domain::Timestamp at) {
  detail::exec_prepared(tx, 
      "UPDATE citizens SET last_inbound_at = greatest(last_inbound_at, $2::timestamptz) WHERE id = $1", id.value,
      detail::timestamp_param(at));
}

void set_auto_reply_sent(Tx& tx, domain::CitizenId id, domain::Timestamp at) {
  detail::exec_prepared(tx, "UPDATE citizens SET last_auto_reply_at = $2::timestamptz WHERE id = $1", id.value,
                      detail::timestamp_param(at));
}

void set_netiquette_notified(Tx& tx, domain::CitizenId id, domain::Timestamp at) {
  detail::exec_prepared(tx, "UPDATE citizens SET netiquette_notified_at = $2::timestamptz WHERE id = $1", id.value,
                      detail::timestamp_param(at));
}

std::optional<OpenThread> find_open_thread(Tx& tx, domain::CitizenId citizen, domain::Channel channel,
                                           domain::Kind kind, domain::Timestamp since) {
  const auto r = detail::exec_prepared(tx, kFindOpenThread, citizen.value, ch(channel), detail::timestamp_param(since),
                                     std::string(domain::to_string(kind)));
  if (r.empty()) return std::nullopt;
  return OpenThread{domain::AnliegenId{r[0][0].as<std::int64_t>()},
                    domain::parse_status(r[0][1].as<std::string>()).value_or(domain::Status::new_),
                    r[0][2].as<std::string>(), r[0][3].as<std::string>()};
}

domain::MessageId append_inbound(Tx& tx, const InboundMessageRow& row) {
  const auto r = detail::exec_prepared1(tx, kInsertInbound, row.anliegen.value, ch(row.channel), row.external_id, row.text,
                                detail::timestamp_param(row.sent_at), row.account_id, row.type, row.reply_to,
                                detail::text_array_param(row.flags), detail::optional_double_param(row.lat),
                                detail::optional_double_param(row.lon));
  detail::exec_prepared(tx, kTouchAnliegen, row.anliegen.value, detail::timestamp_param(row.sent_at));
  return domain::MessageId{r[0].as<std::int64_t>()};
}

domain::AttachmentId add_pending_attachment(Tx& tx, domain::MessageId message, const PendingMedia& m) {
  const auto r = detail::exec_prepared1(tx, 
      "INSERT INTO attachments (message_id, kind, mime_type, filename, state, media_id, source_url, expected_sha256, "
      "channel) VALUES ($1, $2, $3, $4, 'pending', $5, $6, $7, $8) RETURNING id",
      message.value, std::string(domain::to_string(m.kind)), m.mime_type, m.filename, m.media_id, m.url,
      m.sha256_base64, m.channel);
  return domain::AttachmentId{r[0].as<std::int64_t>()};
}

std::optional<std::pair<domain::AnliegenId, domain::MessageId>> find_message(Tx& tx, domain::Channel channel,
                                                                             const std::string& external_id,
                                                                             domain::Direction direction) {
  const auto r = detail::exec_prepared(tx, 
      "SELECT anliegen_id, id FROM messages WHERE channel = $1 AND direction = $2 AND external_id = $3", ch(channel),
      std::string(domain::to_string(direction)), external_id);
  if (r.empty()) return std::nullopt;
  return std::pair{domain::AnliegenId{r[0][0].as<std::int64_t>()}, domain::MessageId{r[0][1].as<std::int64_t>()}};
}

void replace_message_text(Tx& tx, domain::MessageId id, const std::string& text, const std::string& flag) {
  detail::exec_prepared(tx, 
      "UPDATE messages SET text = $2, flags = CASE WHEN $3 = ANY(flags) THEN flags ELSE array_append(flags, $3) END "
      "WHERE id = $1",
      id.value, text, flag);
  detail::exec_prepared(tx, 
      "UPDATE anliegen SET updated_at = now(), version = version + 1 WHERE id = (SELECT anliegen_id FROM messages "
      "WHERE id = $1)",
      id.value);
}

bool apply_receipt(Tx& tx, domain::Channel channel, const std::string& external_id, const std::string& status,
                   domain::Timestamp at, const std::string& error) {
  const int rank = delivery_rank(status);
  if (rank < 0) return false;
  const auto known = detail::exec_prepared(tx, 
      "SELECT 1 FROM messages WHERE channel = $1 AND direction = 'outbound' AND external_id = $2", ch(channel),
      external_id);
  if (known.empty()) {
    detail::exec_prepared(tx, 
        "INSERT INTO pending_receipts (channel, external_id, status, at, error) VALUES ($1, $2, $3, $4::timestamptz, $5) "
        "ON CONFLICT DO NOTHING",
        ch(channel), external_id, status, detail::timestamp_param(at), error);
    return false;
  }
  return !detail::exec_prepared(tx, kApplyReceipt, ch(channel), external_id, status, detail::timestamp_param(at), error, rank)
              .empty();
}

void apply_pending_receipts(Tx& tx, domain::Channel channel, const std::string& external_id) {
  const auto rows = detail::exec_prepared(tx, 
      "DELETE FROM pending_receipts WHERE channel = $1 AND external_id = $2 "
      "RETURNING status, (extract(epoch FROM at) * 1000)::bigint, error",
      ch(channel), external_id);
  for (const auto& r : rows) {
    apply_receipt(tx, channel, external_id, r[0].as<std::string>(), detail::timestamp_from_ms(r[1]),
                  r[2].as<std::string>());
  }
}

}  // namespace anliegen::storage

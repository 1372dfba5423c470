#include "storage/outbox.hpp"

#include "storage/detail/pq.hpp"
#include "storage/threads.hpp"

namespace anliegen::storage {
namespace {

using detail::txn;

std::string opt_id(const auto& v) { return v ? std::to_string(v->value) : std::string(); }

// The rows due first; returned (and so sent) in the order they were written, e.g. a call's rejection
// before the text that explains it. UPDATE ... RETURNING by itself has no order.
constexpr const char* kClaim = R"sql(
  WITH claimed AS (
    UPDATE outbox SET state = 'sending', attempts = attempts + 1, locked_by = $2, locked_at = now(), updated_at = now()
    WHERE id IN (SELECT outbox_due_ids($1::int, $3::int, $4::int))
    RETURNING id, channel, kind, payload::text AS payload, attempts, message_id)
  SELECT id, channel, kind, payload, attempts, message_id FROM claimed ORDER BY id)sql";

void set_message_state(Tx& tx, const OutboxItem& item, const std::string& status, const std::string& error) {
  if (!item.message) return;
  detail::exec_prepared(tx, 
      "UPDATE messages SET delivery_status = $2, delivery_error = $3, delivery_updated_at = now() WHERE id = $1",
      item.message->value, status, error);
}

// The replies held for a template's citizen wait for an answer to a template that never arrived: they
// fail too, with a reason the clerk can act on (e.g. the template is not approved).
void fail_held_behind_template(Tx& tx, const OutboxItem& template_row, const std::string& error) {
  const std::string reason =
      "Nicht zugestellt: die WhatsApp-Vorlage, die das Gespräch wieder öffnen sollte, wurde abgelehnt (" + error + ")";
  const auto rows = detail::exec_prepared(tx,
                                          "UPDATE outbox SET state = 'failed', last_error = $2, updated_at = now() "
                                          "WHERE state = 'held' AND channel = $3 AND citizen_id = "
                                          "(SELECT citizen_id FROM outbox WHERE id = $1) RETURNING message_id",
                                          template_row.id, reason, template_row.channel);
  for (const auto& r : rows) {
    if (r[0].is_null()) continue;
    detail::exec_prepared(tx,
                          "UPDATE messages SET delivery_status = 'failed', delivery_error = $2, "
                          "delivery_updated_at = now() WHERE id = $1 AND delivery_status = 'held'",
                          r[0].as<std::int64_t>(), reason);
  }
}

// The approved template that re-opens the conversation of the outbox row's citizen (the Anliegen's
// reference as its parameter, to the row's recipient), unless one is already waiting to be sent.
void queue_reopening_template(Tx& tx, std::int64_t outbox_id, const std::string& template_name,
                              const std::string& language) {
  detail::exec_prepared(tx, R"sql(
    INSERT INTO outbox (channel, kind, payload, state, anliegen_id, citizen_id)
    SELECT o.channel, 'template',
           jsonb_build_object('template', $2::text, 'language', $3::text,
                              'params', jsonb_build_array(a.reference), 'target', o.payload -> 'target'),
           'pending', o.anliegen_id, o.citizen_id
    FROM outbox o JOIN anliegen a ON a.id = o.anliegen_id
    WHERE o.id = $1 AND NOT EXISTS (
      SELECT 1 FROM outbox t WHERE t.citizen_id = o.citizen_id AND t.channel = o.channel
                               AND t.kind = 'template' AND t.state IN ('pending', 'sending')))sql",
                        outbox_id, template_name, language);
}

// The rows resend_failed takes ($1 since, $2 channel or '').
constexpr const char* kResendable = R"sql(
  FROM outbox o LEFT JOIN messages m ON m.id = o.message_id
  WHERE o.state = 'failed' AND o.updated_at >= $1::timestamptz AND ($2 = '' OR o.channel = $2)
    AND o.kind <> 'template' AND o.payload <> '{}'
    AND o.last_error NOT LIKE 'interrupted while sending%'
    AND (m.id IS NULL OR NOT ('auto_reply' = ANY (m.flags))))sql";

}  // namespace

std::vector<std::pair<std::string, std::int64_t>> count_resendable(Tx& tx, domain::Timestamp since,
                                                                    const std::string& channel) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  for (const auto& r : detail::exec_prepared(
           tx, std::string("SELECT o.channel, count(*)") + kResendable + " GROUP BY o.channel ORDER BY o.channel",
           detail::timestamp_param(since), channel)) {
    out.emplace_back(r[0].as<std::string>(), r[1].as<std::int64_t>());
  }
  return out;
}

std::int64_t resend_failed(Tx& tx, domain::Timestamp since, const std::string& channel) {
  return detail::exec_prepared1(tx, std::string("WITH due AS (SELECT o.id") + kResendable + R"sql( FOR UPDATE OF o),
    queued AS (
      UPDATE outbox SET state = 'pending', attempts = 0, next_attempt_at = now(), last_error = '', locked_by = '',
                        locked_at = NULL, updated_at = now()
      FROM due WHERE outbox.id = due.id RETURNING outbox.message_id),
    messages_queued AS (
      UPDATE messages SET delivery_status = 'queued', delivery_error = '', delivery_updated_at = now()
      WHERE id IN (SELECT message_id FROM queued) AND delivery_status = 'failed')
    SELECT count(*) FROM queued)sql",
                                   detail::timestamp_param(since), channel)[0]
      .as<std::int64_t>();
}

std::int64_t enqueue_outbox(Tx& tx, const NewOutboxItem& item) {
  return detail::exec_prepared1(tx, 
          "INSERT INTO outbox (channel, kind, payload, state, message_id, anliegen_id, citizen_id) "
          "VALUES ($1, $2, $3::jsonb, $4, NULLIF($5, '')::bigint, NULLIF($6, '')::bigint, NULLIF($7, '')::bigint) "
          "RETURNING id",
          item.channel, item.kind, item.payload_json, std::string(item.held ? "held" : "pending"), opt_id(item.message),
          opt_id(item.anliegen), opt_id(item.citizen))[0]
      .as<std::int64_t>();
}

// One claim at a time across gateway instances. A claim must see every row another instance has
// claimed, or it would skip a citizen's first row (locked by that claim) and take the second while the
// first is being sent. The claim statement's snapshot is taken after this lock is held, so it sees all
// claims committed before; one still in flight holds the lock, and this claim takes nothing this round.
// Within an instance claims run one group at a time, and a transaction may take the lock twice.
constexpr const char* kClaimLock = "SELECT pg_try_advisory_xact_lock(hashtext('anliegen.outbox_claim'))";

std::vector<OutboxItem> claim_outbox(Tx& tx, int limit, const std::string& worker, OutboxPartition partition) {
  std::vector<OutboxItem> out;
  if (!detail::exec_prepared1(tx, kClaimLock)[0].as<bool>()) return out;
  for (const auto& r : detail::exec_prepared(tx, kClaim, limit, worker, partition.count, partition.index)) {
    OutboxItem item;
    item.id = r[0].as<std::int64_t>();
    item.channel = r[1].as<std::string>();
    item.kind = r[2].as<std::string>();
    item.payload_json = r[3].as<std::string>();
    item.attempts = r[4].as<int>();
    if (!r[5].is_null()) item.message = domain::MessageId{r[5].as<std::int64_t>()};
    item.worker = worker;
    out.push_back(std::move(item));
  }
  return out;
}

bool outbox_take(Tx& tx, const OutboxItem& item) {
  return !detail::exec_prepared(tx,
                                "UPDATE outbox SET locked_at = now() WHERE id = $1 AND state = 'sending' "
                                "AND locked_by = $2 RETURNING id",
                                item.id, item.worker)
              .empty();
}

void outbox_done(Tx& tx, const OutboxItem& item, const std::string& platform_message_id) {
  detail::exec_prepared(tx,
                        "UPDATE outbox SET state = 'done', last_error = '', updated_at = now(), "
                        "platform_message_id = CASE WHEN kind = 'template' THEN NULLIF($2, '') END WHERE id = $1",
                        item.id, platform_message_id);
  if (!item.message) return;
  const auto channel = domain::parse_channel(item.channel);
  // Receipts for this id that a concurrent webhook is parking wait for this transaction, or were
  // committed before it reads pending_receipts below (storage/threads.hpp).
  if (channel && !platform_message_id.empty()) lock_platform_message(tx, *channel, platform_message_id);
  detail::exec_prepared(tx, 
      "UPDATE messages SET external_id = NULLIF($2, ''), delivery_status = 'accepted', delivery_error = '', "
      "delivery_updated_at = now() WHERE id = $1 AND delivery_status IN ('queued', 'held')",
      item.message->value, platform_message_id);
  if (channel && !platform_message_id.empty()) apply_pending_receipts(tx, *channel, platform_message_id);
}

void outbox_retry(Tx& tx, const OutboxItem& item, const std::string& error, std::int64_t delay_ms) {
  detail::exec_prepared(tx, 
      "UPDATE outbox SET state = 'pending', last_error = $2, locked_by = '', locked_at = NULL, "
      "next_attempt_at = now() + ($3::bigint * interval '1 millisecond'), updated_at = now() "
      "WHERE id = $1 AND state = 'sending' AND locked_by = $4",
      item.id, error, delay_ms, item.worker);
}

void outbox_failed(Tx& tx, const OutboxItem& item, const std::string& error) {
  const bool ours = !detail::exec_prepared(tx,
                                           "UPDATE outbox SET state = 'failed', last_error = $2, updated_at = now() "
                                           "WHERE id = $1 AND state = 'sending' AND locked_by = $3 RETURNING id",
                                           item.id, error, item.worker)
                         .empty();
  if (!ours) return;
  set_message_state(tx, item, "failed", error);
  if (item.kind == "template") fail_held_behind_template(tx, item, error);
}

bool outbox_hold_for_template(Tx& tx, const OutboxItem& item, const std::string& template_name,
                              const std::string& language) {
  // Only a clerk's reply: an automatic answer that comes too late is not worth a template.
  if (!item.message) return false;
  const auto automatic = detail::exec_prepared(
      tx, "SELECT 1 FROM messages WHERE id = $1 AND 'auto_reply' = ANY (flags)", item.message->value);
  if (!automatic.empty()) return false;
  const bool ours = !detail::exec_prepared(tx,
                                           "UPDATE outbox SET state = 'held', locked_by = '', locked_at = NULL, "
                                           "last_error = '131047: window closed, waiting for the template', "
                                           "updated_at = now() WHERE id = $1 AND state = 'sending' AND "
                                           "locked_by = $2 RETURNING id",
                                           item.id, item.worker)
                         .empty();
  if (!ours) return false;
  set_message_state(tx, item, "held", "");
  queue_reopening_template(tx, item.id, template_name, language);
  return true;
}

bool apply_template_receipt(Tx& tx, domain::Channel channel, const std::string& external_id, const std::string& status,
                            const std::string& error) {
  const auto rows = detail::exec_prepared(
      tx,
      "SELECT id, state FROM outbox WHERE channel = $1 AND platform_message_id = $2 AND kind = 'template' FOR UPDATE",
      std::string(domain::to_string(channel)), external_id);
  if (rows.empty()) return false;
  if (status != "failed" || rows[0][1].as<std::string>() != "done") return true;
  OutboxItem row;
  row.id = rows[0][0].as<std::int64_t>();
  row.channel = std::string(domain::to_string(channel));
  row.kind = "template";
  detail::exec_prepared(tx, "UPDATE outbox SET state = 'failed', last_error = $2, updated_at = now() WHERE id = $1",
                        row.id, error);
  fail_held_behind_template(tx, row, error);
  return true;
}

bool outbox_hold_after_receipt(Tx& tx, domain::Channel channel, const std::string& external_id,
                               const std::string& template_name, const std::string& language) {
  const auto held = detail::exec_prepared(tx, R"sql(
    UPDATE outbox o SET state = 'held', locked_by = '', locked_at = NULL,
           last_error = '131047: window closed, waiting for the template', updated_at = now()
    FROM messages m
    WHERE m.channel = $1 AND m.direction = 'outbound' AND m.external_id = $2 AND NOT ('auto_reply' = ANY (m.flags))
      AND o.message_id = m.id AND o.kind = 'reply' AND o.state = 'done'
    RETURNING o.id, m.id)sql",
                                          std::string(domain::to_string(channel)), external_id);
  if (held.empty()) return false;
  // Receipts still coming for the old platform id no longer concern the message.
  detail::exec_prepared(tx,
                        "UPDATE messages SET delivery_status = 'held', delivery_error = '', external_id = NULL, "
                        "delivery_updated_at = now() WHERE id = $1",
                        held[0][1].as<std::int64_t>());
  queue_reopening_template(tx, held[0][0].as<std::int64_t>(), template_name, language);
  return true;
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

int release_held(Tx& tx, domain::CitizenId citizen) { return release_held(tx, std::vector{citizen}); }

int release_held(Tx& tx, const std::vector<domain::CitizenId>& citizens) {
  detail::Columns columns(1);
  for (const auto& c : citizens) columns.add_row({std::to_string(c.value)});
  return static_cast<int>(detail::exec_columns(tx,
                                               "UPDATE outbox SET state = 'pending', next_attempt_at = now(), "
                                               "updated_at = now() WHERE citizen_id = ANY ($1::bigint[]) "
                                               "AND state = 'held' RETURNING id",
                                               columns)
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

void queue_auto_replies(Tx& tx, const std::vector<AutoReply>& replies) {
  if (replies.empty()) return;
  detail::Columns columns(13);
  for (const auto& [m, o] : replies) {
    columns.add_row({std::to_string(m.anliegen.value), std::string(domain::to_string(m.channel)), m.text, m.author,
                     m.delivery_status, m.delivery_error, detail::timestamp_param(m.sent_at),
                     detail::text_array_param(m.flags), o.channel, o.kind, o.payload_json, o.held ? "held" : "pending",
                     opt_id(o.citizen)});
  }
  detail::exec_columns(tx, R"sql(
    WITH u AS MATERIALIZED (
      SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                           $7::timestamptz[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[],
                           $13::text[]) WITH ORDINALITY
        AS u(anliegen_id, channel, text, author, delivery_status, delivery_error, sent_at, flags, outbox_channel,
             kind, payload, state, citizen_id, ord)),
    ids AS MATERIALIZED (SELECT ord, nextval('messages_id_seq') AS id FROM u ORDER BY ord),
    m AS (
      INSERT INTO messages (id, anliegen_id, direction, channel, text, sent_at, author, delivery_status,
                            delivery_error, flags)
      SELECT ids.id, u.anliegen_id, 'outbound', u.channel, u.text, u.sent_at, u.author, u.delivery_status,
             u.delivery_error, u.flags::text[]
      FROM u JOIN ids USING (ord)
      RETURNING id)
    INSERT INTO outbox (channel, kind, payload, state, message_id, anliegen_id, citizen_id)
    SELECT u.outbox_channel, u.kind, u.payload::jsonb, u.state, m.id, u.anliegen_id, NULLIF(u.citizen_id, '')::bigint
    FROM u JOIN ids USING (ord) JOIN m ON m.id = ids.id)sql",
                       columns);
}

}  // namespace anliegen::storage

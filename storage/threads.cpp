#include "storage/threads.hpp"

#include <algorithm>
#include <map>

#include "storage/detail/pq.hpp"

namespace anliegen::storage {
namespace {

using detail::txn;

std::string ch(domain::Channel c) { return std::string(domain::to_string(c)); }

// Rows come sorted by (channel, external_id): concurrent groups lock citizens in the same order.
constexpr const char* kLockCitizens = R"sql(
  INSERT INTO citizens AS c (channel, external_id, display_name, phone, email, last_inbound_at,
                             last_auto_reply_at, netiquette_notified_at)
  SELECT u.channel, u.external_id, u.display_name, u.phone, u.email, NULLIF(u.inbound_at, '')::timestamptz,
         NULLIF(u.auto_reply_at, '')::timestamptz, NULLIF(u.netiquette_at, '')::timestamptz
  FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])
       AS u(channel, external_id, display_name, phone, email, inbound_at, auto_reply_at, netiquette_at)
  ON CONFLICT (channel, external_id) DO UPDATE SET
    display_name = CASE WHEN EXCLUDED.display_name <> '' THEN EXCLUDED.display_name ELSE c.display_name END,
    phone = CASE WHEN EXCLUDED.phone <> '' THEN EXCLUDED.phone ELSE c.phone END,
    email = CASE WHEN EXCLUDED.email <> '' THEN EXCLUDED.email ELSE c.email END,
    last_inbound_at = greatest(c.last_inbound_at, EXCLUDED.last_inbound_at),
    updated_at = now()
  RETURNING channel, external_id, id, (extract(epoch FROM last_inbound_at) * 1000)::bigint,
            (extract(epoch FROM last_auto_reply_at) * 1000)::bigint,
            (extract(epoch FROM netiquette_notified_at) * 1000)::bigint, xmax = 0)sql";

constexpr const char* kFindOpenThreads = R"sql(
  SELECT u.ord, a.id, a.status, a.unit_code, a.reference, coalesce(a.sprechstunde_id, 0)
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::timestamptz[]) WITH ORDINALITY
       AS u(citizen_id, channel, kind, since, ord)
  CROSS JOIN LATERAL (
    SELECT id, status, unit_code, reference, sprechstunde_id FROM anliegen
    WHERE citizen_id = u.citizen_id AND channel = u.channel AND kind = u.kind
      AND status NOT IN ('closed', 'rejected') AND last_message_at >= u.since
    ORDER BY last_message_at DESC, id DESC LIMIT 1) a)sql";

// The messages, and per Anliegen one touch: reopens answered/closed ones, moves the times forward.
constexpr const char* kAppendInbound = R"sql(
  WITH u AS MATERIALIZED (
    SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
                         $8::timestamptz[], $9::text[], $10::text[], $11::text[]) WITH ORDINALITY
      AS u(anliegen_id, channel, external_id, account_id, type, text, reply_to, sent_at, flags, lat, lon, ord)),
  ids AS MATERIALIZED (SELECT ord, nextval('messages_id_seq') AS id FROM u ORDER BY ord),
  m AS (
    INSERT INTO messages (id, anliegen_id, direction, channel, external_id, text, sent_at, account_id, type,
                          reply_to, flags, lat, lon)
    SELECT ids.id, u.anliegen_id, 'inbound', u.channel, NULLIF(u.external_id, ''), u.text, u.sent_at, u.account_id,
           u.type, u.reply_to, u.flags::text[], NULLIF(u.lat, '')::float8, NULLIF(u.lon, '')::float8
    FROM u JOIN ids USING (ord)),
  t AS (
    UPDATE anliegen a SET
      status = CASE WHEN a.status IN ('answered', 'closed') THEN 'in_progress' ELSE a.status END,
      closed_at = CASE WHEN a.status = 'closed' THEN NULL ELSE a.closed_at END,
      last_message_at = greatest(a.last_message_at, x.at),
      last_inbound_at = greatest(a.last_inbound_at, x.at),
      updated_at = now(), version = a.version + 1
    FROM (SELECT anliegen_id, max(sent_at) AS at FROM u GROUP BY anliegen_id) x
    WHERE a.id = x.anliegen_id)
  SELECT id FROM ids ORDER BY ord)sql";

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
  return claim_events(tx, {{channel, key}}).front();
}

std::vector<bool> claim_events(Tx& tx, const std::vector<std::pair<std::string, std::string>>& keys) {
  detail::Columns columns(2);
  for (const auto i : detail::key_order(keys.size(), [&](std::size_t i) { return keys[i]; })) {
    columns.add_row({keys[i].first, keys[i].second});
  }
  const auto claimed = detail::exec_columns(tx,
      "INSERT INTO event_keys (channel, key) SELECT * FROM unnest($1::text[], $2::text[]) "
      "ON CONFLICT DO NOTHING RETURNING channel, key",
      columns);
  return detail::first_of_each(keys, claimed);
}

CitizenState lock_citizen(Tx& tx, const domain::Citizen& c) { return lock_citizens(tx, {{c, std::nullopt}}).front(); }

std::vector<CitizenState> lock_citizens(Tx& tx, const std::vector<CitizenArrival>& arrivals) {
  // One row per citizen: the newest non-empty details and the latest arrival win.
  std::map<std::pair<std::string, std::string>, CitizenArrival> merged;
  for (const auto& a : arrivals) {
    auto [it, fresh] = merged.try_emplace({ch(a.citizen.channel), a.citizen.external_id}, a);
    if (fresh) continue;
    auto& m = it->second;
    if (!a.citizen.display_name.empty()) m.citizen.display_name = a.citizen.display_name;
    if (!a.citizen.phone.empty()) m.citizen.phone = a.citizen.phone;
    if (!a.citizen.email.empty()) m.citizen.email = a.citizen.email;
    if (a.inbound_at && (!m.inbound_at || *a.inbound_at > *m.inbound_at)) m.inbound_at = a.inbound_at;
    if (a.auto_reply_at_if_new) m.auto_reply_at_if_new = a.auto_reply_at_if_new;
    if (a.netiquette_at_if_new) m.netiquette_at_if_new = a.netiquette_at_if_new;
  }
  detail::Columns columns(8);
  for (const auto& [key, a] : merged) {
    columns.add_row({key.first, key.second, a.citizen.display_name, a.citizen.phone, a.citizen.email,
                     detail::optional_timestamp_param(a.inbound_at),
                     detail::optional_timestamp_param(a.auto_reply_at_if_new),
                     detail::optional_timestamp_param(a.netiquette_at_if_new)});
  }
  std::map<std::pair<std::string, std::string>, CitizenState> states;
  for (const auto& r : detail::exec_columns(tx, kLockCitizens, columns)) {
    CitizenState s;
    s.id = domain::CitizenId{r[2].as<std::int64_t>()};
    s.last_inbound_at = detail::optional_timestamp_from_ms(r[3]);
    s.last_auto_reply_at = detail::optional_timestamp_from_ms(r[4]);
    s.netiquette_notified_at = detail::optional_timestamp_from_ms(r[5]);
    s.created = r[6].as<bool>();
    states.emplace(std::pair{r[0].as<std::string>(), r[1].as<std::string>()}, s);
  }
  std::vector<CitizenState> out;
  out.reserve(arrivals.size());
  for (const auto& a : arrivals) out.push_back(states.at({ch(a.citizen.channel), a.citizen.external_id}));
  return out;
}

void remember_citizens(Tx& tx, const std::vector<CitizenMemory>& changes) {
  if (changes.empty()) return;
  detail::Columns columns(3);
  for (const auto& c : changes) {
    columns.add_row({std::to_string(c.id.value), detail::optional_timestamp_param(c.last_auto_reply_at),
                     detail::optional_timestamp_param(c.netiquette_notified_at)});
  }
  detail::exec_columns(tx,
      "UPDATE citizens c SET "
      "  last_auto_reply_at = coalesce(NULLIF(u.auto_reply_at, '')::timestamptz, c.last_auto_reply_at), "
      "  netiquette_notified_at = coalesce(NULLIF(u.netiquette_at, '')::timestamptz, c.netiquette_notified_at) "
      "FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(id, auto_reply_at, netiquette_at) WHERE c.id = u.id",
      columns);
}

namespace {

// The citizen `from` (the old identity) joins `into`, a record the citizen already created under the new
// identity (they wrote before the platform announced the change): its Anliegen and outbox rows move,
// contact data fills gaps, the reply memory keeps the later (auto reply) or earlier (netiquette) time.
void merge_citizen(Tx& tx, std::int64_t from, std::int64_t into, const std::string& new_phone) {
  detail::exec_prepared(tx,
      "INSERT INTO audit_events (anliegen_id, actor, type, data) "
      "SELECT id, 'platform', 'citizen_merged', jsonb_build_object('from', $1::bigint, 'into', $2::bigint) "
      "FROM anliegen WHERE citizen_id = $1",
      from, into);
  detail::exec_prepared(tx,
      "UPDATE anliegen SET citizen_id = $2, version = version + 1, updated_at = now() WHERE citizen_id = $1", from,
      into);
  detail::exec_prepared(tx, "UPDATE outbox SET citizen_id = $2 WHERE citizen_id = $1", from, into);
  detail::exec_prepared(tx,
      "UPDATE citizens b SET "
      "  phone = CASE WHEN $3 <> '' THEN $3 WHEN b.phone = '' THEN a.phone ELSE b.phone END, "
      "  display_name = CASE WHEN b.display_name = '' THEN a.display_name ELSE b.display_name END, "
      "  email = CASE WHEN b.email = '' THEN a.email ELSE b.email END, "
      "  created_at = least(a.created_at, b.created_at), "
      "  last_inbound_at = greatest(a.last_inbound_at, b.last_inbound_at), "
      "  last_auto_reply_at = greatest(a.last_auto_reply_at, b.last_auto_reply_at), "
      "  netiquette_notified_at = least(a.netiquette_notified_at, b.netiquette_notified_at), updated_at = now() "
      "FROM citizens a WHERE a.id = $1 AND b.id = $2",
      from, into, new_phone);
  detail::exec_prepared(tx, "DELETE FROM citizens WHERE id = $1", from);
}

}  // namespace

bool change_citizen_identity(Tx& tx, domain::Channel channel, const std::string& old_key, const std::string& new_key,
                             const std::string& new_phone) {
  // Both records, locked in id order (two concurrent changes cannot deadlock).
  const auto rows = detail::exec_prepared(tx,
      "SELECT id, external_id = $2 FROM citizens WHERE channel = $1 AND external_id IN ($2, $3) "
      "ORDER BY id FOR UPDATE",
      ch(channel), old_key, new_key);
  std::optional<std::int64_t> old_id, new_id;
  for (const auto& r : rows) (r[1].as<bool>() ? old_id : new_id) = r[0].as<std::int64_t>();
  if (!old_id) return false;
  auto citizen = *old_id;
  if (new_id && *new_id != *old_id) {
    merge_citizen(tx, *old_id, *new_id, new_phone);
    citizen = *new_id;
  } else {
    detail::exec_prepared(tx,
        "UPDATE citizens SET external_id = CASE WHEN $2 = '' THEN external_id ELSE $2 END, "
        "  phone = CASE WHEN $3 <> '' THEN $3 ELSE phone END, updated_at = now() WHERE id = $1",
        citizen, new_key, new_phone);
  }
  // What still waits to be sent goes to the citizen's new address, never to one that may now belong to
  // someone else. Rows being sent right now keep theirs.
  detail::exec_prepared(tx,
      "UPDATE outbox o SET updated_at = now(), payload = jsonb_set(jsonb_set(o.payload, "
      "    '{target,recipient_key}', to_jsonb(coalesce(c.external_id, ''))), "
      "    '{target,recipient_phone}', to_jsonb(coalesce(c.phone, ''))) "
      "FROM citizens c WHERE c.id = $1 AND o.citizen_id = c.id AND o.state IN ('pending', 'held') "
      "  AND o.payload ? 'target'",
      citizen);
  return true;
}

std::optional<OpenThread> find_open_thread(Tx& tx, domain::CitizenId citizen, domain::Channel channel,
                                           domain::Kind kind, domain::Timestamp since) {
  return find_open_threads(tx, {{citizen, channel, kind, since}}).front();
}

std::vector<std::optional<OpenThread>> find_open_threads(Tx& tx, const std::vector<ThreadQuery>& queries) {
  detail::Columns columns(4);
  for (const auto& q : queries) {
    columns.add_row({std::to_string(q.citizen.value), ch(q.channel), std::string(domain::to_string(q.kind)),
                     detail::timestamp_param(q.since)});
  }
  std::vector<std::optional<OpenThread>> out(queries.size());
  for (const auto& r : detail::exec_columns(tx, kFindOpenThreads, columns)) {
    out.at(r[0].as<std::size_t>() - 1) =
        OpenThread{domain::AnliegenId{r[1].as<std::int64_t>()},
                   domain::parse_status(r[2].as<std::string>()).value_or(domain::Status::new_),
                   r[3].as<std::string>(), r[4].as<std::string>(), r[5].as<std::int64_t>()};
  }
  return out;
}

domain::MessageId append_inbound(Tx& tx, const InboundMessageRow& row) { return append_inbound_rows(tx, {row}).front(); }

std::vector<domain::MessageId> append_inbound_rows(Tx& tx, const std::vector<InboundMessageRow>& rows) {
  detail::Columns columns(11);
  for (const auto& row : rows) {
    columns.add_row({std::to_string(row.anliegen.value), ch(row.channel), row.external_id, row.account_id, row.type,
                     row.text, row.reply_to, detail::timestamp_param(row.sent_at), detail::text_array_param(row.flags),
                     detail::optional_double_param(row.lat), detail::optional_double_param(row.lon)});
  }
  std::vector<domain::MessageId> out;
  for (const auto& r : detail::exec_columns(tx, kAppendInbound, columns)) out.push_back({r[0].as<std::int64_t>()});
  return out;
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

void park_message_change(Tx& tx, domain::Channel channel, const std::string& external_id, const std::string& change,
                         const std::string& text, domain::Timestamp at, const std::string& sender_key) {
  detail::exec_prepared(tx,
                        "INSERT INTO parked_message_changes AS p (channel, external_id, change, text, at, sender_key) "
                        "VALUES ($1, $2, $3, $4, $5::timestamptz, $6) ON CONFLICT (channel, external_id, change) "
                        "DO UPDATE SET text = EXCLUDED.text, at = EXCLUDED.at WHERE EXCLUDED.at >= p.at",
                        ch(channel), external_id, change, text, detail::timestamp_param(at), sender_key);
}

std::vector<ParkedChange> take_parked_changes(Tx& tx, int limit) {
  std::vector<ParkedChange> out;
  const auto rows = detail::exec_prepared(tx, R"sql(
    WITH due AS (
      SELECT p.channel, p.external_id, p.change FROM parked_message_changes p
      WHERE EXISTS (SELECT 1 FROM messages m WHERE m.channel = p.channel AND m.direction = 'inbound'
                                              AND m.external_id = p.external_id)
      ORDER BY p.parked_at LIMIT $1 FOR UPDATE SKIP LOCKED)
    DELETE FROM parked_message_changes p USING due
    WHERE (p.channel, p.external_id, p.change) = (due.channel, due.external_id, due.change)
    RETURNING p.channel, p.external_id, p.change, p.text,
              EXISTS (SELECT 1 FROM messages m WHERE m.channel = p.channel AND m.direction = 'inbound'
                                                 AND m.external_id = p.external_id
                                                 AND 'withdrawn' = ANY (m.flags)) AS withdrawn)sql",
                                          limit);
  for (const auto& r : rows) {
    const auto channel = domain::parse_channel(r[0].as<std::string>());
    // An edit of a message the citizen has withdrawn meanwhile must not bring its text back.
    if (!channel || (r[2].as<std::string>() == "edited" && r[4].as<bool>())) continue;
    out.push_back({*channel, r[1].as<std::string>(), r[2].as<std::string>(), r[3].as<std::string>()});
  }
  std::stable_sort(out.begin(), out.end(), [](const ParkedChange& a, const ParkedChange& b) {
    return a.change == "edited" && b.change == "withdrawn";
  });
  return out;
}

void drop_parked_edits(Tx& tx, domain::Channel channel, const std::string& external_id, domain::Timestamp at) {
  detail::exec_prepared(tx,
                        "DELETE FROM parked_message_changes WHERE channel = $1 AND external_id = $2 "
                        "AND change = 'edited' AND at <= $3::timestamptz",
                        ch(channel), external_id, detail::timestamp_param(at));
}

int purge_parked_changes(Tx& tx, int days) {
  return static_cast<int>(detail::exec_prepared(tx,
                                                "DELETE FROM parked_message_changes WHERE parked_at < now() - "
                                                "($1::int * interval '1 day') RETURNING 1",
                                                days)
                              .size());
}

void lock_platform_message(Tx& tx, domain::Channel channel, const std::string& external_id) {
  detail::exec_prepared(tx, "SELECT pg_advisory_xact_lock(hashtext('platform_message'), hashtext($1 || ':' || $2))",
                        ch(channel), external_id);
}

bool apply_receipt(Tx& tx, domain::Channel channel, const std::string& external_id, const std::string& status,
                   domain::Timestamp at, const std::string& error) {
  const int rank = delivery_rank(status);
  if (rank < 0) return false;
  // Before looking for the message: a send result being recorded meanwhile either committed already
  // (and is seen now) or waits for this receipt to be parked (and finds it then).
  lock_platform_message(tx, channel, external_id);
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

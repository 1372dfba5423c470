#include "storage/citizens.hpp"

#include "storage/detail/pq.hpp"

namespace anliegen::storage {
namespace {

using detail::txn;

// Times as ISO 8601 in UTC, as the REST API writes them.
constexpr const char* kExport = R"sql(
  WITH c AS (SELECT * FROM citizens WHERE id = $1)
  SELECT json_build_object(
    'exported_at', to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
    'citizen', json_build_object('id', c.id, 'channel', c.channel, 'platform_id', c.external_id,
                                 'name', c.display_name, 'phone', c.phone, 'email', c.email,
                                 'created_at', c.created_at, 'erased_at', c.erased_at),
    'anliegen', coalesce((
      SELECT json_agg(json_build_object(
               'reference', a.reference, 'kind', a.kind, 'channel', a.channel, 'status', a.status,
               'unit', a.unit_code, 'category', a.category, 'address', a.address, 'lat', a.lat, 'lon', a.lon,
               'received_at', a.received_at, 'closed_at', a.closed_at, 'public', a.public,
               'open311', (SELECT json_build_object('service_code', o.service_code, 'address_id', o.address_id,
                                                    'attributes', o.attributes, 'device_id', o.device_id,
                                                    'account_id', o.account_id)
                           FROM open311_requests o WHERE o.anliegen_id = a.id),
               'invitation', (SELECT json_build_object('platform_id', i.external_id, 'title', i.title,
                                                       'proposed_dates', i.proposed_dates,
                                                       'decision', i.decision, 'visit_at', i.visit_at,
                                                       'decision_message', i.decision_message)
                              FROM invitations i WHERE i.anliegen_id = a.id),
               'messages', coalesce((
                 SELECT json_agg(json_build_object(
                          'direction', m.direction, 'sent_at', m.sent_at, 'author', m.author, 'type', m.type,
                          'text', m.text, 'lat', m.lat, 'lon', m.lon, 'delivery_status', m.delivery_status,
                          'attachments', coalesce((
                            SELECT json_agg(json_build_object(
                                     'kind', t.kind, 'mime_type', t.mime_type, 'filename', t.filename,
                                     'size', t.size, 'sha256', t.sha256, 'state', t.state,
                                     'content_base64', translate(encode(t.content, 'base64'), E'\n', ''))
                                     ORDER BY t.id)
                            FROM attachments t WHERE t.message_id = m.id), '[]'::json))
                          ORDER BY m.sent_at, m.id)
                 FROM messages m WHERE m.anliegen_id = a.id), '[]'::json))
               ORDER BY a.received_at, a.id)
      FROM anliegen a WHERE a.citizen_id = c.id), '[]'::json))::text
  FROM c)sql";

}  // namespace

std::vector<CitizenMatch> find_citizens(Tx& tx, const std::string& text) {
  std::vector<CitizenMatch> out;
  if (text.empty()) return out;
  const auto rows = txn(tx).exec_params(
      "SELECT c.id, c.channel, c.external_id, c.display_name, c.phone, c.email, "
      "       (SELECT count(*) FROM anliegen a WHERE a.citizen_id = c.id), c.erased_at IS NOT NULL "
      "FROM citizens c WHERE c.external_id = $1 OR c.phone = $1 OR (c.phone = ltrim($1, '+') AND ltrim($1, '+') <> '') "
      "   OR lower(c.email) = lower($1) ORDER BY c.id",
      text);
  for (const auto& r : rows) {
    out.push_back({r[0].as<std::int64_t>(), r[1].as<std::string>(), r[2].as<std::string>(), r[3].as<std::string>(),
                   r[4].as<std::string>(), r[5].as<std::string>(), r[6].as<std::int64_t>(), r[7].as<bool>()});
  }
  return out;
}

std::optional<std::string> export_citizen(Tx& tx, std::int64_t citizen_id) {
  const auto rows = txn(tx).exec_params(kExport, citizen_id);
  if (rows.empty()) return std::nullopt;
  return rows[0][0].as<std::string>();
}

namespace {

// Outgoing messages lose their payload; those not sent yet are cancelled. Completed by a condition.
constexpr const char* kEmptyOutbox =
    "UPDATE outbox SET payload = '{}', updated_at = now(), "
    "  last_error = CASE WHEN state IN ('pending', 'held') THEN 'erased (DSGVO) before it was sent' "
    "                    ELSE last_error END, "
    "  state = CASE WHEN state IN ('pending', 'held') THEN 'failed' ELSE state END "
    "WHERE payload <> '{}' AND ";

// Empties the Anliegen `ids` (a bigint[] literal) of personal data, marks them anonymised and records
// an audit event `event` by `actor`. Fills everything of `s` but `inbox`.
void anonymise(pqxx::transaction_base& t, const std::string& ids, const std::string& actor, const std::string& event,
               ErasureSummary& s) {
  s.anliegen += static_cast<std::int64_t>(
      t.exec_params("UPDATE anliegen SET address = '', lat = NULL, lon = NULL, public = false, updated_at = now(), "
                    "  anonymised_at = now(), version = version + 1 WHERE id = ANY($1::bigint[])",
                    ids)
          .affected_rows());
  // The messages trigger rebuilds each Anliegen's search words from the emptied texts.
  s.messages += t.exec_params(
                     "UPDATE messages SET text = '', lat = NULL, lon = NULL "
                     "WHERE anliegen_id = ANY($1::bigint[]) AND (text <> '' OR lat IS NOT NULL OR lon IS NOT NULL)",
                     ids)
                    .affected_rows();
  t.exec_params("UPDATE anliegen SET search = ''::tsvector WHERE id = ANY($1::bigint[])", ids);
  s.attachments += t.exec_params(
                        "UPDATE attachments SET content = NULL, filename = '', source_url = '', media_id = '', "
                        "  public = false, state = 'failed', error = 'erased (DSGVO)' "
                        "WHERE message_id IN (SELECT id FROM messages WHERE anliegen_id = ANY($1::bigint[]))",
                        ids)
                       .affected_rows();
  for (const auto& r : t.exec_params(
           "UPDATE invitations i SET title = '', decision_message = '' FROM anliegen a "
           "WHERE a.id = i.anliegen_id AND i.anliegen_id = ANY($1::bigint[]) RETURNING a.reference",
           ids)) {
    s.invitations.push_back(r[0].as<std::string>());
  }
  t.exec_params(
      "UPDATE open311_requests SET device_id = '', account_id = '', attributes = '{}' "
      "WHERE anliegen_id = ANY($1::bigint[])",
      ids);
  s.outbox += t.exec_params(std::string(kEmptyOutbox) + "anliegen_id = ANY($1::bigint[])", ids).affected_rows();
  // A clerk's reason for forwarding is free text and may repeat what the citizen wrote; the trail keeps
  // who forwarded from which unit to which.
  t.exec_params("UPDATE audit_events SET data = data - 'reason' WHERE anliegen_id = ANY($1::bigint[]) AND data ? 'reason'",
                ids);
  t.exec_params(
      "UPDATE routing_decisions SET reason = split_part(reason, ': ', 1) "
      "WHERE anliegen_id = ANY($1::bigint[]) AND reason LIKE 'forwarded %: %'",
      ids);
  t.exec_params(
      "INSERT INTO audit_events (anliegen_id, actor, type, data) SELECT unnest($1::bigint[]), $2, $3, '{}'", ids,
      actor, event);
}

std::string id_array(const pqxx::result& rows) {
  std::vector<std::string> ids;
  for (const auto& r : rows) ids.emplace_back(r[0].c_str());
  return detail::text_array_param(ids);
}

constexpr const char* kBlankCitizen =
    "external_id = 'erased-' || id, display_name = '', phone = '', email = '', last_inbound_at = NULL, "
    "erased_at = now(), updated_at = now()";

// Closed Anliegen past their channel's period ($1 channels, $2 their days, $3 the default; 0 keeps).
constexpr const char* kExpiredAnliegen = "WITH p AS (SELECT * FROM unnest($1::text[], $2::int[]) AS p(channel, days)) ";
constexpr const char* kExpiredFrom =
    "FROM anliegen a LEFT JOIN p ON p.channel = a.channel "
    "WHERE a.anonymised_at IS NULL AND a.closed_at IS NOT NULL AND coalesce(p.days, $3) > 0 "
    "  AND a.closed_at < now() - make_interval(days => coalesce(p.days, $3))";

// The policy's periods per channel as the array parameters $1 (channels) and $2 (days).
std::pair<std::string, std::string> policy_params(const RetentionPolicy& policy) {
  std::vector<std::string> channels, days;
  for (const auto& [channel, d] : policy.channel_days) {
    channels.push_back(channel);
    days.push_back(std::to_string(d));
  }
  return {detail::text_array_param(channels), detail::text_array_param(days)};
}

}  // namespace

std::optional<ErasureSummary> erase_citizen(Tx& tx, std::int64_t citizen_id, const std::string& actor) {
  auto& t = txn(tx);
  const auto who =
      t.exec_params("SELECT external_id, phone, channel FROM citizens WHERE id = $1 FOR UPDATE", citizen_id);
  if (who.empty()) return std::nullopt;
  const auto platform_id = who[0][0].as<std::string>();
  const auto phone = who[0][1].as<std::string>();
  // Edits and withdrawals of the citizen still waiting for their message.
  t.exec_params("DELETE FROM parked_message_changes WHERE channel = $1 AND sender_key = $2 AND sender_key <> ''",
                who[0][2].as<std::string>(), platform_id);
  ErasureSummary s;
  const auto ids = id_array(t.exec_params("SELECT id FROM anliegen WHERE citizen_id = $1 FOR UPDATE", citizen_id));
  anonymise(t, ids, actor, "erased", s);
  // Messages to the citizen that belong to no Anliegen (e.g. a notice after a number change).
  s.outbox += t.exec_params(std::string(kEmptyOutbox) + "citizen_id = $1", citizen_id).affected_rows();
  // Raw deliveries are not linked to citizens; those that name the citizen's platform id or phone go.
  // Short values (< 6 characters) could match unrelated deliveries and are not searched for.
  s.inbox = t.exec_params(
                 "DELETE FROM inbox WHERE (length($1) >= 6 AND position(convert_to($1, 'UTF8') IN body) > 0) "
                 "   OR (length($2) >= 6 AND position(convert_to($2, 'UTF8') IN body) > 0)",
                 platform_id, phone)
                .affected_rows();
  t.exec_params(std::string("UPDATE citizens SET ") + kBlankCitizen + " WHERE id = $1", citizen_id);
  return s;
}

RetentionRun anonymise_expired(Tx& tx, const RetentionPolicy& policy, int limit) {
  RetentionRun run;
  if (!policy.any()) return run;
  auto& t = txn(tx);
  const auto [channels, days] = policy_params(policy);
  // Oldest first, and never rows another transaction holds (a clerk editing, another instance's run).
  const auto ids = id_array(
      t.exec_params(std::string(kExpiredAnliegen) + "SELECT a.id " + kExpiredFrom +
                        " ORDER BY a.closed_at LIMIT $4 FOR UPDATE OF a SKIP LOCKED",
                    channels, days, policy.default_days, limit));
  anonymise(t, ids, "retention", "anonymised", run.content);
  if (run.content.anliegen == 0) return run;
  // Their citizens, once nothing of theirs is left that is not anonymised. Locked first, so that the
  // check below (a statement of its own, with a new snapshot) sees an Anliegen that a delivery being
  // stored for the citizen right now adds.
  const auto citizens = id_array(t.exec_params(
      "SELECT c.id FROM citizens c WHERE c.erased_at IS NULL "
      "  AND c.id IN (SELECT citizen_id FROM anliegen WHERE id = ANY($1::bigint[])) ORDER BY c.id FOR UPDATE",
      ids));
  run.citizens = static_cast<std::int64_t>(
      t.exec_params(std::string("UPDATE citizens c SET ") + kBlankCitizen +
                        " WHERE c.id = ANY($1::bigint[]) "
                        "  AND NOT EXISTS (SELECT 1 FROM anliegen o WHERE o.citizen_id = c.id AND o.anonymised_at IS NULL)",
                    citizens)
          .affected_rows());
  return run;
}

std::vector<std::pair<std::string, std::int64_t>> count_expired(Tx& tx, const RetentionPolicy& policy) {
  std::vector<std::pair<std::string, std::int64_t>> out;
  if (!policy.any()) return out;
  const auto [channels, days] = policy_params(policy);
  const auto rows = txn(tx).exec_params(std::string(kExpiredAnliegen) + "SELECT a.channel, count(*) " + kExpiredFrom +
                                            " GROUP BY a.channel ORDER BY a.channel",
                                        channels, days, policy.default_days);
  for (const auto& r : rows) out.emplace_back(r[0].as<std::string>(), r[1].as<std::int64_t>());
  return out;
}

}  // namespace anliegen::storage

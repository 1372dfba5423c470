// The public reads behind the Open311 GET endpoints: only released requests (or ones merged into a
// released request), never the reporter's data.
#include "storage/detail/pq.hpp"
#include "storage/open311.hpp"

namespace anliegen::storage {
namespace {

using detail::txn;

// A merged request shows the status, replies, unit and expected time of the one it joined; its own
// description, location and photos only when it was released itself. Only replies published over
// Open311 (delivery status 'published') are ever shown, never one delivered privately on another channel.
constexpr const char* kPublicRequests = R"sql(
  SELECT a.reference, coalesce(t.status, a.status),
         (SELECT m.text FROM messages m WHERE m.anliegen_id IN (a.id, t.id) AND m.direction = 'outbound'
            AND m.delivery_status = 'published'
          ORDER BY m.sent_at DESC, m.id DESC LIMIT 1),
         o.service_code,
         CASE WHEN a.public THEN (SELECT m.text FROM messages m WHERE m.anliegen_id = a.id AND m.direction = 'inbound'
                                  ORDER BY m.id LIMIT 1) END,
         u.name,
         (extract(epoch FROM a.received_at) * 1000)::bigint,
         (extract(epoch FROM greatest(a.updated_at, t.updated_at)) * 1000)::bigint,
         (extract(epoch FROM coalesce(t.expected_at, a.expected_at)) * 1000)::bigint,
         CASE WHEN a.public THEN a.address ELSE '' END,
         CASE WHEN a.public THEN o.address_id ELSE '' END,
         CASE WHEN a.public THEN a.lat END, CASE WHEN a.public THEN a.lon END,
         CASE WHEN a.public THEN (SELECT min(x.id) FROM attachments x JOIN messages m ON m.id = x.message_id
                                  WHERE m.anliegen_id = a.id AND x.public AND x.state = 'stored') END
  FROM anliegen a
  JOIN open311_requests o ON o.anliegen_id = a.id
  LEFT JOIN anliegen t ON t.id = a.merged_into
  JOIN units u ON u.code = coalesce(t.unit_code, a.unit_code)
  WHERE (a.public OR coalesce(t.public, false))
    AND (CASE WHEN cardinality($1::text[]) > 0 THEN a.reference = ANY($1::text[])
         ELSE (cardinality($2::text[]) = 0 OR o.service_code = ANY($2::text[]))
              AND a.received_at >= $3::timestamptz AND a.received_at < $4::timestamptz
              AND ($5 = '' OR ($5 = 'closed') = (coalesce(t.status, a.status) IN ('closed', 'rejected'))) END)
  ORDER BY a.received_at DESC, a.id DESC
  LIMIT $6)sql";

// Replies and status changes of released requests (and of the request each one was merged into). An
// update never changes once given: a reply carries the status its Anliegen had when it was sent (the
// last status change at or before it, else 'new'), not the current one.
constexpr const char* kPublicUpdates = R"sql(
  SELECT a.id || '-' || u.uid, a.reference, u.kind, u.status, (extract(epoch FROM u.at) * 1000)::bigint, u.text,
         coalesce(t.reference, '')
  FROM anliegen a
  JOIN open311_requests o ON o.anliegen_id = a.id
  LEFT JOIN anliegen t ON t.id = a.merged_into
  CROSS JOIN LATERAL (
    SELECT 'm' || m.id AS uid, 'reply' AS kind,
           coalesce((SELECT s.data->'status'->>'new' FROM audit_events s
                     WHERE s.anliegen_id = m.anliegen_id AND s.type IN ('updated', 'forwarded', 'merged')
                       AND s.data ? 'status' AND s.at <= m.sent_at
                     ORDER BY s.at DESC, s.id DESC LIMIT 1), 'new') AS status,
           m.sent_at AS at, m.text AS text
    FROM messages m WHERE m.anliegen_id IN (a.id, t.id) AND m.direction = 'outbound' AND m.delivery_status = 'published'
    UNION ALL
    SELECT 'e' || e.id, 'status', e.data->'status'->>'new', e.at, ''
    FROM audit_events e
    WHERE e.anliegen_id IN (a.id, t.id) AND e.type IN ('updated', 'forwarded') AND e.data ? 'status'
    UNION ALL
    SELECT 'e' || e.id, 'merged', 'closed', e.at, ''
    FROM audit_events e WHERE e.anliegen_id = a.id AND e.type = 'merged'
  ) u
  WHERE (a.public OR coalesce(t.public, false)) AND u.at >= $1::timestamptz AND u.at < $2::timestamptz
  ORDER BY u.at, a.id, u.uid
  LIMIT $3)sql";

std::string str(const pqxx::field& f) { return f.is_null() ? std::string() : f.as<std::string>(); }
std::optional<std::string> opt_str(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional(f.as<std::string>());
}
std::optional<double> opt_double(const pqxx::field& f) {
  return f.is_null() ? std::nullopt : std::optional(f.as<double>());
}

}  // namespace

std::vector<PublicRequest> public_requests(Tx& tx, const PublicRequestQuery& q) {
  std::vector<PublicRequest> out;
  for (const auto& r : txn(tx).exec_params(kPublicRequests, detail::text_array_param(q.references),
                                           detail::text_array_param(q.service_codes), detail::timestamp_param(q.start),
                                           detail::timestamp_param(q.end), q.status, q.limit)) {
    PublicRequest p;
    p.reference = r[0].as<std::string>();
    p.status = r[1].as<std::string>();
    p.status_notes = opt_str(r[2]);
    p.service_code = r[3].as<std::string>();
    p.description = opt_str(r[4]);
    p.agency = r[5].as<std::string>();
    p.requested = detail::timestamp_from_ms(r[6]);
    p.updated = detail::timestamp_from_ms(r[7]);
    p.expected = detail::optional_timestamp_from_ms(r[8]);
    p.address = str(r[9]);
    p.address_id = str(r[10]);
    p.lat = opt_double(r[11]);
    p.lon = opt_double(r[12]);
    if (!r[13].is_null()) p.media_id = r[13].as<std::int64_t>();
    out.push_back(std::move(p));
  }
  return out;
}

std::optional<std::string> reference_for_token(Tx& tx, const std::string& token) {
  const auto r = txn(tx).exec_params(
      "SELECT a.reference FROM open311_requests o JOIN anliegen a ON a.id = o.anliegen_id WHERE o.token = $1", token);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<std::string>();
}

std::vector<PublicUpdate> public_updates(Tx& tx, domain::Timestamp start, domain::Timestamp end, int limit) {
  std::vector<PublicUpdate> out;
  for (const auto& r : txn(tx).exec_params(kPublicUpdates, detail::timestamp_param(start), detail::timestamp_param(end),
                                           limit)) {
    out.push_back(PublicUpdate{r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<std::string>(), str(r[3]),
                               detail::timestamp_from_ms(r[4]), str(r[5]), str(r[6])});
  }
  return out;
}

std::optional<PublicMedia> public_media(Tx& tx, domain::AttachmentId id) {
  const auto r = txn(tx).exec_params(
      "SELECT x.mime_type, x.filename, x.content, x.sha256 FROM attachments x "
      "JOIN messages m ON m.id = x.message_id JOIN anliegen a ON a.id = m.anliegen_id "
      "JOIN open311_requests o ON o.anliegen_id = a.id "
      "WHERE x.id = $1 AND x.public AND x.state = 'stored' AND a.public",
      id.value);
  if (r.empty()) return std::nullopt;
  return PublicMedia{r[0][0].as<std::string>(), r[0][1].as<std::string>(),
                     r[0][2].is_null() ? std::string() : pqxx::binarystring(r[0][2]).str(), r[0][3].as<std::string>()};
}

}  // namespace anliegen::storage

#include "storage/attachments.hpp"

#include <algorithm>

#include "storage/detail/pq.hpp"

namespace anliegen::storage {
namespace {

using detail::txn;

constexpr const char* kClaimMediaJobs = R"sql(
  UPDATE attachments SET attempts = attempts + 1, next_attempt_at = now() + make_interval(secs => $2)
  WHERE id IN (SELECT id FROM attachments
               WHERE state = 'pending' AND next_attempt_at <= now()
               ORDER BY id
               FOR UPDATE SKIP LOCKED
               LIMIT $1)
  RETURNING id, channel, kind, media_id, source_url, expected_sha256, mime_type, filename, attempts)sql";

constexpr const char* kStoreMedia = R"sql(
  UPDATE attachments SET content = $2, size = $3, sha256 = $4, mime_type = $5, state = 'stored', error = ''
  WHERE id = $1 AND state = 'pending')sql";

constexpr const char* kRetryMediaLater = R"sql(
  UPDATE attachments SET error = $2, next_attempt_at = now() + make_interval(secs => $3::float8 / 1000)
  WHERE id = $1 AND state = 'pending')sql";

constexpr const char* kFailMedia = R"sql(
  UPDATE attachments SET state = 'failed', error = $2 WHERE id = $1 AND state = 'pending')sql";

constexpr const char* kSelectAttachmentFile = R"sql(
  SELECT t.id, t.kind, t.mime_type, t.size, t.sha256, t.filename, t.state, t.error, t.attempts,
         m.anliegen_id, a.unit_code,
         CASE WHEN $2 AND t.state = 'stored' THEN t.content END
  FROM attachments t
  JOIN messages m ON m.id = t.message_id
  JOIN anliegen a ON a.id = m.anliegen_id
  WHERE t.id = $1)sql";

}  // namespace

std::vector<MediaJob> claim_media_jobs(Tx& tx, int limit, std::chrono::seconds lease) {
  std::vector<MediaJob> jobs;
  for (const auto& row : txn(tx).exec_params(kClaimMediaJobs, limit, static_cast<std::int64_t>(lease.count()))) {
    MediaJob j;
    j.id = domain::AttachmentId{row[0].as<std::int64_t>()};
    j.channel = row[1].as<std::string>();
    j.kind = domain::parse_attachment_kind(row[2].as<std::string>()).value_or(domain::AttachmentKind::document);
    j.media_id = row[3].as<std::string>();
    j.source_url = row[4].as<std::string>();
    j.expected_sha256 = row[5].as<std::string>();
    j.mime_type = row[6].as<std::string>();
    j.filename = row[7].as<std::string>();
    j.attempts = row[8].as<int>();
    jobs.push_back(std::move(j));
  }
  // RETURNING does not keep the subquery's order.
  std::sort(jobs.begin(), jobs.end(), [](const MediaJob& a, const MediaJob& b) { return a.id < b.id; });
  return jobs;
}

bool store_media(Tx& tx, domain::AttachmentId id, const MediaContent& content) {
  const pqxx::binarystring bytes(content.bytes.data(), content.bytes.size());
  const auto r = txn(tx).exec_params(kStoreMedia, id.value, bytes, static_cast<std::int64_t>(content.bytes.size()),
                                     content.sha256_hex, content.mime_type);
  return r.affected_rows() == 1;
}

void retry_media_later(Tx& tx, domain::AttachmentId id, const std::string& error, std::chrono::milliseconds delay) {
  txn(tx).exec_params(kRetryMediaLater, id.value, error, static_cast<std::int64_t>(delay.count()));
}

void fail_media(Tx& tx, domain::AttachmentId id, const std::string& error) {
  txn(tx).exec_params(kFailMedia, id.value, error);
}

std::optional<AttachmentFile> get_attachment_file(Tx& tx, domain::AttachmentId id, bool with_content) {
  const auto r = txn(tx).exec_params(kSelectAttachmentFile, id.value, with_content);
  if (r.empty()) return std::nullopt;
  const auto& row = r[0];
  AttachmentFile f;
  f.meta.id = domain::AttachmentId{row[0].as<std::int64_t>()};
  f.meta.kind = domain::parse_attachment_kind(row[1].as<std::string>()).value_or(domain::AttachmentKind::document);
  f.meta.mime_type = row[2].as<std::string>();
  f.meta.size = row[3].as<std::int64_t>();
  f.meta.sha256 = row[4].as<std::string>();
  f.meta.filename = row[5].as<std::string>();
  f.meta.state = row[6].as<std::string>();
  f.meta.error = row[7].as<std::string>();
  f.attempts = row[8].as<int>();
  f.anliegen = domain::AnliegenId{row[9].as<std::int64_t>()};
  f.unit = row[10].as<std::string>();
  if (!row[11].is_null()) f.content = pqxx::binarystring(row[11]).str();
  return f;
}

}  // namespace anliegen::storage

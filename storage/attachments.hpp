#pragma once
// Attachment downloads and contents. The media fetcher claims due `pending` rows with a lease (so a
// crashed worker's claim runs out and another instance takes over), downloads outside any
// transaction, and then stores the bytes, schedules a retry, or marks the row failed. The API reads a
// row with its Anliegen's unit for the access check.
//
//   std::vector<storage::MediaJob> jobs;
//   conn.transact([&](storage::Tx& tx) { jobs = storage::claim_media_jobs(tx, 4, std::chrono::minutes(10)); });
//   ... download ...
//   conn.transact([&](storage::Tx& tx) { storage::store_media(tx, job.id, {bytes, "image/jpeg", hex}); });
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/model.hpp"
#include "storage/database.hpp"

namespace anliegen::storage {

// A claimed download. `attempts` already counts this attempt.
struct MediaJob {
  domain::AttachmentId id;
  std::string channel;  // e.g. "whatsapp", "maengelmelder"
  domain::AttachmentKind kind = domain::AttachmentKind::document;
  std::string media_id;         // platform media id (WhatsApp), may be empty
  std::string source_url;       // direct URL (Messenger CDN, Open311 media_url), may be empty
  std::string expected_sha256;  // base64, as the platform states it; may be empty
  std::string mime_type;        // as declared by the platform
  std::string filename;
  int attempts = 0;
};

// Claims up to `limit` pending rows whose next attempt is due (oldest id first, skipping rows locked
// by other workers): attempts + 1 and next_attempt_at = now() + lease.
std::vector<MediaJob> claim_media_jobs(Tx& tx, int limit, std::chrono::seconds lease);

struct MediaContent {
  std::string bytes;
  std::string mime_type;
  std::string sha256_hex;  // lowercase hex of bytes
};
// Stores the content of a pending row: state stored, size, sha256, mime, error ''. False when the
// row is gone or no longer pending.
bool store_media(Tx& tx, domain::AttachmentId id, const MediaContent& content);

// Keeps the row pending with `error` (shown to clerks) and the next attempt after `delay`.
void retry_media_later(Tx& tx, domain::AttachmentId id, const std::string& error, std::chrono::milliseconds delay);

// Gives up: state failed with `error` (shown on the message).
void fail_media(Tx& tx, domain::AttachmentId id, const std::string& error);

// One attachment with its Anliegen and unit (for the access check) and, when stored, its bytes.
struct AttachmentFile {
  domain::Attachment meta;
  domain::AnliegenId anliegen;
  std::string unit;  // the Anliegen's unit_code
  int attempts = 0;
  std::string content;  // empty unless state == "stored" and with_content
};
std::optional<AttachmentFile> get_attachment_file(Tx& tx, domain::AttachmentId id, bool with_content = true);

}  // namespace anliegen::storage

#pragma once
// The Mängelmelder's Open311 side in the database: what a new request adds to its Anliegen (token,
// attributes, media downloads, publication, the duplicate link), the public queries behind
// GET requests / servicerequestupdates / tokens / media, and the clerk's actions that only
// defect reports have (release, expected time, public photos, merging duplicates). Every function
// runs inside the caller's transaction.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/model.hpp"
#include "storage/database.hpp"

namespace anliegen::storage {

// ---- a new request (after create_case) ----
struct NewOpen311Request {
  std::string token;
  std::string service_code;
  std::string address_id;
  std::string attributes_json = "{}";  // {"code": ["value", ...]}
  std::string device_id;
  std::string account_id;
  bool publish = false;                 // the service is configured as public at once
  std::vector<std::string> media_urls;  // queued for the media fetcher (channel maengelmelder)
};
void record_open311_request(Tx& tx, domain::AnliegenId id, domain::MessageId first_message,
                            const NewOpen311Request& request);

// The nearest open, unmerged Anliegen of `category` (other than `self`) within `radius_m`, if any.
std::optional<domain::AnliegenId> find_duplicate(Tx& tx, domain::AnliegenId self, const std::string& category,
                                                 double lat, double lon, double radius_m);
void set_possible_duplicate(Tx& tx, domain::AnliegenId id, domain::AnliegenId of);

// ---- publication and clerk actions ----
struct Publication {
  bool is_public = false;
  std::optional<domain::Timestamp> expected_at;
};
std::optional<Publication> publication(Tx& tx, domain::AnliegenId id);
// Writes both fields, bumps version and updated_at; released_at is set when it becomes public.
void set_publication(Tx& tx, domain::AnliegenId id, const Publication& p);

// Sets the public flag of an attachment; false when there is no such attachment.
bool set_attachment_public(Tx& tx, domain::AttachmentId id, bool is_public);

struct MergeRow {
  domain::AnliegenId id;
  std::string unit;
  domain::Kind kind = domain::Kind::message;
  domain::Status status = domain::Status::new_;
  std::optional<domain::AnliegenId> merged_into;
  std::string reference;
};
// Locks and reads the rows (in id order, so concurrent merges cannot deadlock); missing ids are absent.
std::vector<MergeRow> lock_for_merge(Tx& tx, domain::AnliegenId a, domain::AnliegenId b);
// Closes `from` (merged_into = into, status closed), bumps its version.
void merge_into(Tx& tx, domain::AnliegenId from, domain::AnliegenId into);

// ---- public queries ----
struct PublicRequest {
  std::string reference;
  std::string status;  // our status of the request, or of the one it was merged into
  std::optional<std::string> status_notes;
  std::string service_code;
  std::optional<std::string> description;
  std::string agency;
  domain::Timestamp requested{};
  domain::Timestamp updated{};
  std::optional<domain::Timestamp> expected;
  std::string address;
  std::string address_id;
  std::optional<double> lat;
  std::optional<double> lon;
  std::optional<std::int64_t> media_id;  // a public, stored attachment
};
struct PublicRequestQuery {
  std::vector<std::string> references;  // when non-empty, the other filters are ignored
  std::vector<std::string> service_codes;
  domain::Timestamp start{};
  domain::Timestamp end{};
  std::string status;  // "", "open" or "closed"
  int limit = 1000;
};
// Released requests only (or merged into a released one), newest first.
std::vector<PublicRequest> public_requests(Tx& tx, const PublicRequestQuery& q);
std::optional<std::string> reference_for_token(Tx& tx, const std::string& token);

struct PublicUpdate {
  std::string update_id;
  std::string reference;
  std::string kind;    // "reply", "status" or "merged"
  std::string status;  // our status after the update (for replies: the status when it was sent)
  domain::Timestamp at{};
  std::string text;              // reply text
  std::string merged_reference;  // for "merged"
};
std::vector<PublicUpdate> public_updates(Tx& tx, domain::Timestamp start, domain::Timestamp end, int limit);

struct PublicMedia {
  std::string mime_type;
  std::string filename;
  std::string content;
  std::string sha256;
};
// A stored attachment marked public of a released Anliegen that is an Open311 request (never a photo
// that came in on another channel).
std::optional<PublicMedia> public_media(Tx& tx, domain::AttachmentId id);

}  // namespace anliegen::storage

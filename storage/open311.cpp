#include "storage/open311.hpp"

#include <algorithm>
#include <cmath>

#include "domain/open311.hpp"
#include "storage/detail/pq.hpp"
#include "storage/threads.hpp"

namespace anliegen::storage {
namespace {

using detail::txn;

constexpr const char* kInsertRequest = R"sql(
  INSERT INTO open311_requests (anliegen_id, token, service_code, address_id, attributes, device_id, account_id)
  VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7))sql";

// Candidates in a box around the point; the exact distance is decided in C++ (domain::distance_m).
constexpr const char* kDuplicateCandidates = R"sql(
  SELECT id, lat, lon FROM anliegen
  WHERE category = $1 AND id <> $2 AND lat IS NOT NULL AND lon IS NOT NULL AND merged_into IS NULL
    AND status IN ('new', 'in_progress', 'answered')
    AND lat BETWEEN $3::float8 - $5::float8 AND $3::float8 + $5::float8
    AND lon BETWEEN $4::float8 - $6::float8 AND $4::float8 + $6::float8
  ORDER BY id)sql";

}  // namespace

void record_open311_request(Tx& tx, domain::AnliegenId id, domain::MessageId first_message,
                            const NewOpen311Request& r) {
  auto& t = txn(tx);
  t.exec_params(kInsertRequest, id.value, r.token, r.service_code, r.address_id, r.attributes_json, r.device_id,
                r.account_id);
  if (r.publish) {
    t.exec_params("UPDATE anliegen SET public = true, released_at = now() WHERE id = $1", id.value);
  }
  for (const auto& url : r.media_urls) {
    add_pending_attachment(tx, first_message,
                           PendingMedia{.kind = domain::AttachmentKind::image, .channel = "maengelmelder", .url = url});
  }
}

std::optional<domain::AnliegenId> find_duplicate(Tx& tx, domain::AnliegenId self, const std::string& category,
                                                 double lat, double lon, double radius_m) {
  if (radius_m <= 0) return std::nullopt;
  // Generous box: one degree of latitude is ~111.2 km; longitude shrinks with cos(lat).
  const double dlat = radius_m / 100000.0;
  const double cos_lat = std::max(0.01, std::cos(lat * 3.14159265358979323846 / 180.0));
  const double dlon = dlat / cos_lat;
  std::optional<domain::AnliegenId> best;
  double best_distance = radius_m;
  for (const auto& row : txn(tx).exec_params(kDuplicateCandidates, category, self.value, lat, lon, dlat, dlon)) {
    const double d = domain::distance_m(lat, lon, row[1].as<double>(), row[2].as<double>());
    if (d <= best_distance) {
      if (!best || d < best_distance) best = domain::AnliegenId{row[0].as<std::int64_t>()};
      best_distance = d;
    }
  }
  return best;
}

void set_possible_duplicate(Tx& tx, domain::AnliegenId id, domain::AnliegenId of) {
  txn(tx).exec_params("UPDATE anliegen SET possible_duplicate_of = $2 WHERE id = $1", id.value, of.value);
}

std::optional<Publication> publication(Tx& tx, domain::AnliegenId id) {
  const auto r = txn(tx).exec_params(
      "SELECT public, (extract(epoch FROM expected_at) * 1000)::bigint FROM anliegen WHERE id = $1", id.value);
  if (r.empty()) return std::nullopt;
  return Publication{r[0][0].as<bool>(), detail::optional_timestamp_from_ms(r[0][1])};
}

void set_publication(Tx& tx, domain::AnliegenId id, const Publication& p) {
  txn(tx).exec_params(
      "UPDATE anliegen SET released_at = CASE WHEN $2 AND NOT public THEN now() ELSE released_at END, "
      "public = $2, expected_at = NULLIF($3, '')::timestamptz, version = version + 1, updated_at = now() "
      "WHERE id = $1",
      id.value, p.is_public, detail::optional_timestamp_param(p.expected_at));
}

bool set_attachment_public(Tx& tx, domain::AttachmentId id, bool is_public) {
  return txn(tx).exec_params("UPDATE attachments SET public = $2 WHERE id = $1", id.value, is_public).affected_rows() > 0;
}

std::vector<MergeRow> lock_for_merge(Tx& tx, domain::AnliegenId a, domain::AnliegenId b) {
  std::vector<MergeRow> out;
  for (const auto& r : txn(tx).exec_params(
           "SELECT id, unit_code, status, merged_into, reference, kind FROM anliegen WHERE id IN ($1, $2) ORDER BY id FOR UPDATE",
           a.value, b.value)) {
    MergeRow m;
    m.id = domain::AnliegenId{r[0].as<std::int64_t>()};
    m.unit = r[1].as<std::string>();
    m.status = domain::parse_status(r[2].as<std::string>()).value_or(domain::Status::new_);
    if (!r[3].is_null()) m.merged_into = domain::AnliegenId{r[3].as<std::int64_t>()};
    m.reference = r[4].as<std::string>();
    m.kind = domain::parse_kind(r[5].as<std::string>()).value_or(domain::Kind::message);
    out.push_back(std::move(m));
  }
  return out;
}

void merge_into(Tx& tx, domain::AnliegenId from, domain::AnliegenId into) {
  txn(tx).exec_params(
      "UPDATE anliegen SET merged_into = $2, status = 'closed', closed_at = coalesce(closed_at, now()), "
      "version = version + 1, updated_at = now() WHERE id = $1",
      from.value, into.value);
}

}  // namespace anliegen::storage

#include "gateway/api/open311_support.hpp"

#include <algorithm>
#include <cctype>
#include <tuple>

#include "domain/time.hpp"
#include "gateway/http/responses.hpp"

namespace anliegen::gateway::open311 {
namespace {

namespace o311 = channels::open311;
using o311::Open311Error;
constexpr auto kMaxSpan = std::chrono::hours(24 * 90);

Open311Error bad(std::string d) { return {400, std::move(d)}; }

// start_date/end_date: optional W3C date-times; the span must not exceed 90 days.
std::variant<std::pair<domain::Timestamp, domain::Timestamp>, Open311Error> read_range(
    const o311::Form& q, domain::Timestamp now, std::chrono::milliseconds default_span) {
  std::optional<domain::Timestamp> start;
  std::optional<domain::Timestamp> end;
  if (const auto v = o311::first(q, "start_date")) {
    if (!(start = domain::parse_iso8601_query(*v))) return bad("start_date must be a W3C date-time with offset, e.g. 2026-11-01T00:00:00+01:00");
  }
  if (const auto v = o311::first(q, "end_date")) {
    if (!(end = domain::parse_iso8601_query(*v))) return bad("end_date must be a W3C date-time with offset, e.g. 2026-11-30T00:00:00+01:00");
  }
  if (start && end) {
    if (*end < *start) return bad("end_date must not be before start_date");
    if (*end - *start > kMaxSpan) return bad("start_date and end_date may be at most 90 days apart");
  } else if (start) {
    end = std::min(now, *start + kMaxSpan);
    if (*end < *start) end = *start;
  } else if (end) {
    start = *end - default_span;
  } else {
    end = now;
    start = now - default_span;
  }
  // end_date is inclusive in the specification; the query uses end < x, so move it by a millisecond.
  return std::pair{*start, *end + std::chrono::milliseconds(1)};
}

std::string fms_status(std::string_view s) {
  if (s == "new") return "open";
  if (s == "in_progress" || s == "answered") return "in_progress";
  if (s == "rejected") return "no_further_action";
  return "closed";
}

}  // namespace

std::string_view suffix(Format f) { return f == Format::xml ? "xml" : "json"; }

std::optional<std::pair<std::string, Format>> split_suffix(std::string_view file) {
  const auto dot = file.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return std::nullopt;
  const auto ext = file.substr(dot + 1);
  if (ext != "xml" && ext != "json") return std::nullopt;
  return std::pair{std::string(file.substr(0, dot)), ext == "xml" ? Format::xml : Format::json};
}

Response document_response(http::status status, Format f, std::string_view root, const o311::Node& node) {
  if (f == Format::json) return text_response(status, o311::to_json(node), "application/json; charset=utf-8");
  return text_response(status, o311::to_xml(root, node), "text/xml; charset=utf-8");
}

Response error_response(Format f, const Open311Error& error) {
  return document_response(static_cast<http::status>(error.status), f, o311::kRootErrors, o311::errors_node(error));
}

std::string base_url(const Settings& settings, const Request& request) {
  if (!settings.open311.public_url.empty()) return settings.open311.public_url;
  std::string host(request[http::field::host]);
  const bool safe = !host.empty() && host.size() < 256 && std::all_of(host.begin(), host.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' || c == '[' || c == ']';
  });
  return "http://" + (safe ? host : std::string("localhost"));
}

std::optional<Open311Error> check_jurisdiction(const Settings& s, const o311::Form& q) {
  const auto j = o311::first(q, "jurisdiction_id");
  if (!j || s.open311.jurisdiction.empty() || *j == s.open311.jurisdiction) return std::nullopt;
  return Open311Error{404, "jurisdiction_id '" + *j + "' is not served here (this endpoint serves " +
                               s.open311.jurisdiction + ")"};
}

std::variant<storage::PublicRequestQuery, Open311Error> read_request_query(const o311::Form& q, domain::Timestamp now) {
  storage::PublicRequestQuery out;
  if (const auto ids = o311::first(q, "service_request_id")) {
    out.references = o311::split_list(*ids);
    if (out.references.size() > 100) return bad("service_request_id takes at most 100 ids");
    if (!out.references.empty()) return out;  // overrides every other filter
  }
  if (const auto codes = o311::first(q, "service_code")) out.service_codes = o311::split_list(*codes);
  if (const auto statuses = o311::first(q, "status")) {
    bool open = false;
    bool closed = false;
    for (const auto& s : o311::split_list(*statuses)) {
      if (s == "open") {
        open = true;
      } else if (s == "closed") {
        closed = true;
      } else {
        return bad("status must be open, closed or both (comma-separated)");
      }
    }
    out.status = open == closed ? "" : (open ? "open" : "closed");
  }
  auto range = read_range(q, now, kMaxSpan);
  if (auto* e = std::get_if<Open311Error>(&range)) return *e;
  std::tie(out.start, out.end) = std::get<0>(range);
  out.limit = 1000;
  return out;
}

std::variant<std::pair<domain::Timestamp, domain::Timestamp>, Open311Error> read_update_range(const o311::Form& q,
                                                                                               domain::Timestamp now) {
  return read_range(q, now, std::chrono::hours(24));
}

std::string georeport_status(std::string_view s) { return s == "closed" || s == "rejected" ? "closed" : "open"; }

std::vector<o311::RequestView> to_views(const std::vector<storage::PublicRequest>& rows, const Settings& settings,
                                        const std::string& base) {
  std::vector<o311::RequestView> out;
  for (const auto& r : rows) {
    o311::RequestView v;
    v.service_request_id = r.reference;
    v.status = georeport_status(r.status);
    v.status_notes = r.status_notes;
    const auto* service = domain::find_service(settings.city.open311, r.service_code);
    v.service_name = service ? service->name : r.service_code;
    v.service_code = r.service_code;
    v.description = r.description;
    v.agency_responsible = r.agency;
    v.requested = r.requested;
    v.updated = r.updated;
    v.expected = r.expected;
    v.address = r.address;
    v.address_id = r.address_id;
    v.lat = r.lat;
    v.lon = r.lon;
    if (r.media_id) v.media_url = base + "/open311/v2/media/" + std::to_string(*r.media_id);
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<o311::UpdateView> to_views(const std::vector<storage::PublicUpdate>& rows) {
  std::vector<o311::UpdateView> out;
  for (const auto& r : rows) {
    o311::UpdateView v;
    v.update_id = r.update_id;
    v.service_request_id = r.reference;
    v.updated = r.at;
    if (r.kind == "merged") {
      v.status = "duplicate";
      v.description = "Diese Meldung wurde mit der Meldung " + r.merged_reference +
                      " zusammengeführt. Neuigkeiten dazu erhalten Sie ab jetzt hier.";
    } else {
      v.status = fms_status(r.status);
      v.description = r.text;
    }
    out.push_back(std::move(v));
  }
  return out;
}

}  // namespace anliegen::gateway::open311

#pragma once
// Plain (non-coroutine) helpers of the Open311 routes (gateway/api/open311.cpp): formats by file
// suffix, responses in the specification's shapes, query filters and the mapping from stored rows to
// the public views. Nothing here touches the database.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "channels/open311/form.hpp"
#include "channels/open311/shapes.hpp"
#include "gateway/http/types.hpp"
#include "gateway/settings.hpp"
#include "storage/open311.hpp"

namespace anliegen::gateway::open311 {

enum class Format { xml, json };
std::string_view suffix(Format f);  // "xml" / "json"

// "A-2026-000001.json" → {"A-2026-000001", json}; std::nullopt for another or a missing suffix.
std::optional<std::pair<std::string, Format>> split_suffix(std::string_view file);

Response document_response(http::status status, Format f, std::string_view root, const channels::open311::Node& node);
Response error_response(Format f, const channels::open311::Open311Error& error);

// "https://city.example" from OPEN311_PUBLIC_URL, else http://<Host header>.
std::string base_url(const Settings& settings, const Request& request);

// The jurisdiction check every endpoint makes (404 when OPEN311_JURISDICTION is set and differs).
std::optional<channels::open311::Open311Error> check_jurisdiction(const Settings& s, const channels::open311::Form& q);

// GET requests: the filters of the query string, or a 400 error.
std::variant<storage::PublicRequestQuery, channels::open311::Open311Error> read_request_query(
    const channels::open311::Form& q, domain::Timestamp now);
// GET servicerequestupdates: the date range (≤ 90 days; default the last 24 hours).
std::variant<std::pair<domain::Timestamp, domain::Timestamp>, channels::open311::Open311Error> read_update_range(
    const channels::open311::Form& q, domain::Timestamp now);

std::vector<channels::open311::RequestView> to_views(const std::vector<storage::PublicRequest>& rows,
                                                     const Settings& settings, const std::string& base);
std::vector<channels::open311::UpdateView> to_views(const std::vector<storage::PublicUpdate>& rows);

// new/in_progress/answered → open; closed/rejected → closed.
std::string georeport_status(std::string_view our_status);

}  // namespace anliegen::gateway::open311

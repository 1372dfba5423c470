#pragma once
// The GeoReport v2 response shapes (and FixMyStreet's servicerequestupdates) as document trees: the
// gateway fills the plain views below and writes the tree as XML or JSON (document.hpp) under the root
// element name that goes with it (kRoot*). Date-times are W3C with the Europe/Berlin offset.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "channels/open311/document.hpp"
#include "channels/open311/service_request.hpp"
#include "domain/open311.hpp"
#include "domain/time.hpp"

namespace anliegen::channels::open311 {

inline constexpr std::string_view kRootDiscovery = "discovery";
inline constexpr std::string_view kRootServices = "services";
inline constexpr std::string_view kRootDefinition = "service_definition";
inline constexpr std::string_view kRootRequests = "service_requests";
inline constexpr std::string_view kRootUpdates = "service_request_updates";
inline constexpr std::string_view kRootErrors = "errors";

struct Discovery {
  std::string endpoint_url;  // ".../open311/v2"
  std::string contact;
  std::string changeset;     // W3C date-time of the last change of the service list
};

// One request as the public sees it (no personal data ever).
struct RequestView {
  std::string service_request_id;
  std::string status;  // open | closed
  std::optional<std::string> status_notes;
  std::string service_name;
  std::string service_code;
  std::optional<std::string> description;
  std::string agency_responsible;
  std::optional<std::string> service_notice;
  domain::Timestamp requested{};
  domain::Timestamp updated{};
  std::optional<domain::Timestamp> expected;
  std::string address;
  std::string address_id;
  std::optional<double> lat;
  std::optional<double> lon;
  std::optional<std::string> media_url;
};

struct UpdateView {
  std::string update_id;
  std::string service_request_id;
  std::string status;  // FixMyStreet's lower-case statuses: open, in_progress, closed, duplicate, ...
  domain::Timestamp updated{};
  std::string description;
  std::optional<std::string> media_url;
};

std::string w3c_time(domain::Timestamp t);

Node discovery_node(const Discovery& d);
Node services_node(const domain::Open311Config& config);
Node definition_node(const domain::Service& service);
Node errors_node(const Open311Error& error);
Node created_node(const std::string& service_request_id, const std::string& service_notice);
Node token_node(const std::string& service_request_id, const std::string& token);
Node requests_node(const std::vector<RequestView>& requests);
Node updates_node(const std::vector<UpdateView>& updates);

}  // namespace anliegen::channels::open311

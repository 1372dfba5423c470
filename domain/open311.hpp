#pragma once
// The Mängelmelder's Open311 service catalogue (GeoReport v2 "services" with their attribute
// definitions), the city boundary that reports must lie in, and the duplicate radius. Configured in
// the city configuration's "open311" object (config/demo/open311.json); pure data plus the distance
// used for duplicate detection.
//
//   const Service* s = find_service(cfg, "pothole");
//   if (distance_m(a_lat, a_lon, b_lat, b_lon) <= cfg.duplicate_radius_m) { /* possible duplicate */ }
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/routing.hpp"

namespace anliegen::domain {

struct ServiceValue {
  std::string key;
  std::string name;
  friend bool operator==(const ServiceValue&, const ServiceValue&) = default;
};

// Open311 attribute datatypes.
enum class AttributeType { string, number, datetime, text, singlevaluelist, multivaluelist };
std::string_view to_string(AttributeType t);
std::optional<AttributeType> parse_attribute_type(std::string_view s);

struct ServiceAttribute {
  bool variable = true;  // false: informational only, the client shows it but sends nothing
  std::string code;
  AttributeType datatype = AttributeType::string;
  bool required = false;
  std::string datatype_description;
  int order = 1;
  std::string description;  // the question shown to the citizen
  std::vector<ServiceValue> values;  // for the list datatypes
  friend bool operator==(const ServiceAttribute&, const ServiceAttribute&) = default;
};

struct Service {
  std::string code;  // also the Anliegen's category, matched by routing rules' "categories"
  std::string name;
  std::string description;
  std::string group;
  std::vector<std::string> keywords;
  bool auto_publish = false;  // reports are public at once (no clerk release needed)
  std::vector<ServiceAttribute> attributes;
  friend bool operator==(const Service&, const Service&) = default;
};

struct Open311Config {
  std::vector<Service> services;
  std::optional<Area> boundary;       // reports with lat/long must lie inside; none: no check
  double duplicate_radius_m = 30;     // a new report this close to an open one of the same category
  std::string service_notice;         // returned with every accepted request (may be empty)
  friend bool operator==(const Open311Config&, const Open311Config&) = default;
};

const Service* find_service(const Open311Config& config, std::string_view code);

// Great-circle distance in metres (haversine, mean earth radius 6371008.8 m).
double distance_m(double lat1, double lon1, double lat2, double lon2);

}  // namespace anliegen::domain

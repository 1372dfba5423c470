#include "domain/open311.hpp"

#include <algorithm>
#include <array>
#include <cmath>

namespace anliegen::domain {
namespace {

constexpr std::array<std::string_view, 6> kTypeNames{"string", "number", "datetime", "text", "singlevaluelist",
                                                     "multivaluelist"};
constexpr double kEarthRadiusM = 6371008.8;
constexpr double kPi = 3.14159265358979323846;

double radians(double deg) { return deg * kPi / 180.0; }

}  // namespace

std::string_view to_string(AttributeType t) { return kTypeNames.at(static_cast<std::size_t>(t)); }

std::optional<AttributeType> parse_attribute_type(std::string_view s) {
  for (std::size_t i = 0; i < kTypeNames.size(); ++i) {
    if (kTypeNames[i] == s) return static_cast<AttributeType>(i);
  }
  return std::nullopt;
}

const Service* find_service(const Open311Config& config, std::string_view code) {
  for (const auto& s : config.services) {
    if (s.code == code) return &s;
  }
  return nullptr;
}

double distance_m(double lat1, double lon1, double lat2, double lon2) {
  const double dlat = radians(lat2 - lat1);
  const double dlon = radians(lon2 - lon1);
  const double a = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(radians(lat1)) * std::cos(radians(lat2)) * std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(a)));
}

}  // namespace anliegen::domain

#pragma once
// The "open311" object of the city configuration: the Mängelmelder's service catalogue, the city
// boundary and the duplicate radius (domain/open311.hpp). Shape: config/demo/open311.json.
#include <string>
#include <variant>
#include <vector>

#include <boost/json/fwd.hpp>
#include "config/city_config.hpp"

namespace anliegen::config {

// Parses and validates the object; errors name the key below "open311", e.g. "services[2].code".
std::variant<domain::Open311Config, ConfigError> parse_open311_config(const boost::json::value& value);

}  // namespace anliegen::config

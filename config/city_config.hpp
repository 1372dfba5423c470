#pragma once
// The city's configuration: units, routing rules and citizen-facing texts, read from JSON
// (ANLIEGEN_CONFIG) or taken from the built-in Ludwigshafen demo. Parsing never throws on bad input:
// it returns a ConfigError naming the offending key.
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/model.hpp"
#include "domain/open311.hpp"
#include "domain/routing.hpp"

namespace anliegen::config {

struct CityConfig {
  std::string city_name = "Ludwigshafen am Rhein";
  std::vector<domain::Unit> units;
  std::string default_unit = "buergerservice";
  domain::RuleSet rules;                        // the "routing" object (see docs/routing.md)
  std::map<std::string, std::string> texts;     // citizen-facing texts by key (German)
  std::vector<std::string> abusive_words;       // flag messages as "abusive" (see docs/channels/whatsapp.md)
  domain::Open311Config open311;                // the Mängelmelder (docs/channels/maengelmelder.md)
};

struct ConfigError {
  std::string key;      // e.g. "units[2].code"
  std::string message;
};

std::variant<CityConfig, ConfigError> parse_city_config(std::string_view json);
// The built-in demo configuration for Ludwigshafen (compiled into the binary).
CityConfig builtin_city_config();
// The demo configuration as one JSON document, e.g. as a starting point for a city's own file.
std::string builtin_city_config_json();

}  // namespace anliegen::config

#pragma once
// The JSON form of routing rules (domain/routing.hpp): parsing with validation, and writing back.
//
//   {"default_unit": "buergerservice",
//    "rules": [{"id": "strassenschaeden", "name": "Straßenschäden",
//               "when": {"channels": [...], "kinds": [...], "categories": [...],
//                        "keywords": {"any": [...], "all": [...]}, "in_sprechstunde": true,
//                        "area": {"type": "Polygon", "coordinates": [...]},
//                        "time": {"days": ["mon"], "from": "08:00", "to": "16:00"}},
//               "then": {"unit": "tiefbau", "priority": "high", "tags": [...], "auto_reply": "key"}}]}
//
//   auto r = parse_rule_set(text, {"ob", "tiefbau", ...});
//   if (auto* e = std::get_if<RuleError>(&r)) fail(to_string(*e));
//   // rule 'x': field 'when.channels[1]': unknown channel 'telegram'
//
// Validation is strict: unknown keys at any level, wrong types, empty or duplicate ids, unknown
// channel/kind/priority/day names, malformed HH:MM, invalid GeoJSON and (when known_units is not empty)
// unknown unit codes are refused with the first problem found. docs/routing.md lists every check.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/routing.hpp"

namespace anliegen::config {

struct RuleError {
  std::string rule;     // the rule's id, "rules[<index>]" if it has no valid id, "" for top-level fields
  std::string field;    // path inside the rule (or the document), e.g. "when.channels[1]"; "" for bad JSON
  std::string message;  // e.g. "unknown channel 'telegram'"
};

// "rule 'x': field 'when.channels[1]': unknown channel 'telegram'" (parts that are empty are left out).
std::string to_string(const RuleError& e);

// Parses and validates a rule set. known_units: the unit codes that exist; empty = do not check units.
std::variant<domain::RuleSet, RuleError> parse_rule_set(std::string_view json,
                                                        const std::vector<std::string>& known_units);

// The first rule whose `then.auto_reply` names no text of the configuration (`texts`), if any: such a
// rule would answer citizens with nothing.
std::optional<RuleError> unknown_reply_text(const domain::RuleSet& rules, const std::map<std::string, std::string>& texts);

// Writes a rule set in the form parse_rule_set reads (compact JSON; parse(write(x)) == x). Empty
// conditions and empty optional actions are left out.
std::string rule_set_to_json(const domain::RuleSet& rules);

}  // namespace anliegen::config

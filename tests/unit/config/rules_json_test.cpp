// Unit tests for config/rules_json.hpp: parsing, every validation error, and the JSON round trip.
#include <doctest/doctest.h>

#include "config/rules_json.hpp"

using namespace anliegen;
using namespace anliegen::config;
using namespace anliegen::domain;

namespace {

const std::vector<std::string> kUnits = {"ob", "buergerservice", "tiefbau", "stadtreinigung",
                                         "ordnung", "gruen", "stadtplanung"};

std::string set_of(const std::string& rules) { return R"({"default_unit":"buergerservice","rules":[)" + rules + "]}"; }
std::string with_when(const std::string& when) {
  return set_of(R"({"id":"x","when":)" + when + R"(,"then":{"unit":"tiefbau"}})");
}
std::string with_then(const std::string& then) { return set_of(R"({"id":"x","then":)" + then + "}"); }
const std::string kSquare = "[[[8.4,49.45],[8.5,49.45],[8.5,49.5],[8.4,49.5],[8.4,49.45]]]";

RuleError error_of(const std::string& json, const std::vector<std::string>& units = kUnits) {
  auto r = parse_rule_set(json, units);
  REQUIRE_MESSAGE(std::holds_alternative<RuleError>(r), json);
  return std::get<RuleError>(r);
}

RuleSet parsed(const std::string& json, const std::vector<std::string>& units = kUnits) {
  auto r = parse_rule_set(json, units);
  if (auto* e = std::get_if<RuleError>(&r)) FAIL(to_string(*e));
  return std::get<RuleSet>(r);
}

// Checks the rule, field and message of the error `json` is refused with.
void refused(const std::string& json, const std::string& rule, const std::string& field, const std::string& message) {
  const RuleError e = error_of(json);
  INFO(json);
  CHECK(e.rule == rule);
  CHECK(e.field == field);
  CHECK(e.message == message);
}

}  // namespace

TEST_CASE("the example rule from the issue parses") {
  const RuleSet rs = parsed(set_of(R"({"id":"strassenschaeden","name":"Straßenschäden","when":{
      "channels":["whatsapp","maengelmelder"],"kinds":["message"],"categories":["pothole"],
      "keywords":{"any":["Schlagloch","Gehweg"],"all":[]},"in_sprechstunde":false,
      "area":{"type":"Polygon","coordinates":)" + kSquare + R"(},
      "time":{"days":["mon","tue"],"from":"08:00","to":"16:00"}},
      "then":{"unit":"tiefbau","priority":"high","tags":["strasse"],"auto_reply":"text-key"}})"));
  CHECK(rs.default_unit == "buergerservice");
  REQUIRE(rs.rules.size() == 1);
  const Rule& r = rs.rules[0];
  CHECK(r.id == "strassenschaeden");
  CHECK(r.name == "Straßenschäden");
  CHECK(r.when.channels == std::vector<Channel>{Channel::whatsapp, Channel::maengelmelder});
  CHECK(r.when.kinds == std::vector<Kind>{Kind::message});
  CHECK(r.when.categories == std::vector<std::string>{"pothole"});
  CHECK(r.when.keywords.any == std::vector<std::string>{"Schlagloch", "Gehweg"});
  CHECK(r.when.keywords.all.empty());
  CHECK(r.when.in_sprechstunde == false);
  REQUIRE(r.when.area.has_value());
  CHECK_FALSE(r.when.area->multi);
  CHECK(r.when.area->polygons.at(0).rings.at(0).at(2) == Position{8.5, 49.5});
  REQUIRE(r.when.time.has_value());
  CHECK(r.when.time->days == std::vector<Weekday>{Weekday::mon, Weekday::tue});
  CHECK(r.when.time->from == 480);
  CHECK(r.when.time->to == 960);
  CHECK(r.then.unit == "tiefbau");
  CHECK(r.then.priority == Priority::high);
  CHECK(r.then.tags == std::vector<std::string>{"strasse"});
  CHECK(r.then.auto_reply == "text-key");
}

TEST_CASE("optional parts: no when, an empty when, defaults, no unit check without known units") {
  const RuleSet rs = parsed(set_of(R"({"id":"a","then":{"unit":"ob"}},{"id":"b","when":{},"then":{"unit":"ob"}})"));
  CHECK(rs.rules.at(0).when == Conditions{});
  CHECK(rs.rules.at(1).when == Conditions{});
  CHECK(rs.rules.at(0).name.empty());
  CHECK(rs.rules.at(0).then.priority == Priority::normal);
  CHECK(parsed(R"({"default_unit":"irgendwas","rules":[]})", {}).default_unit == "irgendwas");
  CHECK(parsed(with_then(R"({"unit":"neu"})"), {}).rules.at(0).then.unit == "neu");
  CHECK(parsed(with_when(R"({"time":{"days":["sat","sun"]}})")).rules.at(0).when.time->days.size() == 2);
  CHECK(parsed(with_when(R"({"time":{"from":"22:00","to":"24:00"}})")).rules.at(0).when.time->to == 1440);
}

TEST_CASE("malformed JSON and a wrong document shape") {
  const RuleError e = error_of(R"({"default_unit": "ob", )");
  CHECK(e.rule.empty());
  CHECK(e.field.empty());
  CHECK(e.message.starts_with("malformed JSON"));
  CHECK(error_of("{} trailing").message.starts_with("malformed JSON"));
  CHECK(error_of("").message.starts_with("malformed JSON"));
  refused("[]", "", "", "expected an object, got an array");
  refused(R"({"default_unit":"ob","rules":[],"extra":1})", "", "extra",
          "unknown key 'extra' (allowed: default_unit, rules)");
  refused(R"({"rules":[]})", "", "default_unit", "missing");
  refused(R"({"default_unit":5,"rules":[]})", "", "default_unit", "expected a string, got a number");
  refused(R"({"default_unit":"rathaus","rules":[]})", "", "default_unit", "unknown unit 'rathaus'");
  refused(R"({"default_unit":"ob"})", "", "rules", "missing");
  refused(R"({"default_unit":"ob","rules":{}})", "", "rules", "expected an array, got an object");
}

TEST_CASE("rule ids: missing, empty, wrong type, duplicate; errors name the id or the index") {
  refused(set_of("1"), "rules[0]", "", "expected an object, got a number");
  refused(set_of(R"({"then":{"unit":"ob"}})"), "rules[0]", "id", "missing");
  refused(set_of(R"({"id":"a","then":{"unit":"ob"}},{"id":"  ","then":{"unit":"ob"}})"), "rules[1]", "id",
          "must not be empty");
  refused(set_of(R"({"id":7,"then":{"unit":"ob"}})"), "rules[0]", "id", "expected a string, got a number");
  refused(set_of(R"({"id":"a","then":{"unit":"ob"}},{"id":"b","then":{"unit":"ob"}},{"id":"a","then":{"unit":"ob"}})"),
          "a", "id", "duplicate rule id 'a' (also used by rules[0])");
  refused(set_of(R"({"id":"a","colour":"red","then":{"unit":"ob"}})"), "a", "colour",
          "unknown key 'colour' (allowed: id, name, when, then)");
  refused(set_of(R"({"id":"a","name":false,"then":{"unit":"ob"}})"), "a", "name", "expected a string, got a boolean");
}

TEST_CASE("the error text from the issue") {
  const RuleError e = error_of(with_when(R"({"channels":["whatsapp","telegram"]})"));
  CHECK(to_string(e) == "rule 'x': field 'when.channels[1]': unknown channel 'telegram'");
  CHECK(to_string(RuleError{"", "default_unit", "missing"}) == "field 'default_unit': missing");
  CHECK(to_string(RuleError{"", "", "malformed JSON"}) == "malformed JSON");
}

TEST_CASE("when: unknown keys, wrong types, unknown names") {
  refused(with_when("[]"), "x", "when", "expected an object, got an array");
  refused(with_when(R"({"channel":["x"]})"), "x", "when.channel",
          "unknown key 'channel' (allowed: channels, kinds, categories, keywords, in_sprechstunde, area, time)");
  refused(with_when(R"({"channels":"whatsapp"})"), "x", "when.channels", "expected an array, got a string");
  refused(with_when(R"({"channels":[null]})"), "x", "when.channels[0]", "expected a string, got null");
  refused(with_when(R"({"kinds":["message","brief"]})"), "x", "when.kinds[1]", "unknown kind 'brief'");
  refused(with_when(R"({"categories":["pothole",""]})"), "x", "when.categories[1]", "must not be empty");
  refused(with_when(R"({"in_sprechstunde":"yes"})"), "x", "when.in_sprechstunde", "expected a boolean, got a string");
}

TEST_CASE("when.keywords") {
  refused(with_when(R"({"keywords":["Müll"]})"), "x", "when.keywords", "expected an object, got an array");
  refused(with_when(R"({"keywords":{"none":[]}})"), "x", "when.keywords.none",
          "unknown key 'none' (allowed: any, all)");
  refused(with_when(R"({"keywords":{"any":"Müll"}})"), "x", "when.keywords.any", "expected an array, got a string");
  refused(with_when(R"({"keywords":{"all":["Müll",""]}})"), "x", "when.keywords.all[1]", "must not be empty");
  refused(with_when(R"({"keywords":{"any":["?!"]}})"), "x", "when.keywords.any[0]", "keyword '?!' has no letters or digits");
}

TEST_CASE("when.area: GeoJSON checks") {
  const auto area = [](const std::string& type, const std::string& coords) {
    return with_when(R"({"area":{"type":")" + type + R"(","coordinates":)" + coords + "}}");
  };
  refused(with_when(R"({"area":{"type":"Polygon","coordinates":)" + kSquare + R"(,"bbox":[]}})"), "x", "when.area.bbox",
          "unknown key 'bbox' (allowed: type, coordinates)");
  refused(with_when(R"({"area":{"coordinates":[]}})"), "x", "when.area.type", "missing");
  refused(with_when(R"({"area":{"type":"Polygon"}})"), "x", "when.area.coordinates", "missing");
  refused(area("Point", "[8.4,49.4]"), "x", "when.area.type", "unsupported type 'Point' (use Polygon or MultiPolygon)");
  refused(area("Polygon", "[]"), "x", "when.area.coordinates", "a polygon needs at least one ring");
  refused(area("Polygon", "[[[8.4,49.45],[8.5,49.45],[8.4,49.45]]]"), "x", "when.area.coordinates[0]",
          "a ring needs at least 4 positions");
  refused(area("Polygon", "[[[8.4,49.45],[8.5,49.45],[8.5,49.5],[8.4,49.5]]]"), "x", "when.area.coordinates[0]",
          "ring is not closed (first and last position differ)");
  refused(area("Polygon", "[[[8.4,49.45,100],[8.5,49.45],[8.5,49.5],[8.4,49.45]]]"), "x",
          "when.area.coordinates[0][0]", "expected a position [longitude, latitude]");
  refused(area("Polygon", "[[[8.4,49.45],[180.5,49.45],[8.5,49.5],[8.4,49.45]]]"), "x",
          "when.area.coordinates[0][1][0]", "longitude out of range [-180, 180]");
  refused(area("Polygon", "[[[8.4,49.45],[8.5,-91],[8.5,49.5],[8.4,49.45]]]"), "x", "when.area.coordinates[0][1][1]",
          "latitude out of range [-90, 90]");
  refused(area("Polygon", R"([[[8.4,49.45],["8.5",49.45],[8.5,49.5],[8.4,49.45]]])"), "x",
          "when.area.coordinates[0][1][0]", "expected a number, got a string");
  refused(area("Polygon", "[[8.4,49.45]]"), "x", "when.area.coordinates[0][0]", "expected an array, got a number");
  refused(area("MultiPolygon", "[]"), "x", "when.area.coordinates", "a MultiPolygon needs at least one polygon");
  refused(area("MultiPolygon", "[" + kSquare + ",[[[0,0],[1,0],[0,0]]]]"), "x", "when.area.coordinates[1][0]",
          "a ring needs at least 4 positions");
  // valid: a hole, a MultiPolygon, integer coordinates
  const RuleSet rs = parsed(area("MultiPolygon", "[" + kSquare + ",[[[0,0],[2,0],[2,2],[0,2],[0,0]],[[0.5,0.5],[1,0.5],[1,1],[0.5,0.5]]]]"));
  const Area& a = *rs.rules.at(0).when.area;
  CHECK(a.multi);
  CHECK(a.polygons.size() == 2);
  CHECK(a.polygons.at(1).rings.size() == 2);
  CHECK(area_contains(a, 1.5, 1.5));
  CHECK_FALSE(area_contains(a, 0.9, 0.6));  // in the hole
}

TEST_CASE("when.time checks") {
  refused(with_when(R"({"time":{"weekdays":[]}})"), "x", "when.time.weekdays",
          "unknown key 'weekdays' (allowed: days, from, to)");
  refused(with_when(R"({"time":{"days":["mon","monday"]}})"), "x", "when.time.days[1]",
          "unknown day 'monday' (use mon, tue, wed, thu, fri, sat, sun)");
  refused(with_when(R"({"time":{"from":"8:00","to":"16:00"}})"), "x", "when.time.from",
          "malformed time '8:00' (expected HH:MM, 00:00 to 23:59)");
  refused(with_when(R"({"time":{"from":"08:00","to":"16:60"}})"), "x", "when.time.to",
          "malformed time '16:60' (expected HH:MM, 00:00 to 23:59)");
  refused(with_when(R"({"time":{"from":"24:00","to":"06:00"}})"), "x", "when.time.from",
          "malformed time '24:00' (expected HH:MM, 00:00 to 23:59)");
  refused(with_when(R"({"time":{"from":800,"to":"16:00"}})"), "x", "when.time.from", "expected a string, got a number");
  refused(with_when(R"({"time":{"from":"08:00"}})"), "x", "when.time.to", "'from' and 'to' must be given together");
  refused(with_when(R"({"time":{"to":"08:00"}})"), "x", "when.time.from", "'from' and 'to' must be given together");
  refused(with_when(R"({"time":{"from":"08:00","to":"08:00"}})"), "x", "when.time.to", "'from' and 'to' must differ");
}

TEST_CASE("an automatic answer must name a configured text") {
  const auto rules = parsed(set_of(R"({"id":"a","then":{"unit":"ob"}},{"id":"b","then":{"unit":"ob","auto_reply":"reply.b"}})"));
  CHECK_FALSE(unknown_reply_text(rules, {{"reply.b", "Danke"}}));
  const auto missing = unknown_reply_text(rules, {{"reply.a", "Danke"}});
  REQUIRE(missing);
  CHECK(missing->rule == "b");
  CHECK(missing->field == "then.auto_reply");
  CHECK(missing->message == "no text 'reply.b' in the configuration's texts");
}

TEST_CASE("then checks") {
  refused(set_of(R"({"id":"x","when":{}})"), "x", "then", "missing");
  refused(with_then("[]"), "x", "then", "expected an object, got an array");
  refused(with_then(R"({"priority":"high"})"), "x", "then.unit", "missing");
  refused(with_then(R"({"unit":""})"), "x", "then.unit", "must not be empty");
  refused(with_then(R"({"unit":"rathaus"})"), "x", "then.unit", "unknown unit 'rathaus'");
  refused(with_then(R"({"unit":"ob","priority":"asap"})"), "x", "then.priority",
          "unknown priority 'asap' (use low, normal, high, urgent)");
  refused(with_then(R"({"unit":"ob","tags":["a",""]})"), "x", "then.tags[1]", "must not be empty");
  refused(with_then(R"({"unit":"ob","auto_reply":5})"), "x", "then.auto_reply", "expected a string, got a number");
  refused(with_then(R"({"unit":"ob","escalate":true})"), "x", "then.escalate",
          "unknown key 'escalate' (allowed: unit, priority, tags, auto_reply)");
}

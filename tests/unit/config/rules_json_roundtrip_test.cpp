// Unit tests for rule_set_to_json (round trip) and for the demo rules in config/demo/routing.json.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "config/rules_json.hpp"

using namespace anliegen;
using namespace anliegen::config;
using namespace anliegen::domain;

namespace {

const std::vector<std::string> kDemoUnits = {"ob", "buergerservice", "tiefbau", "stadtreinigung",
                                             "ordnung", "gruen", "stadtplanung"};

RuleSet parsed(std::string_view json, const std::vector<std::string>& units = kDemoUnits) {
  auto r = parse_rule_set(json, units);
  if (auto* e = std::get_if<RuleError>(&r)) FAIL(to_string(*e));
  return std::get<RuleSet>(r);
}

RuleSet demo() {
  std::ifstream in(ANLIEGEN_SOURCE_DIR "/config/demo/routing.json");
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return parsed(ss.str());
}

RoutingOutcome route(const RuleSet& rs, std::string text, Channel channel = Channel::whatsapp,
                     std::string_view at = "2026-07-06T10:00:00Z") {  // a Monday, 12:00 in Berlin
  RoutingInput in;
  in.channel = channel;
  in.text = std::move(text);
  in.at = parse_iso8601(at).value();
  return decide(in, rs);
}

}  // namespace

TEST_CASE("rule_set_to_json writes compact JSON with plain numbers") {
  RuleSet rs;
  Rule r;
  r.id = "a";
  r.when.channels = {Channel::holdieob};
  r.when.area = Area{false, {Polygon{{{{8.4, 49.45}, {8.5, 49.45}, {8.5, 49.5}, {8, 49.45}, {8.4, 49.45}}}}}};
  r.then.unit = "ob";
  rs.rules.push_back(r);
  CHECK(rule_set_to_json(rs) ==
        R"({"default_unit":"buergerservice","rules":[{"id":"a","when":{"channels":["holdieob"],)"
        R"("area":{"type":"Polygon","coordinates":[[[8.4,49.45],[8.5,49.45],[8.5,49.5],[8,49.45],[8.4,49.45]]]}},)"
        R"("then":{"unit":"ob","priority":"normal"}}]})");
  CHECK(rule_set_to_json(RuleSet{}) == R"({"default_unit":"buergerservice","rules":[]})");
}

TEST_CASE("round trip: parse(write(x)) == x for every kind of condition and action") {
  RuleSet rs;
  rs.default_unit = "ob";
  Rule full;
  full.id = "voll \"zitiert\"";
  full.name = "Straßenschäden\nmit\tSteuerzeichen \x01 und \\";
  full.when.channels = {Channel::whatsapp, Channel::in_person};
  full.when.kinds = {Kind::defect_report, Kind::comment};
  full.when.categories = {"pothole", "other"};
  full.when.keywords = {{"Schlagloch", "laute Musik"}, {"Gehweg"}};
  full.when.in_sprechstunde = false;
  full.when.area = Area{true, {Polygon{{{{0.1, 0.2}, {1.0 / 3, 0}, {1, 1}, {0.1, 0.2}}, {{0.3, 0.3}, {0.4, 0.3}, {0.4, 0.35}, {0.3, 0.3}}}},
                               Polygon{{{{-180, -90}, {180, -90}, {180, 90}, {-180, -90}}}}}};
  full.when.time = TimeWindow{{Weekday::sat, Weekday::sun}, 22 * 60, 24 * 60};
  full.then = Actions{"tiefbau", Priority::urgent, {"a", "b"}, "reply.key"};
  rs.rules.push_back(full);
  Rule minimal;
  minimal.id = "min";
  minimal.when.in_sprechstunde = true;
  minimal.when.time = TimeWindow{{Weekday::mon}, std::nullopt, std::nullopt};
  minimal.then.unit = "gruen";
  minimal.then.priority = Priority::low;
  rs.rules.push_back(minimal);
  const std::string json = rule_set_to_json(rs);
  CHECK(parsed(json) == rs);
  CHECK(rule_set_to_json(parsed(json)) == json);
}

TEST_CASE("the demo rules parse with the demo units and round-trip") {
  const RuleSet rs = demo();
  CHECK(rs.default_unit == "buergerservice");
  CHECK(rs.rules.size() >= 15);
  CHECK(parsed(rule_set_to_json(rs)) == rs);
  // every demo unit except the default receives something
  for (const std::string& unit : kDemoUnits) {
    bool used = unit == rs.default_unit;
    for (const Rule& r : rs.rules) used = used || r.then.unit == unit;
    CHECK_MESSAGE(used, unit);
  }
  // and the demo units are required: without "gruen" the set is refused
  auto r = parse_rule_set(rule_set_to_json(rs), {"ob", "buergerservice", "tiefbau", "stadtreinigung", "ordnung", "stadtplanung"});
  REQUIRE(std::holds_alternative<RuleError>(r));
  CHECK(std::get<RuleError>(r).message == "unknown unit 'gruen'");
}

TEST_CASE("the demo rules route sample Anliegen sensibly") {
  const RuleSet rs = demo();
  const auto unit = [&](std::string text) { return route(rs, std::move(text)).decision.unit; };
  CHECK(route(rs, "In der Bismarckstraße sind überall Schlaglöcher").decision.reason ==
        "keyword 'Schlagloch' → tiefbau (rule 'Straßenschäden')");
  CHECK(unit("Die Straßenlaterne vor Hausnummer 12 ist seit Tagen aus") == "tiefbau");
  CHECK(unit("Sperrmüll wurde neben den Glascontainern abgeladen") == "stadtreinigung");
  CHECK(unit("Der Mülleimer an der Haltestelle quillt über") == "stadtreinigung");
  CHECK(unit("Ständig Falschparker in der Feuerwehrzufahrt") == "ordnung");
  CHECK(unit("Ein Auto ist seit Tagen auf dem Gehweg geparkt") == "ordnung");
  CHECK(unit("Lärm von der Baustelle am Mittag") == "ordnung");
  CHECK(unit("Der Spielplatz im Ebertpark ist verdreckt") == "gruen");
  CHECK(unit("Wann wird der Bebauungsplan für das Neubaugebiet veröffentlicht?") == "stadtplanung");
  CHECK(unit("Wie geht es mit der Hochstraße Nord weiter?") == "stadtplanung");
  CHECK(unit("Der Schlagbaum am Parkplatz ist kaputt") == "buergerservice");
  CHECK(route(rs, "Ich möchte einen neuen Personalausweis beantragen").decision.reason ==
        "no rule matched → buergerservice (default unit)");

  const RoutingOutcome tree = route(rs, "Nach dem Sturm ist ein Baum umgestürzt und blockiert den Radweg");
  CHECK(tree.decision.unit == "gruen");
  CHECK(tree.priority == Priority::urgent);

  // night-time noise (Friday 23:30 in Berlin) vs. the same text at noon
  const RoutingOutcome night = route(rs, "Laute Musik bis drei Uhr", Channel::facebook, "2026-07-10T21:30:00Z");
  CHECK(night.decision.rule_id == "nachtruhe");
  CHECK(night.priority == Priority::high);
  CHECK(route(rs, "Laute Musik bis drei Uhr").decision.unit == "buergerservice");
}

TEST_CASE("the demo rules: Sprechstunde, holdieob and Mängelmelder categories") {
  const RuleSet rs = demo();
  RoutingInput in;
  in.channel = Channel::whatsapp;
  in.text = "Schlagloch vor meiner Tür";
  in.at = parse_iso8601("2026-07-06T10:00:00Z").value();
  in.in_sprechstunde = true;
  RoutingOutcome out = decide(in, rs);
  CHECK(out.decision.unit == "ob");
  CHECK(out.decision.reason == "Sprechstunde → ob (rule 'Sprechstunde der Oberbürgermeisterin')");
  CHECK(out.tags == std::vector<std::string>{"sprechstunde"});

  in = RoutingInput{.channel = Channel::holdieob, .kind = Kind::invitation, .text = "Einladung zum Sommerfest"};
  CHECK(decide(in, rs).decision.reason == "channel 'holdieob' → ob (rule 'Einladungen über holdieob')");
  in.channel = Channel::letter;
  CHECK(decide(in, rs).decision.unit == "ob");

  in = RoutingInput{.channel = Channel::maengelmelder, .kind = Kind::defect_report, .category = "pothole"};
  CHECK(decide(in, rs).decision.reason == "category 'pothole' → tiefbau (rule 'Mängelmelder Straßenschäden')");
  const std::vector<std::pair<std::string, std::string>> codes = {
      {"street_light", "tiefbau"},     {"traffic_sign", "tiefbau"}, {"illegal_dumping", "stadtreinigung"},
      {"litter_bin", "stadtreinigung"}, {"graffiti", "stadtreinigung"}, {"parks_trees", "gruen"},
      {"playground", "gruen"},          {"other", "buergerservice"}};
  for (const auto& [code, expected] : codes) {
    in.category = code;
    CHECK_MESSAGE(decide(in, rs).decision.unit == expected, code);
  }
  in.text = "Sperrmüll am Straßenrand";  // "other" with a telling text still finds its unit
  CHECK(decide(in, rs).decision.unit == "stadtreinigung");
}

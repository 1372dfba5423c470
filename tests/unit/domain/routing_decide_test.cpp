// Unit tests for domain::decide(): every condition, first-match order, the default unit and reasons.
#include <doctest/doctest.h>

#include "domain/routing.hpp"

using namespace anliegen::domain;

namespace {

Rule rule(std::string id, std::string name, std::string unit, Conditions when = {}) {
  Rule r;
  r.id = std::move(id);
  r.name = std::move(name);
  r.when = std::move(when);
  r.then.unit = std::move(unit);
  return r;
}

RoutingInput input(Channel channel, std::string text = "") {
  RoutingInput in;
  in.channel = channel;
  in.text = std::move(text);
  in.at = parse_iso8601("2026-07-06T10:00:00Z").value();
  return in;
}

Ring square(double x0, double y0, double x1, double y1) { return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}; }

}  // namespace

TEST_CASE("no rule matched: the default unit, with a reason") {
  RuleSet rs;
  rs.rules.push_back(rule("a", "A", "tiefbau", Conditions{.keywords = {.any = {"Schlagloch"}}}));
  const RoutingOutcome out = decide(input(Channel::whatsapp, "Guten Tag"), rs);
  CHECK(out.decision.unit == "buergerservice");
  CHECK(out.decision.rule_id.empty());
  CHECK(out.decision.rule_name.empty());
  CHECK(out.decision.reason == "no rule matched → buergerservice (default unit)");
  CHECK(out.priority == Priority::normal);
  CHECK(out.tags.empty());
  CHECK(out.auto_reply.empty());
  rs.default_unit = "ob";
  CHECK(decide(input(Channel::x), rs).decision.reason == "no rule matched → ob (default unit)");
}

TEST_CASE("keyword rule: decision, actions and reason") {
  RuleSet rs;
  Rule r = rule("strassenschaeden", "Straßenschäden", "tiefbau",
                Conditions{.keywords = {.any = {"Gehweg", "Schlagloch"}}});
  r.then.priority = Priority::high;
  r.then.tags = {"strasse"};
  r.then.auto_reply = "reply.strasse";
  rs.rules.push_back(r);
  const RoutingOutcome out = decide(input(Channel::whatsapp, "Überall SCHLAGLÖCHER!"), rs);
  CHECK(out.decision.unit == "tiefbau");
  CHECK(out.decision.rule_id == "strassenschaeden");
  CHECK(out.decision.rule_name == "Straßenschäden");
  CHECK(out.decision.reason == "keyword 'Schlagloch' → tiefbau (rule 'Straßenschäden')");
  CHECK(out.priority == Priority::high);
  CHECK(out.tags == std::vector<std::string>{"strasse"});
  CHECK(out.auto_reply == "reply.strasse");
}

TEST_CASE("keywords: any of / all of") {
  RuleSet rs;
  rs.rules.push_back(rule("baum", "Umgestürzter Baum", "gruen",
                          Conditions{.keywords = {.any = {"umgestürzt", "umgefallen"}, .all = {"Baum", "Straße"}}}));
  rs.rules.push_back(rule("both", "Beide", "ordnung", Conditions{.keywords = {.all = {"Lärm", "Nacht"}}}));
  CHECK(decide(input(Channel::x, "Baum auf die Strasse umgefallen"), rs).decision.reason ==
        "keywords 'umgefallen' + 'Baum' + 'Straße' → gruen (rule 'Umgestürzter Baum')");
  CHECK(decide(input(Channel::x, "Baum umgefallen"), rs).decision.unit == "buergerservice");  // not all
  CHECK(decide(input(Channel::x, "Baum auf der Straße"), rs).decision.unit == "buergerservice");  // none of any
  CHECK(decide(input(Channel::x, "Lärm in der Nacht"), rs).decision.reason ==
        "keywords 'Lärm' + 'Nacht' → ordnung (rule 'Beide')");
  CHECK(decide(input(Channel::x, "Lärm am Tag"), rs).decision.unit == "buergerservice");
}

TEST_CASE("category rule, compared case-insensitively; an empty category never matches") {
  RuleSet rs;
  rs.rules.push_back(rule("mm", "Mängelmelder Straßenschäden", "tiefbau", Conditions{.categories = {"pothole"}}));
  RoutingInput in = input(Channel::maengelmelder, "Loch");
  in.category = "POTHOLE";
  CHECK(decide(in, rs).decision.reason == "category 'pothole' → tiefbau (rule 'Mängelmelder Straßenschäden')");
  in.category = "";
  CHECK(decide(in, rs).decision.unit == "buergerservice");
  in.category = "graffiti";
  CHECK(decide(in, rs).decision.unit == "buergerservice");
}

TEST_CASE("channel, kind and Sprechstunde rules") {
  RuleSet rs;
  rs.rules.push_back(rule("sprechstunde", "Sprechstunde", "ob", Conditions{.in_sprechstunde = true}));
  rs.rules.push_back(rule("holdieob", "Einladungen", "ob", Conditions{.channels = {Channel::holdieob}, .kinds = {Kind::invitation}}));
  rs.rules.push_back(rule("brief", "Briefe", "buergerservice", Conditions{.kinds = {Kind::comment}}));
  rs.rules.push_back(rule("nicht", "Außerhalb", "ordnung", Conditions{.channels = {Channel::x}, .in_sprechstunde = false}));

  RoutingInput in = input(Channel::facebook, "Hallo");
  in.in_sprechstunde = true;
  CHECK(decide(in, rs).decision.reason == "Sprechstunde → ob (rule 'Sprechstunde')");

  in = input(Channel::holdieob);
  in.kind = Kind::invitation;
  CHECK(decide(in, rs).decision.reason == "channel 'holdieob' → ob (rule 'Einladungen')");
  in.kind = Kind::message;  // channel matches, kind does not: AND
  CHECK(decide(in, rs).decision.unit == "buergerservice");

  in = input(Channel::letter);
  in.kind = Kind::comment;
  CHECK(decide(in, rs).decision.reason == "kind 'comment' → buergerservice (rule 'Briefe')");

  in = input(Channel::x);
  CHECK(decide(in, rs).decision.reason == "channel 'x' → ordnung (rule 'Außerhalb')");
  in.in_sprechstunde = true;
  CHECK(decide(in, rs).decision.rule_id == "sprechstunde");
}

TEST_CASE("area rule needs a location with coordinates") {
  RuleSet rs;
  Area a;
  a.polygons = {Polygon{{square(8.40, 49.45, 8.50, 49.50), square(8.44, 49.47, 8.46, 49.48)}}};
  rs.rules.push_back(rule("park", "Ebertpark", "gruen", Conditions{.area = a}));
  RoutingInput in = input(Channel::maengelmelder);
  CHECK(decide(in, rs).decision.unit == "buergerservice");  // no location
  in.location = Location{.lat = 49.46, .lon = std::nullopt, .address = "Parkstraße"};
  CHECK(decide(in, rs).decision.unit == "buergerservice");  // no longitude
  in.location->lon = 8.42;
  CHECK(decide(in, rs).decision.reason == "location in area → gruen (rule 'Ebertpark')");
  in.location->lon = 8.45;
  in.location->lat = 49.475;  // in the hole
  CHECK(decide(in, rs).decision.unit == "buergerservice");
  in.location->lon = 8.44;  // on the hole's edge
  CHECK(decide(in, rs).decision.unit == "gruen");
}

TEST_CASE("time rule and its reason") {
  RuleSet rs;
  rs.rules.push_back(rule("nacht", "Nachtruhe", "ordnung",
                          Conditions{.time = TimeWindow{{Weekday::fri, Weekday::sat}, 22 * 60, 6 * 60}}));
  RoutingInput in = input(Channel::phone);
  in.at = parse_iso8601("2026-07-10T21:00:00Z").value();  // Fri 23:00 local
  CHECK(decide(in, rs).decision.reason == "time 'fri,sat 22:00-06:00' → ordnung (rule 'Nachtruhe')");
  in.at = parse_iso8601("2026-07-10T12:00:00Z").value();
  CHECK(decide(in, rs).decision.unit == "buergerservice");
}

TEST_CASE("the most specific matched condition is named") {
  Conditions all;
  all.channels = {Channel::maengelmelder};
  all.kinds = {Kind::defect_report};
  all.categories = {"pothole"};
  all.keywords.any = {"Schlagloch"};
  all.in_sprechstunde = false;
  all.area = Area{false, {Polygon{{square(0, 0, 10, 10)}}}};
  all.time = TimeWindow{};
  RuleSet rs;
  rs.rules.push_back(rule("r", "R", "tiefbau", all));
  RoutingInput in = input(Channel::maengelmelder, "Schlagloch");
  in.kind = Kind::defect_report;
  in.category = "pothole";
  in.location = Location{.lat = 5.0, .lon = 5.0};
  CHECK(decide(in, rs).decision.reason == "keyword 'Schlagloch' → tiefbau (rule 'R')");
  rs.rules[0].when.keywords = {};
  CHECK(decide(in, rs).decision.reason == "category 'pothole' → tiefbau (rule 'R')");
  rs.rules[0].when.categories.clear();
  CHECK(decide(in, rs).decision.reason == "location in area → tiefbau (rule 'R')");
  rs.rules[0].when.area.reset();
  CHECK(decide(in, rs).decision.reason == "channel 'maengelmelder' → tiefbau (rule 'R')");
  rs.rules[0].when.channels.clear();
  CHECK(decide(in, rs).decision.reason == "kind 'defect_report' → tiefbau (rule 'R')");
  rs.rules[0].when.kinds.clear();
  CHECK(decide(in, rs).decision.reason == "outside Sprechstunde → tiefbau (rule 'R')");
  rs.rules[0].when.in_sprechstunde.reset();
  CHECK(decide(in, rs).decision.reason == "every Anliegen → tiefbau (rule 'R')");
}

TEST_CASE("first matching rule wins; an empty when matches everything; the reason falls back to the id") {
  RuleSet rs;
  rs.rules.push_back(rule("muell", "Müll", "stadtreinigung", Conditions{.keywords = {.any = {"Müll"}}}));
  rs.rules.push_back(rule("gehweg", "Gehweg", "tiefbau", Conditions{.keywords = {.any = {"Gehweg"}}}));
  rs.rules.push_back(rule("alles", "", "ob"));
  rs.rules.push_back(rule("nie", "Nie", "gruen"));
  CHECK(decide(input(Channel::x, "Müll auf dem Gehweg"), rs).decision.rule_id == "muell");
  CHECK(decide(input(Channel::x, "Gehweg voller Müll"), rs).decision.rule_id == "muell");
  CHECK(decide(input(Channel::x, "Gehweg kaputt"), rs).decision.rule_id == "gehweg");
  const RoutingOutcome out = decide(input(Channel::x, "Hallo"), rs);
  CHECK(out.decision.rule_id == "alles");
  CHECK(out.decision.reason == "every Anliegen → ob (rule 'alles')");
  std::swap(rs.rules[0], rs.rules[1]);
  CHECK(decide(input(Channel::x, "Müll auf dem Gehweg"), rs).decision.rule_id == "gehweg");
}

TEST_CASE("routing_input_for takes the Anliegen's fields and its inbound texts") {
  Anliegen a;
  a.channel = Channel::maengelmelder;
  a.kind = Kind::defect_report;
  a.category = "pothole";
  a.received_at = parse_iso8601("2026-07-06T10:00:00Z").value();
  a.messages.push_back(Message{.direction = Direction::inbound, .text = "Schlagloch"});
  a.messages.push_back(Message{.direction = Direction::outbound, .text = "Danke"});
  a.messages.push_back(Message{.direction = Direction::inbound, .text = "Noch da"});
  RoutingInput in = routing_input_for(a, true);
  CHECK(in.channel == Channel::maengelmelder);
  CHECK(in.kind == Kind::defect_report);
  CHECK(in.category == "pothole");
  CHECK(in.text == "Schlagloch\n\nNoch da");
  CHECK(in.at == a.received_at);
  CHECK(in.in_sprechstunde);
  CHECK_FALSE(in.location.has_value());
  a.location.lat = 49.48;
  a.location.lon = 8.44;
  CHECK(routing_input_for(a, false).location->lat == 49.48);
}

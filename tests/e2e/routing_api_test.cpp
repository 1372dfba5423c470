// End-to-end tests of the routing admin API: reading and replacing the rule set (validated, applied to
// the next Anliegen on every instance without restart) and explaining a decision without storing it.
#include <set>

#include "e2e.hpp"

using namespace anliegen::testing;

namespace {

const std::string kRules = R"({"default_unit":"buergerservice","rules":[
  {"id":"baustellen","name":"Baustellen","when":{"keywords":{"any":["Baustelle"]}},
   "then":{"unit":"stadtplanung","priority":"high","tags":["baustelle"],"auto_reply":"reply.einladung"}}]})";

std::string create_unit(const RunningGateway& gw, const std::string& token, const std::string& text) {
  auto r = gw.send_json("POST", "/api/v1/cases", R"({"channel":"phone","text":")" + text + "\"}", token);
  REQUIRE_MESSAGE(r.status == 201, r.body);
  return std::string(parse(r.body).at("unit").as_string());
}

}  // namespace

TEST_CASE("routing rules: admin only, invalid sets refused naming the field, new sets apply everywhere at once") {
  RunningGateway gw;
  const auto admin = create_token(gw.db.dsn(), "admin");
  const auto office = create_token(gw.db.dsn(), "office");
  const auto clerk = create_token(gw.db.dsn(), "clerk", "tiefbau");

  check_problem(gw.get("/api/v1/routing/rules"), 401);
  check_problem(gw.get("/api/v1/routing/rules", office), 403);
  check_problem(gw.send_json("PUT", "/api/v1/routing/rules", kRules, clerk), 403);
  auto seeded = gw.get("/api/v1/routing/rules", admin);
  REQUIRE(seeded.status == 200);
  auto s = parse(seeded.body).as_object();
  CHECK(s.at("version").as_int64() == 1);  // seeded from the configuration at start
  CHECK(s.at("updated_by") == "config");
  CHECK(seeded.header("etag") == "\"1\"");
  CHECK(s.at("rule_set").at("default_unit") == "buergerservice");
  CHECK(s.at("rule_set").at("rules").as_array().size() > 5);

  auto invalid = gw.send_json("PUT", "/api/v1/routing/rules",
                              R"({"default_unit":"buergerservice","rules":[{"id":"strassenschaeden","when":{"channels":["whatsapp","telegram"]},
                                  "then":{"unit":"tiefbau"}}]})",
                              admin);
  check_problem(invalid, 422);
  auto err = parse(invalid.body).as_object();
  CHECK(err.at("errors").as_array()[0].at("field") == "rules[strassenschaeden].when.channels[1]");
  CHECK(std::string(err.at("detail").as_string()).find("telegram") != std::string::npos);
  check_problem(gw.send_json("PUT", "/api/v1/routing/rules", R"({"default_unit":"buergerservice","rules":[{"id":"x","then":{"unit":"mond"}}]})", admin),
                422);
  check_problem(gw.send_json("PUT", "/api/v1/routing/rules", R"({"rules":)", admin), 400);
  // An automatic answer must name a text of the configuration, or citizens would be answered with nothing.
  auto no_text = gw.send_json("PUT", "/api/v1/routing/rules",
                              R"({"default_unit":"buergerservice","rules":[{"id":"x","then":{"unit":"ob","auto_reply":"reply.fehlt"}}]})",
                              admin);
  check_problem(no_text, 422);
  CHECK(parse(no_text.body).at("errors").as_array()[0].at("field") == "rules[x].then.auto_reply");
  CHECK(parse(no_text.body).at("errors").as_array()[0].at("message") == "no text 'reply.fehlt' in the configuration's texts");
  CHECK(gw.db.scalar("SELECT max(version) FROM routing_rules") == "1");
  CHECK(create_unit(gw, office, "Schlagloch an der Baustelle") == "tiefbau");  // old rules still in force

  // A second instance on the same database, started before the change.
  ServerProcess second(gw.db.dsn());
  REQUIRE_MESSAGE(second.wait_ready(), second.log());
  auto second_create = [&](const std::string& text) {
    auto r = http_request(second.port(), "POST", "/api/v1/cases", R"({"channel":"phone","text":")" + text + "\"}",
                          {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + office}});
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return std::string(parse(r.body).at("unit").as_string());
  };
  CHECK(second_create("Schlagloch an der Baustelle") == "tiefbau");

  auto put = gw.send_json("PUT", "/api/v1/routing/rules", kRules, admin);
  REQUIRE_MESSAGE(put.status == 200, put.body);
  CHECK(parse(put.body).at("version").as_int64() == 2);
  CHECK(std::string(parse(put.body).at("updated_by").as_string()).starts_with("token:"));
  CHECK(put.header("etag") == "\"2\"");
  CHECK(create_unit(gw, office, "Schlagloch an der Baustelle") == "stadtplanung");
  CHECK(second_create("Schlagloch an der Baustelle") == "stadtplanung");
  CHECK(create_unit(gw, office, "Schlagloch") == "buergerservice");
  auto last = parse(gw.get("/api/v1/cases?limit=1", office).body).at("items").as_array()[0];
  CHECK(last.at("routing").at("reason").is_string());
  CHECK(gw.db.scalar("SELECT count(*) FROM audit_events WHERE type = 'routing_rules_updated'") == "1");

  auto got = parse(gw.get("/api/v1/routing/rules", admin).body).as_object();
  CHECK(got.at("version").as_int64() == 2);
  CHECK(got.at("rule_set").at("rules").as_array()[0].at("id") == "baustellen");

  // If-Match on the rules: a stale version is refused.
  std::map<std::string, std::string> h{{"Content-Type", "application/json"}, {"Authorization", "Bearer " + admin},
                                       {"If-Match", "\"1\""}};
  check_problem(http_request(gw.port(), "PUT", "/api/v1/routing/rules", kRules, h), 412);
  CHECK(gw.db.scalar("SELECT max(version) FROM routing_rules") == "2");
  CHECK(second.terminate() == 0);
}

TEST_CASE("explain: the decision for a sample Anliegen, nothing stored, office and admin only") {
  RunningGateway gw;
  const auto admin = create_token(gw.db.dsn(), "admin");
  const auto office = create_token(gw.db.dsn(), "office");
  const auto clerk = create_token(gw.db.dsn(), "clerk", "tiefbau");
  auto r = gw.send_json("POST", "/api/v1/routing/explain",
                        R"({"channel":"whatsapp","kind":"message","text":"Riesige Schlaglöcher!",
                            "location":{"lat":49.48,"lon":8.44},"at":"2026-11-30T09:15:00+01:00"})",
                        office);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto d = parse(r.body).as_object();
  CHECK(d.at("unit") == "tiefbau");
  CHECK(d.at("rule_id").is_string());
  CHECK(d.at("rule_name").is_string());
  CHECK(std::string(d.at("reason").as_string()).find("tiefbau") != std::string::npos);
  CHECK(d.at("priority").is_string());
  CHECK(d.at("tags").is_array());
  CHECK(d.contains("auto_reply"));
  CHECK(d.at("rules_version").as_int64() == 1);

  auto sprechstunde = gw.send_json("POST", "/api/v1/routing/explain",
                                   R"({"channel":"whatsapp","text":"Frage","in_sprechstunde":true})", admin);
  REQUIRE(sprechstunde.status == 200);
  CHECK(parse(sprechstunde.body).at("unit") == "ob");
  CHECK(parse(sprechstunde.body).at("auto_reply").is_null());  // the hour has its own acknowledgement
  auto invitation = gw.send_json("POST", "/api/v1/routing/explain",
                                 R"({"channel":"holdieob","kind":"invitation","text":"Sommerfest"})", admin);
  REQUIRE(invitation.status == 200);
  CHECK(parse(invitation.body).at("auto_reply") == "reply.einladung");
  auto fallback = gw.send_json("POST", "/api/v1/routing/explain", R"({"channel":"phone","text":"Guten Tag"})", admin);
  REQUIRE(fallback.status == 200);
  CHECK(parse(fallback.body).at("unit") == "buergerservice");
  CHECK(parse(fallback.body).at("rule_id").is_null());

  check_problem(gw.send_json("POST", "/api/v1/routing/explain", R"({"channel":"phone","text":"x"})", clerk), 403);
  auto bad = gw.send_json("POST", "/api/v1/routing/explain",
                          R"({"channel":"telegram","kind":"x","in_sprechstunde":"ja","at":"morgen","location":{"lat":99},"y":1})",
                          admin);
  check_problem(bad, 422);
  std::set<std::string> fields;
  const auto doc = parse(bad.body);
  for (const auto& e : doc.at("errors").as_array()) fields.insert(std::string(e.at("field").as_string()));
  for (const char* f : {"channel", "kind", "in_sprechstunde", "at", "location.lat", "location.lon", "y"}) {
    CAPTURE(f);
    CHECK(fields.count(f) == 1);
  }
  CHECK(gw.db.scalar("SELECT count(*) FROM anliegen") == "0");
  CHECK(gw.db.scalar("SELECT count(*) FROM routing_decisions") == "0");
  CHECK(gw.db.scalar("SELECT count(*) FROM audit_events") == "0");
}

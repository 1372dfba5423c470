#include <algorithm>
#include <set>

#include "e2e.hpp"

using namespace anliegen::testing;

TEST_CASE("the case API needs a valid token") {
  RunningGateway gw;
  check_problem(gw.get("/api/v1/cases/1"), 401);
  CHECK(gw.get("/api/v1/cases/1").header("www-authenticate").rfind("Bearer", 0) == 0);
  check_problem(gw.get("/api/v1/cases/1", "anl_not-a-real-token-at-all"), 401);
  check_problem(http_request(gw.port(), "GET", "/api/v1/cases/1", "", {{"Authorization", "Basic Zm9vOmJhcg=="}}), 401);
  check_problem(gw.send_json("POST", "/api/v1/cases", R"({"channel":"phone","text":"x"})"), 401);
  CHECK(gw.db.scalar("SELECT count(*) FROM anliegen") == "0");
}

TEST_CASE("a concern taken by phone becomes an Anliegen with a Location and its thread") {
  RunningGateway gw;
  const auto token = create_token(gw.db.dsn(), "office");
  auto created = gw.send_json("POST", "/api/v1/cases",
                              R"({"channel":"phone","text":"Die Straßenlaterne vor Haus 12 ist seit Tagen aus.",
                                  "citizen":{"name":"Erika Mustermann","phone":"+49 621 123456"},
                                  "category":"street_light", "tags":["dunkel","dunkel","schulweg"],
                                  "location":{"lat":49.4774,"lon":8.4452,"address":"Ludwigstraße 12"}})",
                              token);
  REQUIRE_MESSAGE(created.status == 201, created.body);
  auto body = parse(created.body).as_object();
  const auto id = body.at("id").as_int64();
  CHECK(created.header("location") == "/api/v1/cases/" + std::to_string(id));
  CHECK(!created.header("etag").empty());
  CHECK(body.at("reference").as_string().starts_with("A-2026-"));
  CHECK(body.at("channel") == "phone");
  CHECK(body.at("kind") == "message");
  CHECK(body.at("status") == "new");
  CHECK(body.at("citizen").at("name") == "Erika Mustermann");
  CHECK(body.at("routing").at("reason").is_string());
  CHECK(body.at("location").at("address") == "Ludwigstraße 12");
  const auto& tags = body.at("tags").as_array();
  CHECK(std::count(tags.begin(), tags.end(), boost::json::value("dunkel")) == 1);  // each tag once
  CHECK(std::count(tags.begin(), tags.end(), boost::json::value("schulweg")) == 1);

  auto fetched = gw.get(created.header("location"), token);
  REQUIRE(fetched.status == 200);
  auto a = parse(fetched.body).as_object();
  CHECK(a.at("id").as_int64() == id);
  REQUIRE(a.at("messages").as_array().size() == 1);
  CHECK(a.at("messages").as_array()[0].at("text") == "Die Straßenlaterne vor Haus 12 ist seit Tagen aus.");
  CHECK(a.at("messages").as_array()[0].at("direction") == "inbound");
  CHECK(fetched.header("etag") == created.header("etag"));
}

TEST_CASE("clerks see their own unit's Anliegen only; admins do not see contact data") {
  RunningGateway gw;
  const auto office = create_token(gw.db.dsn(), "office");
  const auto own_clerk = create_token(gw.db.dsn(), "clerk", "buergerservice");
  const auto other_clerk = create_token(gw.db.dsn(), "clerk", "tiefbau");
  const auto admin = create_token(gw.db.dsn(), "admin");
  auto created = gw.send_json("POST", "/api/v1/cases",
                              R"({"channel":"letter","text":"Bitte um Rückruf wegen Bauantrag","citizen":{"name":"A. Brief","email":"a@example.org"}})",
                              office);
  REQUIRE(created.status == 201);
  const auto where = created.header("location");
  const auto unit = parse(created.body).at("unit").as_string();
  CHECK(unit == "stadtplanung");  // routed by the built-in rules ("Bauantrag")
  const auto clerk_of_unit = create_token(gw.db.dsn(), "clerk", std::string(unit));
  CHECK(gw.get(where, clerk_of_unit).status == 200);
  check_problem(gw.get(where, other_clerk), 404);
  (void)own_clerk;
  auto as_admin = gw.get(where, admin);
  REQUIRE(as_admin.status == 200);
  CHECK_FALSE(parse(as_admin.body).at("citizen").as_object().contains("email"));
  CHECK_FALSE(parse(as_admin.body).at("citizen").as_object().contains("name"));
}

TEST_CASE("bad case input: 400 malformed, 415 not JSON, 422 naming the fields, nothing written") {
  RunningGateway gw;
  const auto token = create_token(gw.db.dsn(), "office");
  check_problem(gw.send_json("POST", "/api/v1/cases", R"({"channel":"phone","text":)", token), 400);
  check_problem(http_request(gw.port(), "POST", "/api/v1/cases", "channel=phone",
                             {{"Authorization", "Bearer " + token}, {"Content-Type", "application/x-www-form-urlencoded"}}),
                415);
  // Only JSON itself, not a JSON-based format with other semantics.
  check_problem(http_request(gw.port(), "POST", "/api/v1/cases", R"({"channel":"phone","text":"x"})",
                             {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json-patch+json"}}),
                415);
  check_problem(gw.send_json("POST", "/api/v1/cases", "[1,2]", token), 422);

  auto r = gw.send_json("POST", "/api/v1/cases",
                        R"({"channel":"whatsapp","text":"","colour":"red","location":{"lat":123},
                            "citizen":{"email":"kein-at"},"received_at":"gestern","tags":[1]})",
                        token);
  check_problem(r, 422);
  auto errors = parse(r.body).at("errors").as_array();
  std::set<std::string> fields;
  for (const auto& e : errors) fields.insert(std::string(e.at("field").as_string()));
  for (const char* f : {"channel", "text", "colour", "location.lat", "citizen.email", "received_at", "tags"}) {
    CAPTURE(f);
    CHECK(fields.count(f) == 1);
  }
  auto overlong = gw.send_json("POST", "/api/v1/cases",
                               R"({"channel":"phone","text":")" + std::string(10001, 'a') + "\"}", token);
  check_problem(overlong, 422);
  CHECK(gw.db.scalar("SELECT count(*) FROM anliegen") == "0");
  CHECK(gw.db.scalar("SELECT count(*) FROM citizens") == "0");
  // The media type's letter case is free, parameters are fine.
  CHECK(http_request(gw.port(), "POST", "/api/v1/cases", R"({"channel":"phone","text":"Laterne aus"})",
                     {{"Authorization", "Bearer " + token}, {"Content-Type", "Application/JSON; charset=UTF-8"}})
            .status == 201);
}

TEST_CASE("unknown or malformed case ids are 404") {
  RunningGateway gw;
  const auto token = create_token(gw.db.dsn(), "office");
  check_problem(gw.get("/api/v1/cases/999999", token), 404);
  check_problem(gw.get("/api/v1/cases/abc", token), 404);
  check_problem(gw.get("/api/v1/cases/-1", token), 404);
  check_problem(gw.get("/api/v1/cases/99999999999999999999999", token), 404);
}

TEST_CASE("while the database is away, API calls answer 503 quickly") {
  TestDatabase db;
  DatabaseProxy proxy;
  ServerProcess server(proxy.dsn(db.name()));
  REQUIRE_MESSAGE(server.wait_ready(), server.log());
  const auto token = create_token(db.dsn(), "office");
  proxy.cut();
  auto r = http_request(server.port(), "POST", "/api/v1/cases", R"({"channel":"phone","text":"x"})",
                        {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  check_problem(r, 503);
  proxy.restore();
  CHECK(server.terminate() == 0);
}

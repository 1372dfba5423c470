// End-to-end tests of the case API: listing with filters, search and pages; PATCH with If-Match,
// status machine and forwarding; notes; the audit trail; units; and what each role may do.
#include <atomic>
#include <set>
#include <thread>

#include "e2e.hpp"

using namespace anliegen::testing;

namespace {

struct CaseApi : RunningGateway {
  std::string office = create_token(db.dsn(), "office");
  std::string admin = create_token(db.dsn(), "admin");
  std::string tiefbau = create_token(db.dsn(), "clerk", "tiefbau");
  std::string buergerservice = create_token(db.dsn(), "clerk", "buergerservice");

  boost::json::object create(const std::string& body) {
    auto r = send_json("POST", "/api/v1/cases", body, office);
    REQUIRE_MESSAGE(r.status == 201, r.body);
    return parse(r.body).as_object();
  }
  std::string path(const boost::json::object& c) { return "/api/v1/cases/" + std::to_string(c.at("id").as_int64()); }
  HttpResponse patch(const std::string& target, const std::string& body, const std::string& token,
                     const std::string& if_match = "") {
    std::map<std::string, std::string> h{{"Content-Type", "application/json"}, {"Authorization", "Bearer " + token}};
    if (!if_match.empty()) h["If-Match"] = if_match;
    return http_request(port(), "PATCH", target, body, h);
  }
  std::vector<std::int64_t> list_ids(const std::string& query, const std::string& token) {
    auto r = get("/api/v1/cases" + query, token);
    REQUIRE_MESSAGE(r.status == 200, r.body);
    std::vector<std::int64_t> out;
    const auto doc = parse(r.body);
    for (const auto& i : doc.at("items").as_array()) out.push_back(i.at("id").as_int64());
    return out;
  }
};

std::set<std::string> error_fields(const HttpResponse& r) {
  std::set<std::string> out;
  const auto doc = parse(r.body);
  for (const auto& e : doc.at("errors").as_array()) out.insert(std::string(e.at("field").as_string()));
  return out;
}

}  // namespace

TEST_CASE("GET /cases: roles, filters, German search and keyset pages without gaps") {
  CaseApi api;
  const auto pothole = api.create(R"({"channel":"phone","text":"Tiefe Schlaglöcher in der Bismarckstraße"})");
  const auto rubbish = api.create(R"({"channel":"letter","text":"Sperrmüll wurde im Hinterhof abgeladen"})");
  const auto callback = api.create(R"({"channel":"email","text":"Bitte um Rückruf","citizen":{"email":"a@example.org"}})");
  CHECK(pothole.at("unit") == "tiefbau");
  CHECK(callback.at("unit") == "buergerservice");
  for (int i = 0; i < 9; ++i) api.create(R"({"channel":"phone","text":"Anliegen Nummer )" + std::to_string(i) + "\"}");

  check_problem(api.get("/api/v1/cases"), 401);
  auto all = api.get("/api/v1/cases", api.office);
  REQUIRE(all.status == 200);
  const auto body = parse(all.body).as_object();
  CHECK(body.at("items").as_array().size() == 12);
  CHECK(body.at("next_cursor").is_null());
  const auto& first = body.at("items").as_array()[0].as_object();
  for (const char* k : {"id", "reference", "kind", "channel", "status", "unit", "assignee", "priority", "tags", "category",
                        "received_at", "updated_at", "first_response_at", "closed_at", "version", "routing"}) {
    CAPTURE(k);
    CHECK(first.contains(k));
  }
  CHECK_FALSE(first.contains("messages"));
  CHECK_FALSE(first.contains("citizen"));
  CHECK(first.at("routing").at("reason").is_string());

  // Clerks: their unit only; asking for another unit is an empty list.
  CHECK(api.list_ids("", api.tiefbau) == std::vector<std::int64_t>{pothole.at("id").as_int64()});
  CHECK(api.list_ids("?unit=buergerservice", api.tiefbau).empty());
  CHECK(api.list_ids("?unit=stadtreinigung", api.office) == std::vector<std::int64_t>{rubbish.at("id").as_int64()});
  CHECK(api.list_ids("?channel=letter,email", api.office).size() == 2);
  CHECK(api.list_ids("?status=new&kind=message", api.admin).size() == 12);
  CHECK(api.list_ids("?status=closed", api.admin).empty());
  // German stemming: the plural "Schlaglöcher" and the singular "Schlagloch" share the stem.
  CHECK(api.list_ids("?q=Schlagloch", api.office) == std::vector<std::int64_t>{pothole.at("id").as_int64()});
  CHECK(api.list_ids("?q=Hinterh%C3%B6fe", api.office) == std::vector<std::int64_t>{rubbish.at("id").as_int64()});
  CHECK(api.list_ids("?q=Schlagloch+-Bismarckstra%C3%9Fe", api.office).empty());
  CHECK(api.list_ids("?received_from=2000-01-01T00:00:00Z&received_to=2001-01-01T00:00:00Z", api.office).empty());

  // Pages of 5 (newest first) and of 4 (oldest first): every Anliegen once.
  for (const std::string sort : {"", "&sort=received_at"}) {
    std::vector<std::int64_t> seen;
    std::string cursor;
    for (int n = 0; n < 10; ++n) {
      auto r = api.get("/api/v1/cases?limit=" + std::string(sort.empty() ? "5" : "4") + sort +
                           (cursor.empty() ? "" : "&cursor=" + cursor),
                       api.office);
      REQUIRE_MESSAGE(r.status == 200, r.body);
      auto page = parse(r.body).as_object();
      for (const auto& i : page.at("items").as_array()) seen.push_back(i.at("id").as_int64());
      if (page.at("next_cursor").is_null()) break;
      cursor = std::string(page.at("next_cursor").as_string());
    }
    CAPTURE(sort);
    CHECK(seen.size() == 12);
    CHECK(std::set<std::int64_t>(seen.begin(), seen.end()).size() == 12);
    CHECK(std::is_sorted(seen.begin(), seen.end(), [&](auto a, auto b) { return sort.empty() ? a > b : a < b; }));
  }

  auto bad = api.get("/api/v1/cases?limit=500&status=open&colour=red&cursor=xyz&received_from=gestern", api.office);
  check_problem(bad, 422);
  for (const char* f : {"limit", "status", "colour", "cursor", "received_from"}) {
    CAPTURE(f);
    CHECK(error_fields(bad).count(f) == 1);
  }
  check_problem(api.get("/api/v1/cases?limit=1&limit=2", api.office), 422);
  const auto both = api.get("/api/v1/cases?cursor=abc&next_cursor=abc", api.office);
  check_problem(both, 422);
  CHECK(error_fields(both).count("next_cursor") == 1);

  // What else this citizen wrote on the channel.
  const auto again = api.create(R"({"channel":"email","text":"Noch eine Frage","citizen":{"email":"a@example.org"}})");
  const auto full = parse(api.get("/api/v1/cases/" + std::to_string(callback.at("id").as_int64()), api.office).body);
  const auto citizen = std::to_string(full.at("citizen").at("id").as_int64());
  CHECK(api.list_ids("?citizen=" + citizen, api.office) ==
        std::vector<std::int64_t>{again.at("id").as_int64(), callback.at("id").as_int64()});
  CHECK(api.list_ids("?citizen=" + citizen, api.tiefbau).empty());
  check_problem(api.get("/api/v1/cases?citizen=Erika", api.office), 422);
}

TEST_CASE("GET /cases: dates with an unencoded '+' in the offset; a malformed query is 422, never ignored") {
  CaseApi api;
  const auto c = api.create(R"({"channel":"phone","text":"Laterne defekt"})");
  const std::vector<std::int64_t> just_c{c.at("id").as_int64()};
  CHECK(api.list_ids("?received_from=2020-01-01T00:00:00+01:00", api.office) == just_c);
  CHECK(api.list_ids("?received_from=2020-01-01T00:00:00+0100", api.office) == just_c);
  CHECK(api.list_ids("?received_from=2020-01-01T00:00:00%2B01:00", api.office) == just_c);
  CHECK(api.list_ids("?received_to=2020-01-01T00:00:00+01:00", api.office).empty());
  CHECK(api.list_ids("?received_from=2020-01-01T00:00:00-01:00", api.office) == just_c);
  for (const std::string bad : {"?received_from=2020-01-01T00:00:00++01:00", "?received_to=2020-01-01T00:00:00+1:00",
                                "?received_from=2020-01-01T00:00:00", "?q=%FF", "?status=new%FF"}) {
    CAPTURE(bad);
    check_problem(api.get("/api/v1/cases" + bad, api.office), 422);
  }

}

TEST_CASE("PATCH /cases/{id}: status machine, If-Match, fields, validation and audit") {
  CaseApi api;
  const auto c = api.create(R"({"channel":"phone","text":"Schlagloch vor der Schule"})");
  const auto where = api.path(c);
  auto r = api.patch(where, R"({"status":"in_progress","assignee":"Frau Beispiel","priority":"urgent","tags":["schule"]})",
                     api.tiefbau, "\"1\"");
  REQUIRE_MESSAGE(r.status == 200, r.body);
  CHECK(r.header("etag") == "\"2\"");
  auto a = parse(r.body).as_object();
  CHECK(a.at("status") == "in_progress");
  CHECK(a.at("assignee") == "Frau Beispiel");
  CHECK(a.at("priority") == "urgent");
  CHECK(a.at("tags").as_array() == boost::json::array{"schule"});
  CHECK(a.at("version").as_int64() == 2);

  check_problem(api.patch(where, R"({"status":"closed"})", api.tiefbau, "\"1\""), 412);
  auto refused = api.patch(where, R"({"status":"new"})", api.office);
  check_problem(refused, 409);
  CHECK(std::string(parse(refused.body).at("detail").as_string()).find("never returns to 'new'") != std::string::npos);

  r = api.patch(where, R"({"status":"closed"})", api.office, "\"2\"");
  REQUIRE(r.status == 200);
  CHECK(parse(r.body).at("closed_at").is_string());
  r = api.patch(where, R"({"status":"in_progress","assignee":""})", api.office);  // without If-Match: current version
  REQUIRE(r.status == 200);
  CHECK(parse(r.body).at("closed_at").is_null());
  CHECK(parse(r.body).at("assignee") == "");
  CHECK(r.header("etag") == "\"4\"");
  CHECK(api.get(where, api.office).header("etag") == "\"4\"");

  auto invalid = api.patch(where, R"({"status":"done","colour":"red","assignee":")" + std::string(201, 'x') +
                                      R"(","tags":["ok",")" + std::string(51, 't') + R"("],"priority":7,"reason":"x"})",
                           api.office);
  check_problem(invalid, 422);
  for (const char* f : {"status", "colour", "assignee", "tags", "priority", "reason"}) {
    CAPTURE(f);
    CHECK(error_fields(invalid).count(f) == 1);
  }
  check_problem(api.patch(where, "{}", api.office), 422);
  check_problem(api.patch(where, R"({"status":)", api.office), 400);
  check_problem(api.patch("/api/v1/cases/999999", R"({"status":"closed"})", api.office), 404);
  // Another unit's clerk: as if it did not exist.
  check_problem(api.patch(where, R"({"assignee":"x"})", api.buergerservice), 404);
  check_problem(api.get(where, api.buergerservice), 404);
  CHECK(api.db.scalar("SELECT version FROM anliegen WHERE id = " + std::to_string(c.at("id").as_int64())) == "4");

  auto events = api.get(where + "/events", api.tiefbau);
  REQUIRE(events.status == 200);
  auto list = parse(events.body).as_array();
  REQUIRE(list.size() == 4);  // created + three updates
  CHECK(list[0].at("type") == "created");
  CHECK(list[1].at("type") == "updated");
  CHECK(list[1].at("data").at("status").at("old") == "new");
  CHECK(list[1].at("data").at("status").at("new") == "in_progress");
  CHECK(list[1].at("data").at("assignee").at("new") == "Frau Beispiel");
  CHECK(std::string(list[1].at("actor").as_string()).starts_with("token:"));
  CHECK(list[1].at("at").is_string());
  check_problem(api.get(where + "/events", api.buergerservice), 404);
  check_problem(api.get(where + "/events"), 401);
}

TEST_CASE("forwarding needs a reason and an active unit, is recorded, and the clerk loses sight of it") {
  CaseApi api;
  const auto c = api.create(R"({"channel":"phone","text":"Schlagloch, daneben ein kranker Baum"})");
  const auto where = api.path(c);
  REQUIRE(c.at("unit") == "tiefbau");
  auto no_reason = api.patch(where, R"({"unit":"gruen"})", api.tiefbau);
  check_problem(no_reason, 422);
  CHECK(error_fields(no_reason).count("reason") == 1);
  auto unknown = api.patch(where, R"({"unit":"gibtsnicht","reason":"x"})", api.tiefbau);
  check_problem(unknown, 422);
  CHECK(error_fields(unknown).count("unit") == 1);
  api.patch(where, R"({"assignee":"Herr Tief"})", api.tiefbau);

  auto r = api.patch(where, R"({"unit":"gruen","reason":"Baum betrifft Grünflächen"})", api.tiefbau);
  REQUIRE_MESSAGE(r.status == 200, r.body);
  auto a = parse(r.body).as_object();
  CHECK(a.at("unit") == "gruen");
  CHECK(a.at("assignee") == "");
  CHECK(std::string(a.at("routing").at("reason").as_string()).find("Baum betrifft Grünflächen") != std::string::npos);
  CHECK(a.at("routing").at("unit") == "gruen");
  check_problem(api.get(where, api.tiefbau), 404);
  check_problem(api.patch(where, R"({"unit":"tiefbau","reason":"zurück"})", api.tiefbau), 404);
  const auto id = std::to_string(c.at("id").as_int64());
  CHECK(api.db.scalar("SELECT count(*) FROM routing_decisions WHERE anliegen_id = " + id) == "2");
  CHECK(api.db.scalar("SELECT actor FROM routing_decisions WHERE anliegen_id = " + id + " ORDER BY id DESC LIMIT 1")
            .starts_with("token:"));

  auto events = parse(api.get(where + "/events", api.office).body).as_array();
  const auto& fwd = events.back().as_object();
  CHECK(fwd.at("type") == "forwarded");
  CHECK(fwd.at("data").at("unit").at("old") == "tiefbau");
  CHECK(fwd.at("data").at("unit").at("new") == "gruen");
  CHECK(fwd.at("data").at("reason") == "Baum betrifft Grünflächen");
  CHECK(fwd.at("data").at("assignee").at("old") == "Herr Tief");
}

TEST_CASE("concurrent PATCHes with the same ETag: exactly one wins") {
  CaseApi api;
  const auto where = api.path(api.create(R"({"channel":"phone","text":"Schlagloch"})"));
  std::atomic<int> ok{0}, stale{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto r = api.patch(where, R"({"assignee":"Bearbeiter )" + std::to_string(i) + "\"}", api.office, "\"1\"");
      (r.status == 200 ? ok : r.status == 412 ? stale : other)++;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 1);
  CHECK(stale == 7);
  CHECK(other == 0);
  CHECK(api.get(where, api.office).header("etag") == "\"2\"");
}

TEST_CASE("notes are internal, audited, and limited to the own unit; units list open counts") {
  CaseApi api;
  const auto c = api.create(R"({"channel":"phone","text":"Schlagloch"})");
  const auto where = api.path(c);
  auto r = api.send_json("POST", where + "/notes", R"({"text":"Rückruf vereinbart"})", api.tiefbau);
  REQUIRE_MESSAGE(r.status == 201, r.body);
  auto note = parse(r.body).as_object();
  CHECK(note.at("direction") == "internal");
  CHECK(note.at("text") == "Rückruf vereinbart");
  CHECK(note.at("id").is_int64());
  CHECK_FALSE(std::string(note.at("author").as_string()).empty());
  auto a = parse(api.get(where, api.office).body).as_object();
  REQUIRE(a.at("messages").as_array().size() == 2);
  CHECK(a.at("messages").as_array()[1].at("direction") == "internal");
  CHECK(a.at("flags").is_array());
  CHECK(api.list_ids("?q=R%C3%BCckruf", api.office) == std::vector<std::int64_t>{c.at("id").as_int64()});
  CHECK(parse(api.get(where + "/events", api.office).body).as_array().back().at("type") == "note_added");

  check_problem(api.send_json("POST", where + "/notes", R"({"text":"fremd"})", api.buergerservice), 404);
  check_problem(api.send_json("POST", where + "/notes", R"({"text":""})", api.tiefbau), 422);
  check_problem(api.send_json("POST", where + "/notes", R"({"text":"x","internal":true})", api.tiefbau), 422);
  check_problem(api.send_json("POST", where + "/notes", R"({"text":")" + std::string(10001, 'a') + "\"}", api.tiefbau),
                422);
  check_problem(api.send_json("POST", "/api/v1/cases/424242/notes", R"({"text":"x"})", api.office), 404);
  CHECK(api.db.scalar("SELECT count(*) FROM messages WHERE direction = 'internal'") == "1");

  for (const auto& token : {api.office, api.admin, api.tiefbau}) {
    auto units = api.get("/api/v1/units", token);
    REQUIRE(units.status == 200);
    bool found = false;
    const auto doc = parse(units.body);
    for (const auto& u : doc.as_array()) {
      if (u.at("code") == "tiefbau") {
        found = true;
        CHECK(u.at("open").as_int64() == 1);
        CHECK(u.at("active").as_bool());
        CHECK(u.at("target_days").as_int64() == 10);
        CHECK(u.at("name").is_string());
        CHECK(u.at("contact").is_string());
      }
    }
    CHECK(found);
  }
  check_problem(api.get("/api/v1/units"), 401);
}

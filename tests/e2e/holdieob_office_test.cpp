// The OB office's side of holdieob end to end: the month's ranking, decisions (validation, the signed
// invitation.decided callback retried until holdieob accepts it, whatever it answers), and the
// iCalendar feed parsed back by ical.js.
#include <doctest/doctest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include "channels/crypto.hpp"
#include "holdieob_support.hpp"

using namespace anliegen::testing;
namespace hb = anliegen::channels::holdieob;
namespace json = boost::json;

namespace {

std::vector<std::string> references(const HttpResponse& r, const HoldieobGateway& h) {
  std::vector<std::string> ids;
  const auto doc = json::parse(r.body);
  for (const auto& item : doc.at("items").as_array()) {
    ids.push_back(h.sql("SELECT external_id FROM invitations WHERE anliegen_id = " +
                        std::to_string(item.at("anliegen_id").as_int64())));
  }
  return ids;
}

// Runs node on tests/calendar/parse_ics.mjs and returns what ical.js made of `ics`.
json::value parse_with_ical_js(const std::string& ics) {
  const auto path = std::filesystem::temp_directory_path() / ("anliegen-ob-" + std::to_string(::getpid()) + ".ics");
  {
    std::ofstream out(path, std::ios::binary);
    out << ics;
  }
  const std::string cmd = std::string(ANLIEGEN_NODE_BINARY) + " " + ANLIEGEN_SOURCE_DIR +
                          "/tests/calendar/parse_ics.mjs " + path.string() + " 2>&1";
  std::string output;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) output.append(buf, n);
    const int status = ::pclose(p);
    std::filesystem::remove(path);
    INFO(output);
    REQUIRE(status == 0);
  } else {
    FAIL("cannot run node");
  }
  return json::parse(output);
}

}  // namespace

TEST_CASE("GET /invitations: the month's invitations in Berlin time, ranked by supporters; office and admin only") {
  HoldieobGateway h;
  REQUIRE(h.send(created_event("inv-a", "2026-11-02T10:00:00+01:00", "A")).status == 200);
  REQUIRE(h.send(created_event("inv-b", "2026-11-03T10:00:00+01:00", "B")).status == 200);
  REQUIRE(h.send(created_event("inv-c", "2026-11-01T00:30:00+01:00", "C")).status == 200);  // Oct 31 in UTC
  REQUIRE(h.send(created_event("inv-d", "2026-12-01T00:30:00+01:00", "D")).status == 200);  // Nov 30 in UTC
  REQUIRE(h.send(created_event("inv-e", "2026-11-04T10:00:00+01:00", "E")).status == 200);
  CHECK(h.send(supported_event("inv-b", 70, "2026-11-05T10:00:00+01:00")).status == 200);
  CHECK(h.send(supported_event("inv-e", 12, "2026-11-05T10:00:00+01:00")).status == 200);
  CHECK(h.send(supported_event("inv-a", 12, "2026-11-05T10:00:00+01:00")).status == 200);

  auto r = h.gw->get("/api/v1/invitations?month=2026-11", h.office);
  REQUIRE(r.status == 200);
  // b (70), then a and e (12, a created first), then c (0).
  CHECK(references(r, h) == std::vector<std::string>{"inv-b", "inv-a", "inv-e", "inv-c"});
  const auto first = json::parse(r.body).at("items").at(0);
  CHECK(first.at("rank").as_int64() == 1);
  CHECK(first.at("supporters").as_int64() == 70);
  CHECK(first.at("threshold_reached") == true);
  CHECK(first.at("status") == "new");
  CHECK(first.at("decision").is_null());
  CHECK(first.at("reference").as_string().starts_with("A-2026-"));
  CHECK(json::parse(r.body).at("threshold").as_int64() == 50);
  CHECK(references(h.gw->get("/api/v1/invitations?month=2026-12", h.admin), h) == std::vector<std::string>{"inv-d"});
  CHECK(json::parse(h.gw->get("/api/v1/invitations?month=2025-01", h.office).body).at("items").as_array().empty());

  check_problem(h.gw->get("/api/v1/invitations?month=2026-11", h.clerk), 403);
  check_problem(h.gw->get("/api/v1/invitations?month=2026-11"), 401);
  check_problem(h.gw->get("/api/v1/invitations", h.office), 422);
  check_problem(h.gw->get("/api/v1/invitations?month=2026-13", h.office), 422);
  check_problem(h.gw->get("/api/v1/invitations?month=11-2026", h.office), 422);
  check_problem(h.gw->get("/api/v1/invitations?month=2026-11&month=2026-12", h.office), 422);
  check_problem(h.gw->get("/api/v1/invitations?month=2026-11&sort=title", h.office), 422);
}

TEST_CASE("POST /cases/{id}/decision: validation and refusals change nothing") {
  HoldieobGateway h;
  REQUIRE(h.send(created_event("inv-v", "2026-11-20T10:00:00+01:00", "Validierung")).status == 200);
  const auto id = h.case_of("inv-v");
  const auto where = "/api/v1/cases/" + id + "/decision";
  check_problem(h.gw->send_json("POST", where, R"({"decision":"accepted"})", h.office), 422);
  check_problem(h.gw->send_json("POST", where, R"({"decision":"accepted","visit_at":"2026-12-10T14:00:00"})", h.office), 422);
  check_problem(h.gw->send_json("POST", where, R"({"decision":"declined","visit_at":"2026-12-10T14:00:00+01:00"})", h.office), 422);
  check_problem(h.gw->send_json("POST", where, R"({"decision":"maybe"})", h.office), 422);
  check_problem(h.gw->send_json("POST", where, R"({"decision":"declined","colour":"red"})", h.office), 422);
  check_problem(h.gw->send_json("POST", where, "{", h.office), 400);
  check_problem(h.gw->send_json("POST", where, R"({"decision":"declined"})", h.clerk), 403);
  check_problem(h.gw->send_json("POST", where, R"({"decision":"declined"})"), 401);
  check_problem(h.gw->send_json("POST", "/api/v1/cases/999999/decision", R"({"decision":"declined"})", h.office), 404);

  // Not an invitation: a letter taken down by staff.
  const auto letter = h.gw->send_json(
      "POST", "/api/v1/cases",
      R"({"channel":"letter","text":"Bitte um einen Besuch","citizen":{"name":"Hans"}})", h.office);
  REQUIRE(letter.status == 201);
  const auto letter_id = std::to_string(json::parse(letter.body).at("id").as_int64());
  check_problem(h.gw->send_json("POST", "/api/v1/cases/" + letter_id + "/decision", R"({"decision":"declined"})", h.office), 409);

  // Withdrawn invitations cannot be decided.
  REQUIRE(h.send(created_event("inv-x", "2026-11-20T10:00:00+01:00", "Weg")).status == 200);
  REQUIRE(h.send(withdrawn_event("inv-x", "2026-11-21T10:00:00+01:00")).status == 200);
  check_problem(h.gw->send_json("POST", "/api/v1/cases/" + h.case_of("inv-x") + "/decision",
                                R"({"decision":"declined"})", h.office),
                409);
  // An invitation takes no reply, though holdieob is configured: the office decides instead.
  const auto reply = h.gw->send_json("POST", "/api/v1/cases/" + id + "/replies", R"({"text":"Gern!"})", h.office);
  check_problem(reply, 409);
  const std::string detail(json::parse(reply.body).at("detail").as_string());
  CHECK(detail.find("not connected") == std::string::npos);
  CHECK(detail.find("/api/v1/cases/{id}/decision") != std::string::npos);
  CHECK(h.sql("SELECT count(*) FROM messages WHERE direction = 'outbound'") == "0");
  CHECK(h.sql("SELECT count(*) FROM invitations WHERE decision IS NOT NULL") == "0");
  CHECK(h.sql("SELECT count(*) FROM outbox") == "0");
}

TEST_CASE("POST /cases/{id}/decision: accepted, closed, and the signed callback retried until holdieob takes it") {
  HoldieobGateway h;
  REQUIRE(h.send(created_event("inv-ok", "2026-11-20T10:00:00+01:00", "Sommerfest")).status == 200);
  const auto id = h.case_of("inv-ok");
  h.platform.fail_next(2, 500, kCallbackPath);
  const auto r = h.gw->send_json(
      "POST", "/api/v1/cases/" + id + "/decision",
      R"({"decision":"accepted","visit_at":"2026-12-10T14:00:00+01:00","message":"Die Oberbürgermeisterin kommt gern."})",
      h.office);
  REQUIRE(r.status == 202);
  const auto c = json::parse(r.body);
  CHECK(c.at("status") == "closed");
  CHECK(c.at("invitation").at("decision") == "accepted");
  CHECK(c.at("invitation").at("visit_at") == "2026-12-10T13:00:00.000Z");
  CHECK(c.at("messages").as_array().back().at("text") == "Die Oberbürgermeisterin kommt gern.");
  CHECK(h.sql("SELECT count(*) FROM audit_events WHERE type = 'invitation_decided'") == "1");

  // Decided once only.
  check_problem(h.gw->send_json("POST", "/api/v1/cases/" + id + "/decision", R"({"decision":"declined"})", h.office), 409);

  REQUIRE(h.platform.wait_for(3, kCallbackPath));
  const auto seen = h.platform.requests(kCallbackPath);
  REQUIRE(seen.size() >= 3);
  CHECK(seen[0].answered_status == 500);
  CHECK(seen[1].answered_status == 500);
  CHECK(seen[2].answered_status == 200);
  for (const auto& req : seen) {
    const std::vector<std::string> secret{kHoldieobSecret};
    CHECK(hb::verify_signature(req.body, req.header("x-holdieob-signature"), secret) == hb::SignatureResult::ok);
    CHECK(req.header("x-holdieob-signature").starts_with("sha256="));
    CHECK(req.body == seen[0].body);  // the same event every time
  }
  const auto event = json::parse(seen[2].body);
  CHECK(event.at("type") == "invitation.decided");
  CHECK(event.at("id") == "inv-ok");
  CHECK(event.at("decision") == "accepted");
  CHECK(event.at("visit_at") == "2026-12-10T14:00:00+01:00");
  CHECK(event.at("message") == "Die Oberbürgermeisterin kommt gern.");
  CHECK(event.at("decided_at").is_string());
  REQUIRE(eventually([&] { return h.sql("SELECT state FROM outbox") == "done"; }));
  CHECK(h.sql("SELECT attempts FROM outbox") == "3");
  CHECK(h.sql("SELECT delivery_status FROM messages WHERE direction = 'outbound'") == "accepted");
}

TEST_CASE("POST /cases/{id}/decision: a 4xx from holdieob (its secret being rotated) is retried until accepted") {
  HoldieobGateway h;
  REQUIRE(h.send(created_event("inv-no", "2026-11-20T10:00:00+01:00", "Absage")).status == 200);
  const auto id = h.case_of("inv-no");
  h.platform.fail_next(2, 401, kCallbackPath);
  const auto r = h.gw->send_json("POST", "/api/v1/cases/" + id + "/decision",
                                 R"({"decision":"declined","message":"Leider ausgebucht."})", h.office);
  REQUIRE(r.status == 202);
  CHECK(json::parse(r.body).at("invitation").at("decision") == "declined");
  REQUIRE(eventually([&] { return h.sql("SELECT state FROM outbox") == "done"; }));
  const auto seen = h.platform.requests(kCallbackPath);
  REQUIRE(seen.size() == 3);
  CHECK(seen[0].answered_status == 401);
  CHECK(seen[1].answered_status == 401);
  CHECK(seen[2].answered_status == 200);
  const auto c = h.get_case(id);
  CHECK(c.at("messages").as_array().back().at("delivery_status") == "accepted");
  const auto event = json::parse(seen[0].body);
  CHECK(event.at("visit_at").is_null());
}

TEST_CASE("GET /calendar/ob.ics: accepted visits and Sprechstunden as iCalendar that ical.js reads") {
  HoldieobGateway h;
  REQUIRE(h.send(holdieob_fixture("created.json")).status == 200);
  REQUIRE(h.send(created_event("inv-open", "2026-11-21T10:00:00+01:00", "Noch offen")).status == 200);
  const auto id = h.case_of("inv-123");
  REQUIRE(h.gw->send_json("POST", "/api/v1/cases/" + id + "/decision",
                          R"({"decision":"accepted","visit_at":"2026-12-10T14:00:00+01:00"})", h.office)
              .status == 202);
  REQUIRE(h.gw->send_json("POST", "/api/v1/sprechstunden",
                          R"({"channel":"whatsapp","starts_at":"2027-06-02T16:00:00+02:00","ends_at":"2027-06-02T17:00:00+02:00","title":"WhatsApp-Sprechstunde"})",
                          h.office)
              .status == 201);

  check_problem(h.gw->get("/api/v1/calendar/ob.ics", h.clerk), 403);
  check_problem(h.gw->get("/api/v1/calendar/ob.ics"), 401);
  check_problem(h.gw->get("/api/v1/calendar/ob.ics?token=" + h.office), 401);
  CHECK(h.gw->get("/api/v1/calendar/ob.ics", h.admin).status == 200);
  // Thunderbird sends the token as the password of HTTP Basic; a 401 offers that scheme.
  const auto basic = [&](const std::string& user_password) {
    return http_request(h.gw->port(), "GET", "/api/v1/calendar/ob.ics", "",
                        {{"Authorization", "Basic " + anliegen::channels::to_base64(user_password)}});
  };
  CHECK(basic("kalender:" + h.office).status == 200);
  CHECK(basic(":" + h.office).status == 200);
  check_problem(basic("kalender:anl_not-a-token"), 401);
  check_problem(basic(h.office), 401);  // no user:password pair
  CHECK(h.gw->get("/api/v1/calendar/ob.ics").header("www-authenticate").find("Basic realm=") != std::string::npos);
  const auto r = h.gw->get("/api/v1/calendar/ob.ics", h.office);
  REQUIRE(r.status == 200);
  CHECK(r.header("content-type") == "text/calendar; charset=utf-8");
  CHECK(r.body.find("Erika") == std::string::npos);
  CHECK(r.body.find("erika@example.org") == std::string::npos);
  CHECK(r.body.find("Noch offen") == std::string::npos);
  // CRLF everywhere, no physical line longer than 75 octets.
  std::size_t pos = 0;
  while (pos < r.body.size()) {
    const auto end = r.body.find("\r\n", pos);
    REQUIRE(end != std::string::npos);
    CHECK(end - pos <= 75);
    CHECK(r.body.substr(pos, end - pos).find('\n') == std::string::npos);
    pos = end + 2;
  }

  const auto cal = parse_with_ical_js(r.body);
  CHECK(cal.at("version") == "2.0");
  CHECK(cal.at("method") == "PUBLISH");
  CHECK(cal.at("calscale") == "GREGORIAN");
  CHECK(cal.at("name").is_string());
  CHECK(cal.at("timezones") == json::array{"Europe/Berlin"});
  const auto& events = cal.at("events").as_array();
  REQUIRE(events.size() == 2);
  const auto& visit = events[0];
  CHECK(visit.at("uid").as_string() == ("invitation-" + id + "@anliegen.test"));
  CHECK(visit.at("summary") == "Besuch: Einweihung des Spielplatzes, Hemshof");
  CHECK(visit.at("location") == "Goetheplatz 1, 67059 Ludwigshafen");
  CHECK(visit.at("start") == "2026-12-10T13:00:00.000Z");
  CHECK(visit.at("end") == "2026-12-10T14:00:00.000Z");
  CHECK(visit.at("tzid") == "Europe/Berlin");
  const auto& hour = events[1];
  CHECK(std::string(hour.at("uid").as_string()).starts_with("sprechstunde-"));
  CHECK(hour.at("start") == "2027-06-02T14:00:00.000Z");  // summer time
  CHECK(hour.at("end") == "2027-06-02T15:00:00.000Z");
  // Stable UIDs: a second fetch names the same events.
  const auto again = parse_with_ical_js(h.gw->get("/api/v1/calendar/ob.ics", h.office).body);
  CHECK(again.at("events").at(0).at("uid") == visit.at("uid"));
}

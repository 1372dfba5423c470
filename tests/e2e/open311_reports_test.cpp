// What the Mängelmelder does with reports behind the Open311 wire format: duplicate links at the radius
// boundary, merging confirmed duplicates (and what both reporters then see), released photos, and
// media_url downloads that never reach private addresses unless allowed.
#include <doctest/doctest.h>

#include <chrono>
#include <thread>

#include "fake_platform.hpp"
#include "open311_support.hpp"

using namespace anliegen::testing;
namespace json = boost::json;

namespace {

std::string coordinate(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9f", v);
  return buf;
}

// Posts a report and returns the Anliegen id.
std::string report(const RunningGateway& gw, const std::string& service, double lat, double lon,
                   const std::string& extra = "") {
  const auto r = post_form(gw, "/open311/v2/requests.json",
                           "api_key=" + kApiKey + "&service_code=" + service + "&lat=" + coordinate(lat) +
                               "&long=" + coordinate(lon) + extra);
  REQUIRE(r.status == 200);
  const std::string reference(json::parse(r.body).as_array()[0].at("service_request_id").as_string());
  return gw.db.scalar("SELECT id FROM anliegen WHERE reference = '" + reference + "'");
}

std::string reference_of(const RunningGateway& gw, const std::string& id) {
  return gw.db.scalar("SELECT reference FROM anliegen WHERE id = " + id);
}

json::value case_json(const RunningGateway& gw, const std::string& id, const std::string& token) {
  const auto r = gw.get("/api/v1/cases/" + id, token);
  REQUIRE(r.status == 200);
  return json::parse(r.body);
}

// Waits until the attachment of a case has left the state `pending`.
std::string settled_state(const RunningGateway& gw, const std::string& case_id) {
  const std::string sql = "SELECT t.state FROM attachments t JOIN messages m ON m.id = t.message_id "
                          "WHERE m.anliegen_id = " + case_id;
  for (int i = 0; i < 200; ++i) {
    const auto state = gw.db.scalar(sql);
    if (state != "pending") return state;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return "pending";
}

// An Anliegen taken down by the office (POST /api/v1/cases), then moved to `unit`; returns its id.
std::string taken_down(const RunningGateway& gw, const std::string& body, const std::string& unit,
                       const std::string& office) {
  const auto r = gw.send_json("POST", "/api/v1/cases", body, office);
  REQUIRE(r.status == 201);
  const auto id = std::to_string(json::parse(r.body).at("id").as_int64());
  if (gw.db.scalar("SELECT unit_code FROM anliegen WHERE id = " + id) != unit) {
    REQUIRE(gw.send_json("PATCH", "/api/v1/cases/" + id, R"({"unit":")" + unit + R"(","reason":"Test"})", office).status ==
            200);
  }
  return id;
}

constexpr double kLat = 49.4812;
constexpr double kLon = 8.4460;
const std::string kSurface = "&attribute%5Bsurface%5D=road";

}  // namespace

TEST_CASE("duplicates: an open report of the same category within the radius, just inside and just outside") {
  RunningGateway gw(open311_env());
  const auto office = create_token(gw.db.dsn(), "office");
  const auto first = report(gw, "pothole", kLat, kLon, kSurface);
  const auto inside = report(gw, "pothole", kLat + metres_to_lat(29.5), kLon, kSurface);
  const auto outside = report(gw, "pothole", kLat - metres_to_lat(30.5), kLon, kSurface);
  const auto other_category = report(gw, "graffiti", kLat, kLon);
  CHECK(case_json(gw, first, office).at("possible_duplicate_of").is_null());
  CHECK(case_json(gw, inside, office).at("possible_duplicate_of").as_int64() == std::stoll(first));
  CHECK(case_json(gw, outside, office).at("possible_duplicate_of").is_null());
  CHECK(case_json(gw, other_category, office).at("possible_duplicate_of").is_null());
  // A closed report is no longer a candidate.
  REQUIRE(gw.send_json("PATCH", "/api/v1/cases/" + first, R"({"status":"closed"})", office).status == 200);
  const auto later = report(gw, "pothole", kLat, kLon + 0.00001, kSurface);
  CHECK(case_json(gw, later, office).at("possible_duplicate_of").as_int64() == std::stoll(inside));
}

TEST_CASE("the radius is configurable with OPEN311_DUPLICATE_RADIUS_M") {
  RunningGateway gw(open311_env({{"OPEN311_DUPLICATE_RADIUS_M", "100"}}));
  const auto office = create_token(gw.db.dsn(), "office");
  const auto first = report(gw, "graffiti", kLat, kLon);
  const auto near = report(gw, "graffiti", kLat + metres_to_lat(90), kLon);
  CHECK(case_json(gw, near, office).at("possible_duplicate_of").as_int64() == std::stoll(first));
}

TEST_CASE("merging a duplicate: validation, closing with a link, and both reporters see the target's news") {
  RunningGateway gw(open311_env());
  const auto office = create_token(gw.db.dsn(), "office");
  const auto clerk = create_token(gw.db.dsn(), "clerk", "tiefbau");
  const auto stranger = create_token(gw.db.dsn(), "clerk", "gruen");
  const auto target = report(gw, "pothole", kLat, kLon, kSurface);
  const auto dup = report(gw, "pothole", kLat + metres_to_lat(10), kLon, kSurface);
  const auto third = report(gw, "pothole", kLat + metres_to_lat(500), kLon, kSurface);
  const auto merge = [&](const std::string& id, const std::string& body, const std::string& token) {
    return gw.send_json("POST", "/api/v1/cases/" + id + "/merge", body, token);
  };
  check_problem(merge(dup, R"({"into":)" + dup + "}", clerk), 422);
  check_problem(merge(dup, R"({"into":999999})", clerk), 422);
  check_problem(merge(dup, R"({"into":"x"})", clerk), 422);
  check_problem(merge(dup, R"({})", clerk), 422);
  check_problem(merge(dup, R"({"into":)" + target + "}", stranger), 404);
  check_problem(merge("999999", R"({"into":)" + target + "}", clerk), 404);

  const auto merged = merge(dup, R"({"into":)" + target + "}", clerk);
  REQUIRE(merged.status == 200);
  const auto c = json::parse(merged.body);
  CHECK(c.at("status") == "closed");
  CHECK(c.at("merged_into").as_int64() == std::stoll(target));
  check_problem(merge(dup, R"({"into":)" + third + "}", clerk), 409);    // already merged
  check_problem(merge(third, R"({"into":)" + dup + "}", clerk), 409);    // the target was merged itself
  check_problem(merge(target, R"({"into":)" + dup + "}", clerk), 409);   // would be a cycle
  CHECK(gw.db.scalar("SELECT count(*) FROM audit_events WHERE type = 'merged' AND anliegen_id = " + dup) == "1");
  CHECK(gw.db.scalar("SELECT count(*) FROM audit_events WHERE type = 'merge_received' AND anliegen_id = " + target) == "1");

  // The target is released and answered: the merged report shows its status and reply.
  REQUIRE(gw.send_json("PATCH", "/api/v1/cases/" + target, R"({"public":true})", office).status == 200);
  REQUIRE(gw.send_json("POST", "/api/v1/cases/" + target + "/replies", R"({"text":"Wir kümmern uns."})", clerk).status == 201);
  const auto r = gw.get("/open311/v2/requests/" + reference_of(gw, dup) + ".json");
  REQUIRE(r.status == 200);
  const auto o = json::parse(r.body).as_array()[0].as_object();
  CHECK(o.at("status") == "open");  // the target's status, not the merged one's "closed"
  CHECK(o.at("status_notes") == "Wir kümmern uns.");
  CHECK(o.at("description").is_null());  // its own text stays private until it is released itself
  CHECK(o.at("lat").is_null());
  const auto updates = json::parse(gw.get("/open311/v2/servicerequestupdates.json").body).as_array();
  std::vector<std::string> for_dup;
  for (const auto& u : updates) {
    if (u.at("service_request_id") == reference_of(gw, dup).c_str()) for_dup.emplace_back(u.at("status").as_string());
  }
  // The reply carries the target's status when it was sent: new (FixMyStreet "open").
  CHECK(for_dup == std::vector<std::string>{"duplicate", "open"});
}

TEST_CASE("merging: only defect reports, only into one the caller may see; another Anliegen's replies never go public") {
  RunningGateway gw(open311_env());
  const auto office = create_token(gw.db.dsn(), "office");
  const auto clerk = create_token(gw.db.dsn(), "clerk", "tiefbau");
  const auto released = report(gw, "pothole", kLat, kLon, kSurface);
  REQUIRE(gw.db.scalar("SELECT unit_code FROM anliegen WHERE id = " + released) == "tiefbau");
  REQUIRE(gw.send_json("PATCH", "/api/v1/cases/" + released, R"({"public":true})", office).status == 200);
  // A phone call with Bürgerservice, answered privately; a defect report of another unit; a call with tiefbau.
  const auto call = taken_down(gw, R"({"channel":"phone","text":"Bitte um Rückruf","citizen":{"phone":"+49621555"}})",
                               "buergerservice", office);
  REQUIRE(gw.send_json("POST", "/api/v1/cases/" + call + "/replies", R"({"text":"Private Antwort an Herrn X"})", office)
              .status == 201);
  const auto foreign_report = taken_down(gw, R"({"channel":"phone","kind":"defect_report","text":"Ast auf dem Weg"})",
                                         "gruen", office);
  const auto own_call = taken_down(gw, R"({"channel":"phone","text":"Frage zur Baustelle"})", "tiefbau", office);
  const auto merge = [&](const std::string& id, const std::string& into, const std::string& token) {
    return gw.send_json("POST", "/api/v1/cases/" + id + "/merge", R"({"into":)" + into + "}", token);
  };

  // For the clerk, another unit's Anliegen is exactly like one that does not exist.
  const auto missing = merge(released, "999999", clerk);
  check_problem(missing, 422);
  for (const auto& other : {call, foreign_report}) {
    CAPTURE(other);
    const auto r = merge(released, other, clerk);
    check_problem(r, 422);
    CHECK(json::parse(r.body).at("errors") == json::parse(missing.body).at("errors"));
    CHECK(json::parse(r.body).at("detail") == json::parse(missing.body).at("detail"));
  }
  // Only defect reports are merged: not into another kind, and no other kind into one.
  const auto into_call = merge(released, call, office);
  check_problem(into_call, 422);
  const auto errors = json::parse(into_call.body).at("errors").as_array();
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].at("field") == "into");
  CHECK(std::string(errors[0].at("message").as_string()).find("defect report") != std::string::npos);
  check_problem(merge(own_call, released, clerk), 409);
  check_problem(merge(call, released, office), 409);
  CHECK(gw.db.scalar("SELECT count(*) FROM anliegen WHERE merged_into IS NOT NULL") == "0");
  CHECK(gw.db.scalar("SELECT count(*) FROM audit_events WHERE type IN ('merged', 'merge_received')") == "0");

  // So the released report shows nothing of the call.
  const auto r = gw.get("/open311/v2/requests/" + reference_of(gw, released) + ".json");
  REQUIRE(r.status == 200);
  CHECK(json::parse(r.body).as_array()[0].at("status_notes").is_null());
  CHECK(r.body.find("Private Antwort") == std::string::npos);
  CHECK(gw.get("/open311/v2/servicerequestupdates.json").body.find("Private Antwort") == std::string::npos);

  // Only defect reports are released.
  const auto release_call = gw.send_json("PATCH", "/api/v1/cases/" + call, R"({"public":true})", office);
  check_problem(release_call, 422);
  CHECK(json::parse(release_call.body).at("errors").as_array()[0].at("field") == "public");
  CHECK(gw.db.scalar("SELECT public FROM anliegen WHERE id = " + call) == "f");
  CHECK(gw.db.scalar("SELECT count(*) FROM audit_events WHERE type = 'released' AND anliegen_id = " + call) == "0");
  CHECK(gw.send_json("PATCH", "/api/v1/cases/" + call, R"({"public":false})", office).status == 200);

  // The office sees every unit and may merge into another unit's defect report; its reply to the caller
  // (on the phone, not published over Open311) stays private.
  REQUIRE(gw.send_json("POST", "/api/v1/cases/" + foreign_report + "/replies", R"({"text":"Private Antwort 2"})", office)
              .status == 201);
  const auto done = merge(released, foreign_report, office);
  REQUIRE(done.status == 200);
  CHECK(json::parse(done.body).at("merged_into").as_int64() == std::stoll(foreign_report));
  const auto merged = gw.get("/open311/v2/requests/" + reference_of(gw, released) + ".json");
  REQUIRE(merged.status == 200);
  CHECK(json::parse(merged.body).as_array()[0].at("status_notes").is_null());
  CHECK(gw.get("/open311/v2/servicerequestupdates.json").body.find("Private Antwort") == std::string::npos);
}

TEST_CASE("/open311/v2/media serves photos of Open311 requests only, never those of Anliegen from other channels") {
  RunningGateway gw(open311_env());
  const auto office = create_token(gw.db.dsn(), "office");
  // A defect report taken down by phone that holds a stored photo marked public (as a chat photo would be).
  const auto id = taken_down(gw, R"({"channel":"phone","kind":"defect_report","text":"Schlagloch"})", "tiefbau", office);
  const auto photo = gw.db.scalar(
      "INSERT INTO attachments (message_id, kind, mime_type, filename, state, content, public, channel) "
      "SELECT id, 'image', 'image/jpeg', 'loch.jpg', 'stored', '\\xffd8ff'::bytea, true, 'whatsapp' "
      "FROM messages WHERE anliegen_id = " + id + " ORDER BY id LIMIT 1 RETURNING id");
  REQUIRE(!photo.empty());
  REQUIRE(gw.send_json("PATCH", "/api/v1/cases/" + id, R"({"public":true})", office).status == 200);
  REQUIRE(gw.db.scalar("SELECT public FROM anliegen WHERE id = " + id) == "t");
  check_problem(gw.get("/open311/v2/media/" + photo), 404);
}

TEST_CASE("privacy: unreleased requests are 404, photos are public only when the clerk releases them") {
  FakePlatform media;
  media.on("GET", "/photos/", [](const RecordedRequest&) {
    return FakeResponse{200, "image/jpeg", std::string("\xff\xd8\xff", 3) + "loch", {}};
  });
  RunningGateway gw(open311_env({{"ANLIEGEN_FETCH_ALLOW_PRIVATE", "1"}}));
  const auto office = create_token(gw.db.dsn(), "office");
  const auto id = report(gw, "pothole", kLat, kLon,
                         kSurface + "&email=geheim%40example.org&media_url=" + media.base_url() + "%2Fphotos%2F1.jpg");
  const auto reference = reference_of(gw, id);
  REQUIRE(settled_state(gw, id) == "stored");  // fetched, as private addresses are allowed here
  const auto attachment = gw.db.scalar(
      "SELECT t.id FROM attachments t JOIN messages m ON m.id = t.message_id WHERE m.anliegen_id = " + id);
  CHECK(gw.db.scalar("SELECT source_url FROM attachments WHERE id = " + attachment) == media.base_url() + "/photos/1.jpg");

  check_open311_error(gw.get("/open311/v2/requests/" + reference + ".json"), 404, false);
  CHECK(gw.get("/open311/v2/requests.json").body == "[]");
  check_problem(gw.get("/open311/v2/media/" + attachment), 404);
  REQUIRE(gw.send_json("PATCH", "/api/v1/cases/" + id, R"({"public":true})", office).status == 200);
  CHECK(gw.db.scalar("SELECT count(*) FROM audit_events WHERE type = 'released' AND anliegen_id = " + id) == "1");
  {  // released, but the photo is not yet
    const auto r = gw.get("/open311/v2/requests/" + reference + ".json");
    REQUIRE(r.status == 200);
    CHECK(json::parse(r.body).as_array()[0].at("media_url").is_null());
    CHECK(r.body.find("geheim") == std::string::npos);
    check_problem(gw.get("/open311/v2/media/" + attachment), 404);
  }
  check_problem(gw.send_json("PATCH", "/api/v1/attachments/" + attachment, R"({"public":"yes"})", office), 422);
  check_problem(gw.send_json("PATCH", "/api/v1/attachments/999999", R"({"public":true})", office), 404);
  const auto released = gw.send_json("PATCH", "/api/v1/attachments/" + attachment, R"({"public":true})", office);
  REQUIRE(released.status == 200);
  CHECK(json::parse(released.body).at("public") == true);
  {
    const auto r = gw.get("/open311/v2/requests/" + reference + ".xml");
    REQUIRE(r.status == 200);
    const auto url = parse_xml(r.body).get<std::string>("service_requests.request.media_url");
    CHECK(url == "http://127.0.0.1:" + std::to_string(gw.port()) + "/open311/v2/media/" + attachment);
    const auto photo = gw.get("/open311/v2/media/" + attachment);
    REQUIRE(photo.status == 200);
    CHECK(photo.header("content-type") == "image/jpeg");
    CHECK(photo.body == std::string("\xff\xd8\xff", 3) + "loch");
  }
  // Withdrawing the release hides it again.
  REQUIRE(gw.send_json("PATCH", "/api/v1/cases/" + id, R"({"public":false})", office).status == 200);
  check_open311_error(gw.get("/open311/v2/requests/" + reference + ".xml"), 404, true);
  check_problem(gw.get("/open311/v2/media/" + attachment), 404);
  check_problem(gw.send_json("PATCH", "/api/v1/cases/" + id, R"({"expected_at":"Freitag"})", office), 422);
}

TEST_CASE("media_url pointing at a private address is refused and never requested") {
  FakePlatform intranet;
  intranet.on("GET", "/", [](const RecordedRequest&) { return FakeResponse{200, "image/jpeg", "secret", {}}; });
  RunningGateway gw(open311_env());
  const auto id = report(gw, "graffiti", kLat, kLon, "&media_url=" + intranet.base_url() + "%2Fadmin.jpg");
  REQUIRE(settled_state(gw, id) == "failed");
  CHECK(gw.db.scalar("SELECT error FROM attachments t JOIN messages m ON m.id = t.message_id WHERE m.anliegen_id = " + id)
            .find("loopback") != std::string::npos);
  CHECK(intranet.requests("/").empty());
}

// The Open311 endpoint as a city app or FixMyStreet uses it: the conforming client sequence in XML and
// in JSON, every error path in both formats, and the query filters of GET requests.
#include <doctest/doctest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "open311_support.hpp"

using namespace anliegen::testing;
namespace json = boost::json;

namespace {

const std::string kPothole = "api_key=" + kApiKey +
                             "&jurisdiction_id=ludwigshafen.de&service_code=pothole&lat=49.4812&long=8.4460"
                             "&address_string=Rathausplatz+20&description=Tiefes+Loch+%26+Wasser+%3Cgef%C3%A4hrlich%3E"
                             "&first_name=Erika&last_name=Musterfrau&email=erika%40example.org&phone=%2B49621555"
                             "&device_id=device-77&account_id=&attribute%5Bsurface%5D=road"
                             "&attribute%5Bhazards%5D%5B%5D=deep&attribute%5Bhazards%5D%5B%5D=water";

std::string case_id_of(const RunningGateway& gw, const std::string& reference) {
  return gw.db.scalar("SELECT id FROM anliegen WHERE reference = '" + reference + "'");
}

// "YYYY-MM-DDT00:00:00<offset>" for the UTC day `days` days from today.
std::string midnight(int days, const std::string& offset) {
  const auto day = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now()) + std::chrono::days(days);
  const std::chrono::year_month_day ymd{day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT00:00:00%s", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()), offset.c_str());
  return buf;
}

// Reports a full litter bin (published at once, auto_publish) and returns its reference.
std::string litter_bin_report(const RunningGateway& gw) {
  const auto r = post_form(gw, "/open311/v2/requests.json",
                           "api_key=" + kApiKey + "&service_code=litter_bin&address_string=Berliner+Platz");
  REQUIRE(r.status == 200);
  return std::string(json::parse(r.body).as_array()[0].at("service_request_id").as_string());
}

// The update ids and statuses of FixMyStreet's servicerequestupdates for one request, oldest first.
std::vector<std::pair<std::string, std::string>> updates_of(const RunningGateway& gw, const std::string& reference) {
  const auto r = gw.get("/open311/v2/servicerequestupdates.json");
  REQUIRE(r.status == 200);
  std::vector<std::pair<std::string, std::string>> out;
  const auto doc = json::parse(r.body);
  for (const auto& u : doc.as_array()) {
    if (u.at("service_request_id") != reference.c_str()) continue;
    out.emplace_back(std::string(u.at("update_id").as_string()), std::string(u.at("status").as_string()));
  }
  return out;
}

// A uniform view of one request of GET requests in either format.
struct Seen {
  std::string id, status, notes, service_name, description, agency, expected, requested;
};

Seen read_one(const HttpResponse& r, bool xml) {
  REQUIRE(r.status == 200);
  Seen s;
  if (xml) {
    CHECK(r.header("content-type") == "text/xml; charset=utf-8");
    const auto t = parse_xml(r.body);
    const auto& q = t.get_child("service_requests.request");
    s = {q.get<std::string>("service_request_id"), q.get<std::string>("status"), q.get<std::string>("status_notes"),
         q.get<std::string>("service_name"),       q.get<std::string>("description"), q.get<std::string>("agency_responsible"),
         q.get<std::string>("expected_datetime"),  q.get<std::string>("requested_datetime")};
  } else {
    CHECK(r.header("content-type") == "application/json; charset=utf-8");
    const auto v = json::parse(r.body);
    REQUIRE(v.as_array().size() == 1);
    const auto& o = v.as_array()[0].as_object();
    auto text = [&](const char* k) { return o.at(k).is_null() ? std::string() : std::string(o.at(k).as_string()); };
    s = {text("service_request_id"), text("status"), text("status_notes"), text("service_name"),
         text("description"), text("agency_responsible"), text("expected_datetime"), text("requested_datetime")};
    CHECK(o.at("lat").as_double() == 49.4812);
    CHECK(o.at("long").as_double() == 8.446);
  }
  return s;
}

}  // namespace

TEST_CASE("a conforming client: discovery, services, definition, POST, token, GET by id, updates") {
  RunningGateway gw(open311_env());
  const auto office = create_token(gw.db.dsn(), "office");
  const auto clerk = create_token(gw.db.dsn(), "clerk", "tiefbau");
  for (const bool xml : {true, false}) {
    CAPTURE(xml);
    const std::string fmt = xml ? ".xml" : ".json";
    {  // discovery
      const auto r = gw.get("/open311/v2/discovery" + fmt);
      REQUIRE(r.status == 200);
      if (xml) {
        const auto t = parse_xml(r.body);
        CHECK(t.get<std::string>("discovery.endpoints.endpoint.specification") == "http://wiki.open311.org/GeoReport_v2");
        CHECK(t.get<std::string>("discovery.endpoints.endpoint.url").find("/open311/v2") != std::string::npos);
      } else {
        const auto v = json::parse(r.body);
        CHECK(v.at("endpoints").as_array()[0].at("formats").as_array().size() == 2);
      }
    }
    {  // services: the city's categories, pothole with metadata
      const auto r = gw.get("/open311/v2/services" + fmt + "?jurisdiction_id=ludwigshafen.de");
      REQUIRE(r.status == 200);
      std::map<std::string, std::string> metadata;
      if (xml) {
        const auto tree = parse_xml(r.body);
        for (const auto& [name, s] : tree.get_child("services")) {
          CHECK(name == "service");
          metadata[s.get<std::string>("service_code")] = s.get<std::string>("metadata");
        }
      } else {
        const auto list = json::parse(r.body);
        for (const auto& s : list.as_array()) {
          metadata[std::string(s.at("service_code").as_string())] = s.at("metadata").as_bool() ? "true" : "false";
        }
      }
      CHECK(metadata.size() == 9);
      CHECK(metadata["pothole"] == "true");
      CHECK(metadata["graffiti"] == "false");
    }
    {  // the definition
      const auto r = gw.get("/open311/v2/services/pothole" + fmt);
      REQUIRE(r.status == 200);
      if (xml) {
        const auto t = parse_xml(r.body);
        CHECK(t.get<std::string>("service_definition.service_code") == "pothole");
        CHECK(t.get_child("service_definition.attributes").size() == 3);
        CHECK(t.get<std::string>("service_definition.attributes.attribute.values.value.key") == "road");
      } else {
        const auto v = json::parse(r.body);
        CHECK(v.at("attributes").as_array().size() == 3);
      }
    }
    std::string reference;
    {  // POST: realtime, exactly the service_request_id
      const auto r = post_form(gw, "/open311/v2/requests" + fmt, kPothole);
      REQUIRE(r.status == 200);
      if (xml) {
        const auto t = parse_xml(r.body);
        reference = t.get<std::string>("service_requests.request.service_request_id");
        CHECK_FALSE(t.get_child("service_requests.request").count("token"));
        CHECK(t.get<std::string>("service_requests.request.service_notice").find("Vielen Dank") == 0);
      } else {
        const auto v = json::parse(r.body);
        reference = std::string(v.as_array()[0].at("service_request_id").as_string());
        CHECK_FALSE(v.as_array()[0].as_object().contains("token"));
      }
      CHECK(reference.rfind("A-", 0) == 0);
    }
    const auto id = case_id_of(gw, reference);
    {  // the Anliegen: defect report on the Mängelmelder, routed to Tiefbau, the reporter as citizen data
      const auto r = gw.get("/api/v1/cases/" + id, office);
      REQUIRE(r.status == 200);
      const auto c = json::parse(r.body);
      CHECK(c.at("kind") == "defect_report");
      CHECK(c.at("channel") == "maengelmelder");
      CHECK(c.at("category") == "pothole");
      CHECK(c.at("unit") == "tiefbau");
      CHECK(c.at("public") == false);
      CHECK(c.at("citizen").at("name") == "Erika Musterfrau");
      CHECK(c.at("citizen").at("email") == "erika@example.org");
      CHECK(gw.db.scalar("SELECT attributes::text FROM open311_requests WHERE anliegen_id = " + id) ==
            R"({"hazards": ["deep", "water"], "surface": ["road"]})");
    }
    {  // the token resolves to the id
      const auto token = gw.db.scalar("SELECT token FROM open311_requests WHERE anliegen_id = " + id);
      const auto r = gw.get("/open311/v2/tokens/" + token + fmt);
      REQUIRE(r.status == 200);
      if (xml) {
        CHECK(parse_xml(r.body).get<std::string>("service_requests.request.service_request_id") == reference);
      } else {
        CHECK(json::parse(r.body).as_array()[0].at("service_request_id") == reference.c_str());
      }
    }
    // Not public before a clerk releases it.
    check_open311_error(gw.get("/open311/v2/requests/" + reference + fmt), 404, xml);
    REQUIRE(gw.send_json("PATCH", "/api/v1/cases/" + id, R"({"public":true})", clerk).status == 200);
    {
      const auto r = gw.get("/open311/v2/requests/" + reference + fmt);
      const auto s = read_one(r, xml);
      CHECK(s.id == reference);
      CHECK(s.status == "open");
      CHECK(s.notes.empty());
      CHECK(s.service_name == "Straßenschäden und Schlaglöcher");
      CHECK(s.description == "Tiefes Loch & Wasser <gefährlich>");
      CHECK(s.agency.find("Tiefbau") != std::string::npos);
      CHECK(s.requested.size() == 25);  // 2026-11-30T01:02:03+01:00
      for (const auto* secret : {"Erika", "Musterfrau", "erika@example.org", "555", "device-77"}) {
        CHECK(r.body.find(secret) == std::string::npos);
      }
    }
    // The clerk answers (published, not pushed), sets the expected time and closes it.
    const auto reply = gw.send_json("POST", "/api/v1/cases/" + id + "/replies", R"({"text":"Wird am Freitag repariert."})", clerk);
    REQUIRE(reply.status == 201);
    CHECK(json::parse(reply.body).at("delivery_status") == "published");
    REQUIRE(gw.send_json("PATCH", "/api/v1/cases/" + id, R"({"expected_at":"2026-12-04T12:00:00+01:00"})", clerk).status == 200);
    {
      const auto s = read_one(gw.get("/open311/v2/requests/" + reference + fmt), xml);
      CHECK(s.notes == "Wird am Freitag repariert.");
      CHECK(s.expected == "2026-12-04T12:00:00+01:00");
    }
    REQUIRE(gw.send_json("PATCH", "/api/v1/cases/" + id, R"({"status":"closed"})", clerk).status == 200);
    CHECK(read_one(gw.get("/open311/v2/requests/" + reference + fmt), xml).status == "closed");
    {  // FixMyStreet's updates: the reply and the status change
      const auto r = gw.get("/open311/v2/servicerequestupdates" + fmt);
      REQUIRE(r.status == 200);
      std::vector<std::pair<std::string, std::string>> seen;  // status, description
      if (xml) {
        const auto tree = parse_xml(r.body);
        for (const auto& [name, u] : tree.get_child("service_request_updates")) {
          CHECK(name == "request_update");
          if (u.get<std::string>("service_request_id") == reference) {
            seen.emplace_back(u.get<std::string>("status"), u.get<std::string>("description"));
          }
        }
      } else {
        const auto list = json::parse(r.body);
        for (const auto& u : list.as_array()) {
          if (u.at("service_request_id") == reference.c_str()) {
            seen.emplace_back(std::string(u.at("status").as_string()), std::string(u.at("description").as_string()));
          }
        }
      }
      REQUIRE(seen.size() == 2);
      // The reply keeps the status it was sent in (new → "open"), not the later "closed".
      CHECK(seen[0] == std::pair<std::string, std::string>{"open", "Wird am Freitag repariert."});
      CHECK(seen[1] == std::pair<std::string, std::string>{"closed", ""});
    }
  }
}

TEST_CASE("the routing rule's automatic answer is the service_notice of the report it routed") {
  const auto path = city_config_file("open311-notice", [](json::object& city) {
    auto& rules = city.at("routing").at("rules").as_array();
    rules.insert(rules.begin(), json::parse(R"({"id":"mm-notice","when":{"categories":["pothole"]},
      "then":{"unit":"tiefbau","auto_reply":"reply.schlagloch"}})"));
    city.at("texts").as_object()["reply.schlagloch"] = "Ihre Meldung {referenz} ist beim Tiefbau.";
  });
  RunningGateway gw(open311_env({{"ANLIEGEN_CONFIG", path}}));
  std::remove(path.c_str());
  const auto r = post_form(gw, "/open311/v2/requests.json", kPothole);
  REQUIRE(r.status == 200);
  const auto body = json::parse(r.body);
  const auto& created = body.as_array().at(0);
  CHECK(std::string(created.at("service_notice").as_string()) ==
        "Ihre Meldung " + std::string(created.at("service_request_id").as_string()) + " ist beim Tiefbau.");
}

TEST_CASE("Open311 errors come in the specification's format with 400, 403 and 404") {
  RunningGateway gw(open311_env());
  for (const bool xml : {true, false}) {
    CAPTURE(xml);
    const std::string fmt = xml ? ".xml" : ".json";
    const std::string post = "/open311/v2/requests" + fmt;
    const std::string key = "api_key=" + kApiKey;
    check_open311_error(post_form(gw, post, "service_code=graffiti&lat=49.48&long=8.44"), 403, xml);
    check_open311_error(post_form(gw, post, "api_key=not-the-key-1234567&service_code=graffiti&lat=49.48&long=8.44"), 403, xml);
    check_open311_error(post_form(gw, post, key + "&jurisdiction_id=mannheim.de&service_code=graffiti&lat=49.48&long=8.44"),
                        404, xml);
    check_open311_error(post_form(gw, post, key + "&service_code=ufo&lat=49.48&long=8.44"), 404, xml);
    check_open311_error(post_form(gw, post, key + "&lat=49.48&long=8.44"), 400, xml);
    CHECK(check_open311_error(post_form(gw, post, key + "&service_code=graffiti&lat=49.4840&long=8.4757"), 400, xml)
              .find("outside Ludwigshafen am Rhein") != std::string::npos);
    check_open311_error(post_form(gw, post, key + "&service_code=graffiti"), 400, xml);
    check_open311_error(post_form(gw, post, key + "&service_code=pothole&lat=49.48&long=8.44"), 400, xml);
    check_open311_error(post_form(gw, post, key + "&service_code=graffiti&lat=49.48&long=8.44&description=" +
                                                std::string(4001, 'x')),
                        400, xml);
    check_open311_error(post_form(gw, post, R"({"service_code":"graffiti"})", "application/json"), 400, xml);
    check_open311_error(post_form(gw, post, key + "&service_code=graffiti&address_string=%E0%A4"), 400, xml);
    check_open311_error(gw.get("/open311/v2/services/ufo" + fmt), 404, xml);
    check_open311_error(gw.get("/open311/v2/services" + fmt + "?jurisdiction_id=mannheim.de"), 404, xml);
    check_open311_error(gw.get("/open311/v2/requests/A-2026-999999" + fmt), 404, xml);
    check_open311_error(gw.get("/open311/v2/tokens/no-such-token" + fmt), 404, xml);
    check_open311_error(gw.get("/open311/v2/requests" + fmt + "?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z"),
                        400, xml);
    check_open311_error(gw.get("/open311/v2/requests" + fmt + "?start_date=2026-06-01T00:00:00Z&end_date=2026-01-01T00:00:00Z"),
                        400, xml);
    check_open311_error(gw.get("/open311/v2/requests" + fmt + "?start_date=yesterday"), 400, xml);
    check_open311_error(gw.get("/open311/v2/requests" + fmt + "?status=pending"), 400, xml);
    check_open311_error(gw.get("/open311/v2/requests" + fmt + "?jurisdiction_id=mannheim.de"), 404, xml);
    check_open311_error(gw.get("/open311/v2/servicerequestupdates" + fmt + "?start_date=2026-01-01T00:00:00Z&end_date=2026-12-01T00:00:00Z"),
                        400, xml);
  }
  // No resource at the path, or a method the resource does not take: still the specification's format.
  check_open311_error(gw.get("/open311/v2/nothing-here.xml"), 404, true);
  check_open311_error(gw.get("/open311/v2/requests.csv"), 404, false);
  const auto put = http_request(gw.port(), "PUT", "/open311/v2/requests.xml", "service_code=graffiti",
                                {{"Content-Type", "application/x-www-form-urlencoded"}});
  CHECK(check_open311_error(put, 400, true).find("method") != std::string::npos);
  CHECK(put.header("allow").find("GET") != std::string::npos);
  CHECK(put.header("allow").find("POST") != std::string::npos);
  check_open311_error(http_request(gw.port(), "DELETE", "/open311/v2/services.json"), 400, false);
  // A path without a known suffix names no format: the error comes as JSON.
  check_open311_error(gw.get("/open311/v2/services/pothole.html"), 404, false);
  check_open311_error(gw.get("/open311/v2/requests/A-1"), 404, false);
  check_open311_error(gw.get("/open311/v2/tokens/abc"), 404, false);
  // Nothing was created by any of these.
  CHECK(gw.db.scalar("SELECT count(*) FROM anliegen") == "0");
}

TEST_CASE("GET requests: service_request_id overrides the other filters; service_code, status and dates filter") {
  RunningGateway gw(open311_env());
  const auto office = create_token(gw.db.dsn(), "office");
  // Litter bins are published at once (auto_publish); potholes only after release.
  auto report = [&](const std::string& service, const std::string& extra) {
    const auto r = post_form(gw, "/open311/v2/requests.json",
                             "api_key=" + kApiKey + "&service_code=" + service + "&address_string=Berliner+Platz" + extra);
    REQUIRE(r.status == 200);
    return std::string(json::parse(r.body).as_array()[0].at("service_request_id").as_string());
  };
  const auto bin1 = report("litter_bin", "");
  const auto bin2 = report("litter_bin", "");
  const auto hidden = report("pothole", "&attribute%5Bsurface%5D=road");
  const auto ids = [&](const std::string& query) {
    const auto r = gw.get("/open311/v2/requests.json" + query);
    REQUIRE(r.status == 200);
    std::vector<std::string> out;
    const auto list = json::parse(r.body);
    for (const auto& v : list.as_array()) out.emplace_back(v.at("service_request_id").as_string());
    std::sort(out.begin(), out.end());
    return out;
  };
  CHECK(ids("") == std::vector<std::string>{bin1, bin2});
  CHECK(ids("?service_code=litter_bin,graffiti") == std::vector<std::string>{bin1, bin2});
  CHECK(ids("?service_code=graffiti").empty());
  CHECK(ids("?service_code=graffiti&service_request_id=" + bin1 + "," + hidden) == std::vector<std::string>{bin1});
  CHECK(ids("?status=open") == std::vector<std::string>{bin1, bin2});
  CHECK(ids("?status=closed").empty());
  CHECK(ids("?status=open,closed&service_code=") == std::vector<std::string>{bin1, bin2});
  CHECK(ids("?start_date=2020-01-01T00:00:00Z&end_date=2020-02-01T00:00:00Z").empty());
  REQUIRE(gw.send_json("PATCH", "/api/v1/cases/" + case_id_of(gw, bin2), R"({"status":"closed"})", office).status == 200);
  CHECK(ids("?status=closed") == std::vector<std::string>{bin2});
  const auto xml = gw.get("/open311/v2/requests.xml?status=closed");
  REQUIRE(xml.status == 200);
  CHECK(parse_xml(xml.body).get<std::string>("service_requests.request.service_request_id") == bin2);
}

TEST_CASE("servicerequestupdates: an update never changes; a reply keeps the status it was sent in") {
  RunningGateway gw(open311_env());
  const auto office = create_token(gw.db.dsn(), "office");
  const auto reference = litter_bin_report(gw);
  const auto id = case_id_of(gw, reference);
  const auto pause = [] { std::this_thread::sleep_for(std::chrono::milliseconds(20)); };
  REQUIRE(gw.send_json("PATCH", "/api/v1/cases/" + id, R"({"status":"in_progress"})", office).status == 200);
  pause();
  REQUIRE(gw.send_json("POST", "/api/v1/cases/" + id + "/replies", R"({"text":"Wird geleert."})", office).status == 201);
  pause();
  const auto before = updates_of(gw, reference);
  REQUIRE(before.size() == 2);
  CHECK(before[1].second == "in_progress");
  REQUIRE(gw.send_json("PATCH", "/api/v1/cases/" + id, R"({"status":"closed"})", office).status == 200);
  const auto after = updates_of(gw, reference);
  REQUIRE(after.size() == 3);
  CHECK(after[0] == before[0]);
  CHECK(after[1] == before[1]);  // the reply's update still says in_progress, not closed
  CHECK(after[2].second == "closed");
  // GET requests shows the current status, the reply as status_notes.
  const auto now = gw.get("/open311/v2/requests/" + reference + ".json");
  REQUIRE(now.status == 200);
  CHECK(json::parse(now.body).as_array()[0].at("status") == "closed");
  CHECK(json::parse(now.body).as_array()[0].at("status_notes") == "Wird geleert.");
}

TEST_CASE("date filters: an unencoded '+' in the offset (read as a space) is the offset's sign") {
  RunningGateway gw(open311_env());
  const auto reference = litter_bin_report(gw);
  for (const std::string offset : {"+01:00", "+0100", "%2B01:00", "Z"}) {
    CAPTURE(offset);
    const auto range = "?start_date=" + midnight(-2, offset) + "&end_date=" + midnight(2, offset);
    const auto list = gw.get("/open311/v2/requests.json" + range);
    REQUIRE(list.status == 200);
    REQUIRE(json::parse(list.body).as_array().size() == 1);
    CHECK(json::parse(list.body).as_array()[0].at("service_request_id") == reference.c_str());
    CHECK(gw.get("/open311/v2/servicerequestupdates.xml" + range).status == 200);
    const auto past = gw.get("/open311/v2/requests.json?start_date=2020-01-01T00:00:00" + offset +
                             "&end_date=2020-02-01T00:00:00" + offset);
    REQUIRE(past.status == 200);
    CHECK(past.body == "[]");
  }
  // Anything else stays an error: two spaces, a space that is not an offset's sign, no offset.
  for (const std::string bad : {"2026-11-01T00:00:00++01:00", "2026-11-01T00:00:00+1:00", "2026-11-01T00:00:00+01",
                                "2026-11-01T00:00:00+01:00+", "2026-11-01T00:00:00"}) {
    CAPTURE(bad);
    check_open311_error(gw.get("/open311/v2/requests.json?start_date=" + bad), 400, false);
    check_open311_error(gw.get("/open311/v2/servicerequestupdates.xml?end_date=" + bad), 400, true);
  }
}

TEST_CASE("a query that is not valid URL-encoded UTF-8 is 400, never read as an empty query") {
  RunningGateway gw(open311_env());
  const auto reference = litter_bin_report(gw);
  const std::string token(gw.db.scalar("SELECT token FROM open311_requests"));
  for (const bool xml : {true, false}) {
    CAPTURE(xml);
    const std::string fmt = xml ? ".xml" : ".json";
    for (const std::string& path : {"/open311/v2/requests" + fmt, "/open311/v2/servicerequestupdates" + fmt,
                                   "/open311/v2/services" + fmt, "/open311/v2/services/graffiti" + fmt,
                                   "/open311/v2/requests/" + reference + fmt, "/open311/v2/tokens/" + token + fmt}) {
      CAPTURE(path);
      for (const std::string query : {"?jurisdiction_id=evil.example&x=%FF", "?status=closed&x=%FF",
                                      "?jurisdiction_id=ludwigshafen.de&x=%E0%A4", "?service_code=graffiti%FF"}) {
        CAPTURE(query);
        const auto description = check_open311_error(gw.get(path + query), 400, xml);
        CHECK(description.find("URL-encoded UTF-8") != std::string::npos);
      }
      // Not even URL syntax (a broken percent escape): still Open311's error format.
      for (const std::string query : {"?status=%G1", "?x=%", "?service_code=graffiti%2"}) {
        CAPTURE(query);
        const auto description = check_open311_error(gw.get(path + query), 400, xml);
        CHECK(description.find("percent-encoded") != std::string::npos);
      }
      CHECK(gw.get(path + "?jurisdiction_id=ludwigshafen.de").status == 200);
    }
  }
}

// End-to-end tests of the weekly report: GET /api/v1/reports/weekly/{week} in JSON, CSV and HTML with
// its auth paths and errors, `anliegen report weekly` giving the same figures, a stored report served
// as stored, and the Monday worker storing a week once and posting the signed notice.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "channels/crypto.hpp"
#include "domain/time.hpp"
#include "e2e.hpp"
#include "fake_platform.hpp"

using namespace anliegen::testing;
namespace json = boost::json;

namespace {

struct ReportApi : RunningGateway {
  std::string office = create_token(db.dsn(), "office");
  std::string admin = create_token(db.dsn(), "admin");
  std::string clerk = create_token(db.dsn(), "clerk", "ob");
  ReportApi() { db.scalar(read_file(std::string(ANLIEGEN_SOURCE_DIR) + "/tests/fixtures/reports/week_2026_w43.sql")); }
  HttpResponse get_with(const std::string& target, const std::string& token, const std::string& accept) const {
    return http_request(port(), "GET", target, "", {{"Authorization", "Bearer " + token}, {"Accept", accept}});
  }
};

const std::string kCsv =
    "\xEF\xBB\xBF"
    "Woche;Abschnitt;Schlüssel;Bezeichnung;Eingegangen;Erstmals beantwortet;Erledigt;Offen am Wochenende;"
    "Über Zielzeit;Zielzeit (Arbeitstage);Erstantwort Median (h);Erstantwort 90. Perzentil (h);Erledigung Median (h)\r\n"
    "2026-W43;Gesamt;woche;Berichtswoche;7;5;3;9;;;;;\r\n"
    "2026-W43;Gesamt;vorwoche;Vorwoche 2026-W42;3;1;0;5;;;;;\r\n"
    "2026-W43;Kanal;whatsapp;WhatsApp;3;2;2;2;;;;;\r\n"
    "2026-W43;Kanal;facebook;Facebook;1;1;1;0;;;;;\r\n"
    "2026-W43;Kanal;holdieob;holdieob (Einladungen);1;0;0;2;;;;;\r\n"
    "2026-W43;Kanal;maengelmelder;Mängelmelder;1;1;0;1;;;;;\r\n"
    "2026-W43;Kanal;phone;Telefon;1;1;0;2;;;;;\r\n"
    "2026-W43;Kanal;in_person;Persönlich;0;0;0;1;;;;;\r\n"
    "2026-W43;Kanal;letter;Brief;0;0;0;1;;;;;\r\n"
    "2026-W43;Bereich;buergerservice;Bürgerservice;1;1;0;2;1;3;168,00;168,00;\r\n"
    "2026-W43;Bereich;gruen;Bereich Grünflächen und Friedhöfe;0;0;0;0;0;10;;;\r\n"
    "2026-W43;Bereich;ob;Büro der Oberbürgermeisterin;4;2;2;5;2;5;9,25;16,25;93,92\r\n"
    "2026-W43;Bereich;ordnung;Bereich Öffentliche Ordnung;0;0;0;0;0;5;;;\r\n"
    "2026-W43;Bereich;stadtplanung;Bereich Stadtplanung;0;0;0;0;0;15;;;\r\n"
    "2026-W43;Bereich;stadtreinigung;Wirtschaftsbetrieb – Abfallwirtschaft und Stadtreinigung;1;1;1;0;0;5;4,00;4,00;"
    "24,00\r\n"
    "2026-W43;Bereich;tiefbau;Bereich Tiefbau (Straßen, Gehwege, Beleuchtung);1;1;0;2;1;10;10,00;10,00;\r\n";

void check_json_figures(const json::object& doc) {
  CHECK(doc.at("week") == "2026-W43");
  CHECK(doc.at("from") == "2026-10-19T00:00:00+02:00");
  CHECK(doc.at("to") == "2026-10-26T00:00:00+01:00");
  CHECK(doc.at("totals") == json::parse(R"({"received":7,"answered":5,"closed":3,"open_at_end":9})"));
  CHECK(doc.at("previous_week") == json::parse(R"({"received":3,"answered":1,"closed":0,"open_at_end":5})"));
  CHECK(doc.at("by_channel") == json::parse(R"({"whatsapp":3,"facebook":1,"holdieob":1,"maengelmelder":1,"phone":1,
                                                 "in_person":0,"letter":0})"));
  CHECK(doc.at("channels").as_array().at(0) ==
        json::parse(R"({"channel":"whatsapp","received":3,"answered":2,"closed":2,"open_at_end":2})"));
  CHECK(doc.at("by_kind") == json::parse(R"({"message":5,"defect_report":1,"invitation":1})"));
  const auto& units = doc.at("by_unit").as_object();
  CHECK(units.size() == 7);
  CHECK(units.at("ob") == json::parse(R"({"received":4,"answered":2,"closed":2,"open_at_end":5,
      "name":"Büro der Oberbürgermeisterin","target_days":5,"over_target":2,"first_response_median_hours":9.25,
      "first_response_p90_hours":16.25,"close_median_hours":93.92})"));
  CHECK(units.at("buergerservice") == json::parse(R"({"received":1,"answered":1,"closed":0,"open_at_end":2,
      "name":"Bürgerservice","target_days":3,"over_target":1,"first_response_median_hours":168.0,
      "first_response_p90_hours":168.0,"close_median_hours":null})"));
  CHECK(units.at("stadtreinigung") == json::parse(R"({"received":1,"answered":1,"closed":1,"open_at_end":0,
      "name":"Wirtschaftsbetrieb – Abfallwirtschaft und Stadtreinigung","target_days":5,"over_target":0,
      "first_response_median_hours":4.0,"first_response_p90_hours":4.0,"close_median_hours":24.0})"));
  CHECK(units.at("tiefbau").at("over_target") == 1);
  CHECK(units.at("gruen").at("first_response_median_hours").is_null());
  CHECK(doc.at("by_category") == json::parse(R"([{"category":"Müll","received":2,"previous":1},
      {"category":"Verkehr","received":2,"previous":1},{"category":"Parken","received":1,"previous":0},
      {"category":"Schlagloch","received":1,"previous":0}])"));
  CHECK(doc.at("rising_topics").as_array().at(0) ==
        json::parse(R"({"type":"tag","name":"laerm","received":3,"previous":0})"));
  CHECK(doc.at("sprechstunden") == json::parse(R"([{"id":1,"channel":"whatsapp",
      "title":"Sprechstunde <digital> & \"offen\"","host_unit":"ob","starts_at":"2026-10-21T16:00:00+02:00",
      "ends_at":"2026-10-21T17:00:00+02:00","messages":4,"citizens":2,"anliegen":3,"answered_during":1,
      "answered_later":1,"unanswered":1,"answer_median_minutes":555.0}])"));
  CHECK(doc.at("invitations") == json::parse(R"({"created":1,"supporters_gained":45,"threshold_reached":1,
      "decided":1,"accepted":1,"declined":0,"most_supported":[
      {"reference":"LU-2026-0012","title":"Besuch im Hemshof & <Kita>","supporters":40,"gained":40},
      {"reference":"LU-2026-0013","title":"Sommerfest Friesenheim","supporters":35,"gained":5}]})"));
  const auto& oldest = doc.at("oldest_open").as_array();
  CHECK(oldest.size() == 9);
  CHECK(oldest.at(0) == json::parse(R"({"reference":"LU-2026-0008","unit":"tiefbau",
      "received_at":"2026-09-01T10:00:00+02:00","age_days":54.6})"));
}

void check_html(const std::string& html) {
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("Wie die Stadt zugehört hat: 2026-W43") != std::string::npos);
  CHECK(html.find("Montag, 19. Oktober 2026 bis Sonntag, 25. Oktober 2026") != std::string::npos);
  CHECK(html.find("<tr><td>Eingegangen</td><td class=\"n\">7</td><td class=\"n\">3</td><td class=\"n\">+4</td>") !=
        std::string::npos);
  CHECK(html.find("<tr><td>Offen am Wochenende</td><td class=\"n\">9</td><td class=\"n\">5</td>") != std::string::npos);
  CHECK(html.find("Sprechstunde &lt;digital&gt; &amp; &quot;offen&quot;") != std::string::npos);
  CHECK(html.find("Besuch im Hemshof &amp; &lt;Kita&gt;") != std::string::npos);
  CHECK(html.find("<td class=\"n\">555 min</td>") != std::string::npos);
  CHECK(html.find("<svg") != std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
}

}  // namespace

TEST_CASE("GET /api/v1/reports/weekly/{week}: roles, formats and figures") {
  ReportApi api;
  const std::string path = "/api/v1/reports/weekly/2026-W43";
  check_problem(api.get(path), 401);
  check_problem(api.get(path, api.clerk), 403);

  auto j = api.get(path, api.office);
  REQUIRE_MESSAGE(j.status == 200, j.body);
  CHECK(j.header("content-type") == "application/json");
  check_json_figures(parse(j.body).as_object());

  auto csv = api.get_with(path, api.admin, "text/csv");
  REQUIRE(csv.status == 200);
  CHECK(csv.header("content-type") == "text/csv; charset=utf-8");
  CHECK(csv.header("content-disposition") == "attachment; filename=\"wochenbericht-2026-W43.csv\"");
  CHECK(csv.body == kCsv);
  CHECK(api.get(path + "?format=csv", api.office).body == kCsv);

  auto html = api.get(path + "?format=html", api.office);
  REQUIRE(html.status == 200);
  CHECK(html.header("content-type") == "text/html; charset=utf-8");
  check_html(html.body);
  CHECK(api.get_with(path, api.office, "text/html,application/xhtml+xml").body.rfind("<!DOCTYPE html>", 0) == 0);
  // ?format wins over Accept.
  CHECK(api.get_with(path + "?format=json", api.office, "text/html").header("content-type") == "application/json");
  // The page for the HTML checks (tests/reports/check_html.mjs): valid HTML, rendered by Chromium.
  std::filesystem::create_directories(ANLIEGEN_ARTIFACTS_DIR);
  std::ofstream(std::string(ANLIEGEN_ARTIFACTS_DIR) + "/weekly-report.html", std::ios::binary) << html.body;
}

TEST_CASE("GET /api/v1/reports/weekly/{week}: malformed and incomplete weeks") {
  ReportApi api;
  for (const char* bad : {"2026-48", "2026-W00", "2025-W53", "2026-W5", "W48", "2026-W48%20"}) {
    CAPTURE(bad);
    auto r = api.get(std::string("/api/v1/reports/weekly/") + bad, api.office);
    check_problem(r, 400);
    CHECK(r.body.find("ISO week") != std::string::npos);
  }
  check_problem(api.get("/api/v1/reports/weekly/2026-W43?format=pdf", api.office), 400);
  check_problem(api.get("/api/v1/reports/weekly/2026-W43?week=1", api.office), 400);
  auto future = api.get("/api/v1/reports/weekly/2099-W01", api.office);
  check_problem(future, 404);
  CHECK(future.body.find("not ended") != std::string::npos);
  const auto now = anliegen::domain::SystemClock{}.now();
  const auto current = anliegen::domain::format_iso_week(anliegen::domain::iso_week_of(now));
  check_problem(api.get("/api/v1/reports/weekly/" + current, api.office), 404);
}

TEST_CASE("a stored report is served as stored; its CSV comes from the stored model") {
  ReportApi api;
  const std::string path = "/api/v1/reports/weekly/2026-W43";
  auto doc = parse(api.get(path, api.office).body).as_object();
  doc["totals"].as_object()["received"] = 999;
  doc["by_unit"].as_object()["ob"].as_object()["name"] = "Büro; gespeichert";
  const auto stored = json::serialize(doc);
  std::string quoted;
  for (char c : stored) quoted += c == '\'' ? std::string("''") : std::string(1, c);
  api.db.scalar("INSERT INTO weekly_reports (week, report, html) VALUES ('2026-W43', '" + quoted +
                "', '<!DOCTYPE html><title>gespeichert</title>')");
  auto j = parse(api.get(path, api.office).body).as_object();
  CHECK(j.at("totals").at("received") == 999);
  CHECK(api.get(path + "?format=html", api.office).body == "<!DOCTYPE html><title>gespeichert</title>");
  const auto csv = api.get(path + "?format=csv", api.office).body;
  CHECK(csv.find("2026-W43;Gesamt;woche;Berichtswoche;999;5;3;9;") != std::string::npos);
  CHECK(csv.find(";Bereich;ob;\"Büro; gespeichert\";4;") != std::string::npos);
  // Units keep their order although jsonb reorders object keys.
  CHECK(csv.find(";Bereich;buergerservice;") < csv.find(";Bereich;gruen;"));
  CHECK(csv.find(";Bereich;stadtreinigung;") < csv.find(";Bereich;tiefbau;"));
}

TEST_CASE("erasing a citizen takes their invitation's title out of stored reports; the figures stay") {
  ReportApi api;
  const std::string path = "/api/v1/reports/weekly/2026-W43";
  // The report as stored on that Monday (an hour later than computed here, so a rewrite would show).
  auto doc = parse(api.get(path, api.office).body).as_object();
  doc["generated_at"] = "2026-10-26T05:00:00.000Z";
  const auto html = api.get(path + "?format=html", api.office).body;
  auto quote = [](const std::string& text) {
    std::string q;
    for (char c : text) q += c == '\'' ? std::string("''") : std::string(1, c);
    return q;
  };
  api.db.scalar("INSERT INTO weekly_reports (week, report, html, notified_at) VALUES ('2026-W43', '" +
                quote(json::serialize(doc)) + "', '" + quote(html) + "', '2026-10-26T05:01:00Z')");
  // Invitation 12 was written by a holdieob user who now asks for erasure.
  api.db.scalar("INSERT INTO citizens (id, channel, external_id) VALUES (3, 'holdieob', 'user-4711');"
                "UPDATE anliegen SET citizen_id = 3 WHERE id = 12");
  const auto before = api.db.scalar("SELECT report - 'invitations' FROM weekly_reports WHERE week = '2026-W43'");

  const auto erased = run_anliegen({"citizen", "erase", "--id", "3", "--yes"}, {{"ANLIEGEN_DATABASE_URL", api.db.dsn()}});
  REQUIRE_MESSAGE(erased.status == 0, erased.err);
  CHECK(erased.out.find("1 stored weekly reports") != std::string::npos);

  const auto stored_html = api.db.scalar("SELECT html FROM weekly_reports WHERE week = '2026-W43'");
  CHECK(stored_html.find("Hemshof") == std::string::npos);
  CHECK(stored_html.find("Sommerfest Friesenheim") != std::string::npos);  // somebody else's invitation stays
  CHECK(stored_html.find("Sprechstunde &lt;digital&gt;") != std::string::npos);
  const auto stored = parse(api.get(path, api.office).body).as_object();
  const auto& supported = stored.at("invitations").at("most_supported").as_array();
  REQUIRE(supported.size() == 2);
  for (const auto& i : supported) {
    CAPTURE(i);
    CHECK(i.at("title") == (i.at("reference") == "LU-2026-0012" ? "" : "Sommerfest Friesenheim"));
  }
  CHECK(stored.at("invitations").at("supporters_gained") == 45);
  CHECK(std::string(stored.at("generated_at").as_string()).rfind("2026-10-26T05:00:00", 0) == 0);
  CHECK(api.db.scalar("SELECT report - 'invitations' FROM weekly_reports WHERE week = '2026-W43'") == before);
  CHECK(!api.db.scalar("SELECT notified_at FROM weekly_reports WHERE week = '2026-W43'").empty());
  // Erasing again is harmless.
  const auto again = run_anliegen({"citizen", "erase", "--id", "3", "--yes"}, {{"ANLIEGEN_DATABASE_URL", api.db.dsn()}});
  CHECK(again.status == 0);
  CHECK(api.db.scalar("SELECT report - 'invitations' FROM weekly_reports WHERE week = '2026-W43'") == before);
}

TEST_CASE("anliegen report weekly: the same figures as the API, files, usage errors") {
  ReportApi api;
  const std::map<std::string, std::string> env{{"ANLIEGEN_DATABASE_URL", api.db.dsn()}};
  auto cli_json = run_anliegen({"report", "weekly", "--week", "2026-W43", "--format", "json"}, env);
  REQUIRE_MESSAGE(cli_json.status == 0, cli_json.err);
  auto from_cli = parse(cli_json.out).as_object();
  check_json_figures(from_cli);
  auto from_api = parse(api.get("/api/v1/reports/weekly/2026-W43", api.office).body).as_object();
  from_cli.erase("generated_at");
  from_api.erase("generated_at");
  CHECK(from_cli == from_api);

  auto cli_csv = run_anliegen({"report", "weekly", "--week", "2026-W43", "--format", "csv"}, env);
  CHECK(cli_csv.status == 0);
  CHECK(cli_csv.out == kCsv);

  const std::string out = "/tmp/anliegen-report-" + std::to_string(getpid()) + ".html";
  auto cli_html = run_anliegen({"report", "weekly", "--week", "2026-W43", "--format", "html", "--out", out}, env);
  CHECK(cli_html.status == 0);
  CHECK(cli_html.out.empty());
  check_html(read_file(out));
  std::remove(out.c_str());

  // Without --week: the last complete week.
  auto last = run_anliegen({"report", "weekly"}, env);
  REQUIRE(last.status == 0);
  const auto now = anliegen::domain::SystemClock{}.now();
  CHECK(std::string(parse(last.out).at("week").as_string()) ==
        anliegen::domain::format_iso_week(anliegen::domain::previous_week(anliegen::domain::iso_week_of(now))));

  auto help = run_anliegen({"report", "weekly", "--help"}, env);
  CHECK(help.status == 0);
  CHECK(help.out.find("anliegen report weekly") != std::string::npos);

  for (const auto& args : std::vector<std::vector<std::string>>{
           {"report"}, {"report", "monthly"}, {"report", "weekly", "--week", "2026-48"},
           {"report", "weekly", "--week"}, {"report", "weekly", "--format", "pdf"},
           {"report", "weekly", "--week", "2099-W01"}, {"report", "weekly", "--bogus", "1"}}) {
    auto r = run_anliegen(args, env);
    CAPTURE(args.size());
    CHECK(r.status == 2);
    CHECK(r.err.find("Usage:") != std::string::npos);
  }
}

TEST_CASE("the Monday worker stores the last week once and posts a signed notice until accepted") {
  FakePlatform hook;
  hook.on("POST", "/hook", [](const RecordedRequest&) { return FakeResponse{204, "application/json", ""}; });
  hook.fail_next(1, 503);
  const std::map<std::string, std::string> env{{"ANLIEGEN_REPORT_HOUR", "0"},
                                               {"ANLIEGEN_REPORT_WEBHOOK", hook.base_url() + "/hook"},
                                               {"ANLIEGEN_REPORT_WEBHOOK_SECRET", "s3cret"},
                                               {"ANLIEGEN_PUBLIC_URL", "https://anliegen.example/"},
                                               {"ANLIEGEN_OUTBOX_RETRY_BASE_MS", "20"}};
  RunningGateway gw(env);
  REQUIRE(hook.wait_for(2, "/hook", std::chrono::seconds(30)));
  const auto now = anliegen::domain::SystemClock{}.now();
  const auto week = anliegen::domain::format_iso_week(anliegen::domain::previous_week(anliegen::domain::iso_week_of(now)));
  const auto seen = hook.requests("/hook");
  REQUIRE(seen.size() == 2);
  CHECK(seen[0].body == seen[1].body);
  const auto& notice = seen[1];
  CHECK(notice.header("x-anliegen-signature") ==
        "sha256=" + anliegen::channels::to_hex(anliegen::channels::hmac_sha256("s3cret", notice.body)));
  const auto body = parse(notice.body).as_object();
  CHECK(body.at("event") == "weekly_report");
  CHECK(std::string(body.at("week").as_string()) == week);
  CHECK(std::string(body.at("link").as_string()) ==
        "https://anliegen.example/api/v1/reports/weekly/" + week + "?format=html");
  CHECK(gw.db.scalar("SELECT count(*) FROM weekly_reports") == "1");
  CHECK(gw.db.scalar("SELECT week FROM weekly_reports") == week);
  for (int i = 0; i < 100 && gw.db.scalar("SELECT notified_at IS NOT NULL FROM weekly_reports") != "t"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(gw.db.scalar("SELECT notified_at IS NOT NULL FROM weekly_reports") == "t");

  // A second instance (or a restart) finds the report stored: nothing is generated or sent again.
  ServerProcess second(gw.db.dsn(), env);
  REQUIRE(second.wait_ready());
  std::this_thread::sleep_for(std::chrono::seconds(1));
  CHECK(gw.db.scalar("SELECT count(*) FROM weekly_reports") == "1");
  CHECK(gw.db.scalar("SELECT count(*) FROM outbox WHERE channel = 'report_webhook'") == "1");
  CHECK(hook.requests("/hook").size() == 2);

  // The stored report is what the API serves.
  const auto office = create_token(gw.db.dsn(), "office");
  auto stored = gw.get("/api/v1/reports/weekly/" + week + "?format=html", office);
  CHECK(stored.body == gw.db.scalar("SELECT html FROM weekly_reports"));
}

TEST_CASE("a report webhook without a secret is a configuration error") {
  TestDatabase db;
  auto r = run_anliegen({"serve"}, {{"ANLIEGEN_DATABASE_URL", db.dsn()}, {"ANLIEGEN_LISTEN", "127.0.0.1:0"},
                                    {"ANLIEGEN_REPORT_WEBHOOK", "http://127.0.0.1:9/hook"}});
  CHECK(r.status == 2);
  CHECK(r.err.find("ANLIEGEN_REPORT_WEBHOOK_SECRET") != std::string::npos);
}

#include <algorithm>
#include <string>
#include <thread>

#include "e2e.hpp"

using namespace anliegen::testing;

TEST_CASE("healthz, readyz and metrics") {
  RunningGateway gw;
  auto health = gw.get("/healthz");
  CHECK(health.status == 200);
  CHECK(parse(health.body).at("status") == "ok");
  auto ready = gw.get("/readyz");
  CHECK(ready.status == 200);
  CHECK(parse(ready.body).at("status") == "ready");

  gw.get("/nope");
  auto metrics = gw.get("/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.header("content-type").rfind("text/plain; version=0.0.4", 0) == 0);
  CHECK(metrics.body.find("anliegen_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"200\"} ") !=
        std::string::npos);
  CHECK(metrics.body.find("status=\"404\"") != std::string::npos);
  CHECK(metrics.body.find("anliegen_http_request_duration_seconds_bucket{route=\"/readyz\",le=\"+Inf\"} 1") !=
        std::string::npos);
  // The default pool: one database thread per core, at least 2, at most 16.
  const int cores = std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 2, 16);
  CHECK(metrics.body.find("anliegen_db_pool_connections " + std::to_string(cores) + "\n") != std::string::npos);
  CHECK(metrics.body.find("anliegen_db_pool_in_use") != std::string::npos);
  // Counters that alerts watch are there at 0 from the start (increase() needs a first sample).
  for (const char* line : {"anliegen_outbox_results_total{result=\"sent\"} 0\n", "anliegen_outbox_results_total{result=\"failed\"} 0\n",
                           "anliegen_outbox_results_total{result=\"retry\"} 0\n", "anliegen_outbox_results_total{result=\"held\"} 0\n",
                           "anliegen_media_downloads_total{result=\"failed\"} 0\n"}) {
    CAPTURE(line);
    CHECK(metrics.body.find(line) != std::string::npos);
  }
  // The outbox depth comes from the dispatcher's last reading, not from a query during the scrape.
  bool depth = false;
  for (int i = 0; i < 100 && !depth; ++i) {
    depth = gw.get("/metrics").body.find("\nanliegen_outbox_depth 0\n") != std::string::npos;
    if (!depth) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(depth);
}

TEST_CASE("readyz turns red while the database is away and green again by itself") {
  TestDatabase db;
  DatabaseProxy proxy;
  ServerProcess server(proxy.dsn(db.name()));
  REQUIRE_MESSAGE(server.wait_ready(), server.log());
  CHECK(http_request(server.port(), "GET", "/readyz").status == 200);

  proxy.cut();
  const auto started = std::chrono::steady_clock::now();
  auto down = http_request(server.port(), "GET", "/readyz");
  CHECK(down.status == 503);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
  CHECK(down.header("retry-after") == "5");
  CHECK(http_request(server.port(), "GET", "/healthz").status == 200);  // the process itself is fine
  const auto scrape = std::chrono::steady_clock::now();
  CHECK(http_request(server.port(), "GET", "/metrics").status == 200);  // never waits for the database
  CHECK(std::chrono::steady_clock::now() - scrape < std::chrono::seconds(1));

  proxy.restore();
  bool recovered = false;
  for (int i = 0; i < 100 && !recovered; ++i) {
    recovered = http_request(server.port(), "GET", "/readyz").status == 200;
    if (!recovered) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  CHECK(recovered);
  CHECK(server.terminate() == 0);
}

TEST_CASE("a schema newer than the binary: readyz 503, and migrate fails instead of reporting success") {
  RunningGateway gw;
  CHECK(gw.get("/readyz").status == 200);
  const auto version = gw.db.scalar("SELECT max(version) + 1 FROM schema_migrations");
  gw.db.scalar("INSERT INTO schema_migrations (version, name) VALUES (" + version + ", 'V" + version + "__future.sql')");
  auto newer = gw.get("/readyz");
  CHECK(newer.status == 503);
  CHECK(newer.header("retry-after") == "5");
  CHECK(std::string(parse(newer.body).at("reason").as_string()).find("schema version " + version) != std::string::npos);
  auto migrate = run_anliegen({"migrate"}, {{"ANLIEGEN_DATABASE_URL", gw.db.dsn()}});
  CHECK(migrate.status == 1);
  CHECK(migrate.err.find("newer") != std::string::npos);
  CHECK(migrate.out.find("schema version") == std::string::npos);
}

TEST_CASE("SIGTERM: stop accepting, exit 0") {
  RunningGateway gw;
  CHECK(gw.get("/healthz").status == 200);
  CHECK(gw.server->terminate() == 0);
  CHECK(gw.server->log().find("\"event\":\"stopped\"") != std::string::npos);
}

TEST_CASE("logs are JSON lines without secrets or citizen text") {
  RunningGateway gw;
  const auto token = create_token(gw.db.dsn(), "admin");
  gw.send_json("POST", "/api/v1/cases", R"({"channel":"phone","text":"Geheimnis Hauptstraße 5","citizen":{"name":"Max Geheim","phone":"+49 621 999"}})",
               token);
  gw.get("/webhooks/whatsapp?hub.verify_token=s3cr3t");
  CHECK(gw.server->terminate() == 0);
  const auto log = gw.server->log();
  CHECK(log.find("Geheimnis") == std::string::npos);
  CHECK(log.find("Max Geheim") == std::string::npos);
  // The phone number in any form (not just "999": a timestamp's milliseconds can be .999).
  CHECK(log.find("621 999") == std::string::npos);
  CHECK(log.find("+49") == std::string::npos);
  CHECK(log.find("49621999") == std::string::npos);
  CHECK(log.find(token) == std::string::npos);
  CHECK(log.find("s3cr3t") == std::string::npos);
  std::istringstream lines(log);
  std::string line;
  int requests = 0;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] != '{') continue;  // sanitizer output, if any
    auto v = boost::json::parse(line);
    CHECK(v.as_object().contains("ts"));
    if (v.at("event") == "request") ++requests;
  }
  CHECK(requests >= 2);
}

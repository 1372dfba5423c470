// Faults under load (issue: nothing acknowledged is ever lost): the gateway killed with SIGKILL in the
// middle of a burst, PostgreSQL stopped and started again during a burst, and the outbox sending to a
// platform that fails 30% of the calls and lets 10% time out, with two gateway instances on one
// database. Each runs a few seconds; the throughput numbers are the benchmark's business.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unistd.h>

#include "e2e.hpp"
#include "fake_platform.hpp"
#include "whatsapp_support.hpp"

namespace {

using namespace anliegen::testing;
using Clock = std::chrono::steady_clock;

struct Delivery {
  std::string id;
  std::string body;
};

// A delivery from a citizen of its own, so that every one becomes a new Anliegen.
Delivery make_delivery(const std::string& run, int worker, int seq) {
  const std::string n = std::to_string(worker * 100000 + seq);
  Delivery d;
  d.id = "wamid.fault." + run + "." + n;
  const std::string user = "DE.fault." + run + "." + n;
  const std::string phone = "4916" + std::string(9 - std::min<std::size_t>(9, n.size()), '0') + n;
  d.body = wa_delivery(boost::json::array{wa_text(d.id, "Baum auf der Fahrbahn in der Parkstraße", unix_now(), user, phone)},
                       user, phone, "Sturm");
  return d;
}

// Worker threads posting deliveries back to back until `stop`; sorted into acknowledged (200) and
// unanswered (anything else, including a connection that broke).
class Burst {
 public:
  Burst(std::uint16_t port, int workers, std::string run) : port_(port), run_(std::move(run)) {
    for (int w = 0; w < workers; ++w) threads_.emplace_back([this, w] { loop(w); });
  }
  ~Burst() { finish(); }
  void finish() {
    stop_ = true;
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }
  void retarget(std::uint16_t port) { port_ = port; }
  std::size_t acked_count() const {
    std::lock_guard lock(mutex_);
    return acked_.size();
  }
  std::vector<Delivery> acked() const {
    std::lock_guard lock(mutex_);
    return acked_;
  }
  std::vector<Delivery> unanswered() const {
    std::lock_guard lock(mutex_);
    return unanswered_;
  }
  std::map<int, int> statuses() const {
    std::lock_guard lock(mutex_);
    return statuses_;
  }
  std::chrono::milliseconds slowest_refusal() const {
    std::lock_guard lock(mutex_);
    return slowest_refusal_;
  }

 private:
  void loop(int worker) {
    for (int seq = 0; !stop_; ++seq) {
      auto d = make_delivery(run_, worker, seq);
      int status = 0;
      const auto started = Clock::now();
      try {
        status = post_webhook(port_.load(), d.body).status;
      } catch (const std::exception&) {
        status = 0;  // connection refused or broken
      }
      const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started);
      std::lock_guard lock(mutex_);
      ++statuses_[status];
      if (status == 200) {
        acked_.push_back(std::move(d));
      } else {
        if (status == 503) slowest_refusal_ = std::max(slowest_refusal_, took);
        unanswered_.push_back(std::move(d));
      }
      if (status != 200) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }

  std::atomic<std::uint16_t> port_;
  std::string run_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> threads_;
  mutable std::mutex mutex_;
  std::vector<Delivery> acked_, unanswered_;
  std::map<int, int> statuses_;
  std::chrono::milliseconds slowest_refusal_{0};
};

std::string id_list(const std::vector<Delivery>& ds) {
  std::string out = "ARRAY[";
  for (std::size_t i = 0; i < ds.size(); ++i) out += (i ? ",'" : "'") + ds[i].id + "'";
  return out + "]::text[]";
}

// How many of these deliveries are stored as inbound messages (each id counted once per row).
long stored(const TestDatabase& db, const std::vector<Delivery>& ds) {
  if (ds.empty()) return 0;
  return std::stol(db.scalar("SELECT count(*) FROM messages WHERE channel = 'whatsapp' AND direction = 'inbound' "
                             "AND external_id = ANY(" + id_list(ds) + ")"));
}

std::map<std::string, std::string> whatsapp_env(const std::string& graph_url = "http://127.0.0.1:9") {
  return {{"WHATSAPP_APP_SECRET", kWaSecret},   {"WHATSAPP_VERIFY_TOKEN", kWaVerifyToken},
          {"WHATSAPP_ACCESS_TOKEN", "test-access-token"}, {"WHATSAPP_GRAPH_URL", graph_url},
          {"ANLIEGEN_OUTBOX_RETRY_BASE_MS", "600000"}};
}

bool wait_until(const std::function<bool()>& probe, std::chrono::seconds timeout) {
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    if (probe()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// A PostgreSQL cluster of this test's own (unix socket only), so it can be stopped without disturbing
// the other tests: initdb on construction, removed on destruction.
class PrivateCluster {
 public:
  PrivateCluster() {
    char tmpl[] = "/tmp/anliegen-fault-pg.XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir_ = tmpl;
    run("chmod 755 " + dir_ + (::geteuid() == 0 ? " && chown postgres: " + dir_ : ""));
    as_owner(kBin + "initdb -D " + dir_ + "/data -U anliegen --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null");
    as_owner("mkdir -p " + dir_ + "/run");
    start();
    as_owner(kBin + "createdb -h " + dir_ + "/run -p 5432 -U anliegen anliegen");
  }
  ~PrivateCluster() {
    as_owner(kBin + "pg_ctl -D " + dir_ + "/data -m immediate -w stop >/dev/null 2>&1", false);
    run("rm -rf " + dir_, false);
  }
  std::string dsn() const { return "host=" + dir_ + "/run port=5432 user=anliegen dbname=anliegen"; }
  void start() {
    as_owner(kBin + "pg_ctl -D " + dir_ + "/data -l " + dir_ + "/log -w -t 60 -o \"-p 5432 -k " + dir_ +
             "/run -c listen_addresses=''\" start >/dev/null");
  }
  void stop() { as_owner(kBin + "pg_ctl -D " + dir_ + "/data -m fast -w stop >/dev/null"); }

 private:
  inline static const std::string kBin = "/usr/lib/postgresql/15/bin/";
  static void run(const std::string& cmd, bool must = true) {
    const int rc = std::system(cmd.c_str());
    if (must) REQUIRE_MESSAGE(rc == 0, cmd);
  }
  // PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user.
  void as_owner(const std::string& cmd, bool must = true) const {
    run(::geteuid() == 0 ? "runuser -u postgres -- sh -c '" + cmd + "'" : cmd, must);
  }
  std::string dir_;
};

}  // namespace

TEST_CASE("kill -9 during a burst: every acknowledged delivery is stored once, the rest is accepted when retried") {
  const auto env = whatsapp_env();
  RunningGateway gw(env);
  Burst burst(gw.port(), 6, "kill");
  REQUIRE(wait_until([&] { return burst.acked_count() >= 40; }, std::chrono::seconds(60)));
  gw.server->kill_hard();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  burst.finish();

  gw.server = std::make_unique<ServerProcess>(gw.db.dsn(), env);
  REQUIRE_MESSAGE(gw.server->wait_ready(), gw.server->log());
  const auto acked = burst.acked();
  const auto unanswered = burst.unanswered();
  INFO("acknowledged " << acked.size() << ", unanswered " << unanswered.size());
  CHECK(stored(gw.db, acked) == static_cast<long>(acked.size()));

  // The platform retries what got no 200: every retry is accepted, and nothing is stored twice.
  for (const auto& d : unanswered) CHECK(post_webhook(gw.port(), d.body).status == 200);
  CHECK(stored(gw.db, unanswered) == static_cast<long>(unanswered.size()));
  CHECK(gw.db.scalar("SELECT count(*) - count(DISTINCT external_id) FROM messages "
                     "WHERE direction = 'inbound' AND external_id LIKE 'wamid.fault.%'") == "0");
  // One Anliegen per delivery (each came from a citizen of its own), none twice.
  CHECK(gw.db.scalar("SELECT count(*) FROM anliegen") == std::to_string(acked.size() + unanswered.size()));
}

TEST_CASE("PostgreSQL stopped during a burst: quick 503s, /readyz red, recovery without a restart") {
  PrivateCluster cluster;
  ServerProcess server(cluster.dsn(), whatsapp_env());
  REQUIRE_MESSAGE(server.wait_ready(), server.log());
  Burst burst(server.port(), 4, "pgdown");
  REQUIRE(wait_until([&] { return burst.acked_count() >= 20; }, std::chrono::seconds(60)));

  cluster.stop();
  CHECK(wait_until([&] { return burst.statuses().count(503) && burst.statuses().at(503) >= 20; },
                   std::chrono::seconds(30)));
  const auto ready = http_request(server.port(), "GET", "/readyz");
  CHECK(ready.status == 503);
  // Open311 clients get the backend-down error in their own format: 400 with the list of errors.
  const auto open311 = http_request(server.port(), "GET", "/open311/v2/requests.xml");
  CHECK(open311.status == 400);
  CHECK(open311.header("content-type") == "text/xml; charset=utf-8");
  CHECK(open311.body.find("<errors><error><code>400</code>") != std::string::npos);
  CHECK(http_request(server.port(), "GET", "/healthz").status == 200);
  CHECK(server.running());

  cluster.start();
  const auto acked_before = burst.acked_count();
  CHECK(wait_until([&] { return burst.acked_count() >= acked_before + 20; }, std::chrono::seconds(30)));
  CHECK(wait_until([&] { return http_request(server.port(), "GET", "/readyz").status == 200; },
                   std::chrono::seconds(10)));
  burst.finish();
  CHECK(server.running());

  const auto statuses = burst.statuses();
  for (const auto& [status, n] : statuses) {
    INFO("status " << status << " answered " << n << " times");
    CHECK((status == 200 || status == 503));  // never a 500, never a broken connection
  }
  // A 503 must come fast, so that the platform retries instead of timing out on us.
  CHECK(burst.slowest_refusal() < std::chrono::seconds(5));

  // Every delivery that got a 200 is stored; the refused ones are accepted when retried, once each.
  const auto acked = burst.acked();
  const auto refused = burst.unanswered();
  for (const auto& d : refused) CHECK(post_webhook(server.port(), d.body).status == 200);
  const auto count = [&](const std::vector<Delivery>& ds) {
    return std::stol(query_scalar(cluster.dsn(), "SELECT count(*) FROM messages WHERE direction = 'inbound' "
                                                 "AND external_id = ANY(" + id_list(ds) + ")"));
  };
  CHECK(count(acked) == static_cast<long>(acked.size()));
  CHECK(count(refused) == static_cast<long>(refused.size()));
  CHECK(query_scalar(cluster.dsn(), "SELECT count(*) FROM anliegen") == std::to_string(acked.size() + refused.size()));
  CHECK(server.terminate() == 0);
}

TEST_CASE("outbox against a failing platform, two gateway instances: every reply delivered exactly once") {
  // The platform: of every ten calls, three fail with 500, one is never answered (the sender's timeout
  // hits), six are accepted. Only accepted calls count as delivered.
  FakePlatform platform;
  std::mutex mutex;
  std::map<std::string, int> accepted;  // request body -> times accepted
  std::atomic<int> calls{0};
  platform.on("POST", "/", [&](const RecordedRequest& r) {
    const int n = calls++;
    if (n % 10 < 3) return FakeResponse{500, "application/json", R"({"error":{"message":"boom","code":1}})", {}};
    if (n % 10 == 3) return FakeResponse{0, "", "", {}};  // time out
    std::lock_guard lock(mutex);
    ++accepted[r.body];
    return FakeResponse{200, "application/json",
                        R"({"messaging_product":"whatsapp","messages":[{"id":"wamid.OUT-)" + std::to_string(n) + R"("}]})",
                        {}};
  });
  auto env = whatsapp_env(platform.base_url());
  env["ANLIEGEN_OUTBOX_RETRY_BASE_MS"] = "50";
  env["ANLIEGEN_SEND_TIMEOUT_MS"] = "400";
  TestDatabase db;
  ServerProcess a(db.dsn(), env), b(db.dsn(), env);
  REQUIRE_MESSAGE(a.wait_ready(), a.log());
  REQUIRE_MESSAGE(b.wait_ready(), b.log());
  const auto office = create_token(db.dsn(), "office");

  // Twenty citizens write (each gets an automatic answer), then a clerk answers each of them.
  constexpr int kCitizens = 20;
  for (int i = 0; i < kCitizens; ++i) {
    const auto d = make_delivery("outbox", 0, i);
    REQUIRE(post_webhook(i % 2 ? a.port() : b.port(), d.body).status == 200);
  }
  std::vector<std::string> ids;
  for (int i = 0; i < kCitizens; ++i) {
    ids.push_back(db.scalar("SELECT id FROM anliegen ORDER BY id OFFSET " + std::to_string(i) + " LIMIT 1"));
  }
  for (int i = 0; i < kCitizens; ++i) {
    const auto res = http_request(i % 2 ? b.port() : a.port(), "POST", "/api/v1/cases/" + ids[i] + "/replies",
                                  R"({"text":"Antwort Nr. )" + std::to_string(i) + R"( aus dem Fachbereich"})",
                                  {{"Content-Type", "application/json"}, {"Authorization", "Bearer " + office}});
    REQUIRE_MESSAGE(res.status == 202, res.body);
  }

  const bool settled = wait_until(
      [&] { return db.scalar("SELECT count(*) FROM outbox WHERE state <> 'done'") == "0"; }, std::chrono::seconds(90));
  INFO(db.scalar("SELECT string_agg(state || ':' || attempts || ':' || last_error, ' | ') FROM outbox WHERE state <> 'done'"));
  CHECK(settled);
  const auto rows = std::stoi(db.scalar("SELECT count(*) FROM outbox"));
  CHECK(rows == 2 * kCitizens);
  std::lock_guard lock(mutex);
  CHECK(static_cast<int>(accepted.size()) == rows);
  for (const auto& [body, times] : accepted) {
    INFO(body);
    CHECK(times == 1);
  }
  CHECK(calls.load() > rows);  // the platform really failed some calls
}

TEST_CASE("a delivery that cannot be processed is kept as a dead letter and acknowledged; NUL is dropped") {
  RunningGateway gw(whatsapp_env());
  const auto now = unix_now();
  // JSON may carry \u0000, PostgreSQL text cannot: the character is dropped, the message stored.
  const auto with_nul = wa_delivery(boost::json::array{wa_text("wamid.nul.1", std::string("Laterne") + '\0' + " kaputt", now)});
  CHECK(with_nul.find("\\u0000") != std::string::npos);
  CHECK(post_webhook(gw.port(), with_nul).status == 200);
  CHECK(gw.db.scalar("SELECT text FROM messages WHERE external_id = 'wamid.nul.1'") == "Laterne kaputt");

  // A failure nobody foresaw (here a trigger refuses one text): Meta would resend a 500 for a week and
  // fail the same way each time. The raw delivery is kept as a dead letter instead, and answered 200.
  gw.db.scalar(R"sql(CREATE FUNCTION refuse_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
                     BEGIN IF NEW.text = 'Bitte ablehnen' THEN RAISE EXCEPTION 'refused for the test'; END IF;
                     RETURN NEW; END $$;
                     CREATE TRIGGER refuse_for_test BEFORE INSERT ON messages
                     FOR EACH ROW EXECUTE FUNCTION refuse_for_test())sql");
  const auto failing = wa_delivery(boost::json::array{wa_text("wamid.fail.1", "Bitte ablehnen", now),
                                                      wa_text("wamid.fail.2", "Und dieser Text", now)});
  CHECK(post_webhook(gw.port(), failing).status == 200);
  CHECK(gw.db.scalar("SELECT count(*) FROM inbox WHERE state = 'dead_letter' AND error LIKE 'processing failed:%'") == "1");
  CHECK(gw.db.scalar("SELECT count(*) FROM messages WHERE external_id LIKE 'wamid.fail.%'") == "0");
  CHECK(post_webhook(gw.port(), failing).status == 200);  // the platform's retry: recognised, stored once
  CHECK(gw.db.scalar("SELECT count(*) FROM inbox WHERE state = 'dead_letter'") == "1");
  CHECK(gw.server->log().find("Bitte ablehnen") == std::string::npos);  // no citizen text in the log

  // Deliveries after it are processed as usual.
  CHECK(post_webhook(gw.port(), wa_delivery(boost::json::array{wa_text("wamid.after.1", "Alles gut", now)})).status == 200);
  CHECK(gw.db.scalar("SELECT count(*) FROM messages WHERE external_id = 'wamid.after.1'") == "1");
}

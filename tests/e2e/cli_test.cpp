#include <doctest/doctest.h>

#include <fstream>

#include "test_env.hpp"

using namespace anliegen::testing;

TEST_CASE("--help and --version") {
  auto help = run_anliegen({"--help"}, {});
  CHECK(help.status == 0);
  CHECK(help.out.find("anliegen serve") != std::string::npos);
  auto version = run_anliegen({"--version"}, {});
  CHECK(version.status == 0);
  CHECK(version.out.rfind("anliegen ", 0) == 0);
}

TEST_CASE("unknown commands and flags print usage and exit 2") {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {}, {"frobnicate"}, {"serve", "--fast"}, {"token"}, {"token", "create", "--role", "king"},
           {"token", "create", "--role", "clerk"}, {"token", "create", "--role", "admin", "--bogus"}}) {
    auto r = run_anliegen(args, {{"ANLIEGEN_DATABASE_URL", "host=/nonexistent"}});
    CAPTURE(args.size());
    CHECK(r.status == 2);
    CHECK(r.err.find("Usage:") != std::string::npos);
  }
}

TEST_CASE("bad configuration names the key and exits 2") {
  auto no_db = run_anliegen({"serve"}, {});
  CHECK(no_db.status == 2);
  CHECK(no_db.err.find("ANLIEGEN_DATABASE_URL") != std::string::npos);

  auto bad_listen = run_anliegen({"serve"}, {{"ANLIEGEN_DATABASE_URL", "host=/x"}, {"ANLIEGEN_LISTEN", "nowhere"}});
  CHECK(bad_listen.status == 2);
  CHECK(bad_listen.err.find("ANLIEGEN_LISTEN") != std::string::npos);

  auto bad_pool = run_anliegen({"serve"}, {{"ANLIEGEN_DATABASE_URL", "host=/x"}, {"ANLIEGEN_DB_POOL_SIZE", "lots"}});
  CHECK(bad_pool.status == 2);
  CHECK(bad_pool.err.find("ANLIEGEN_DB_POOL_SIZE") != std::string::npos);

  auto bad_workers = run_anliegen({"serve"}, {{"ANLIEGEN_DATABASE_URL", "host=/x"}, {"ANLIEGEN_OUTBOX_WORKERS", "-1"}});
  CHECK(bad_workers.status == 2);
  CHECK(bad_workers.err.find("ANLIEGEN_OUTBOX_WORKERS") != std::string::npos);

  auto bad_retention = run_anliegen({"serve"}, {{"ANLIEGEN_DATABASE_URL", "host=/x"}, {"ANLIEGEN_RETENTION_DAYS", "ein Jahr"}});
  CHECK(bad_retention.status == 2);
  CHECK(bad_retention.err.find("ANLIEGEN_RETENTION_DAYS") != std::string::npos);
  auto unknown_channel =
      run_anliegen({"serve"}, {{"ANLIEGEN_DATABASE_URL", "host=/x"}, {"ANLIEGEN_RETENTION_DAYS_TELEGRAM", "30"}});
  CHECK(unknown_channel.status == 2);
  CHECK(unknown_channel.err.find("ANLIEGEN_RETENTION_DAYS_TELEGRAM") != std::string::npos);
  CHECK(unknown_channel.err.find("WHATSAPP") != std::string::npos);

  const std::string path = "/tmp/anliegen-bad-config-" + std::to_string(getpid()) + ".json";
  std::ofstream(path) << R"({"units":[{"code":"ob","name":"OB"},{"code":"Bad Code","name":"x"}]})";
  auto bad_file = run_anliegen({"serve"}, {{"ANLIEGEN_DATABASE_URL", "host=/x"}, {"ANLIEGEN_CONFIG", path}});
  CHECK(bad_file.status == 2);
  CHECK(bad_file.err.find("units[1].code") != std::string::npos);

  std::ofstream(path) << R"({"units":[{"code":"ob","name":"OB"}],"routing":{"default_unit":"ob","rules":[{"id":"r1","when":{"channels":["telegram"]},"then":{"unit":"ob"}}]}})";
  auto bad_rule = run_anliegen({"serve"}, {{"ANLIEGEN_DATABASE_URL", "host=/x"}, {"ANLIEGEN_CONFIG", path}});
  CHECK(bad_rule.status == 2);
  CHECK(bad_rule.err.find("routing") != std::string::npos);
  CHECK(bad_rule.err.find("telegram") != std::string::npos);

  // A rule's automatic answer must be one of the configured texts.
  std::ofstream(path) << R"({"units":[{"code":"ob","name":"OB"}],"routing":{"default_unit":"ob","rules":[{"id":"r1","then":{"unit":"ob","auto_reply":"reply.fehlt"}}]},"texts":{"reply.da":"Danke"}})";
  auto no_text = run_anliegen({"serve"}, {{"ANLIEGEN_DATABASE_URL", "host=/x"}, {"ANLIEGEN_CONFIG", path}});
  CHECK(no_text.status == 2);
  CHECK(no_text.err.find("routing.then.auto_reply: rule 'r1': no text 'reply.fehlt'") != std::string::npos);

  auto missing = run_anliegen({"serve"}, {{"ANLIEGEN_DATABASE_URL", "host=/x"}, {"ANLIEGEN_CONFIG", path + ".nope"}});
  CHECK(missing.status == 2);
  CHECK(missing.err.find("ANLIEGEN_CONFIG") != std::string::npos);
  std::remove(path.c_str());
}

TEST_CASE("migrate twice changes nothing; token create prints the token alone on the last line") {
  TestDatabase db;
  auto first = run_anliegen({"migrate"}, {{"ANLIEGEN_DATABASE_URL", db.dsn()}});
  REQUIRE(first.status == 0);
  CHECK(first.out.find("applied V001__init.sql") != std::string::npos);
  auto second = run_anliegen({"migrate"}, {{"ANLIEGEN_DATABASE_URL", db.dsn()}});
  CHECK(second.status == 0);
  CHECK(second.out.find("applied") == std::string::npos);
  CHECK(second.out.find("up to date") != std::string::npos);

  const auto token = create_token(db.dsn(), "admin");
  CHECK(token.rfind("anl_", 0) == 0);
  CHECK(token.size() == 47);
  // Only the hash is stored.
  CHECK(db.scalar("SELECT count(*) FROM api_tokens WHERE token_hash = '" + token + "'") == "0");
  CHECK(db.scalar("SELECT count(*) FROM api_tokens") == "1");
}

TEST_CASE("token create neither migrates nor changes the units, whatever configuration the shell has") {
  TestDatabase db;
  const std::map<std::string, std::string> shell{{"ANLIEGEN_DATABASE_URL", db.dsn()}};  // no ANLIEGEN_CONFIG
  auto unmigrated = run_anliegen({"token", "create", "--role", "admin"}, shell);
  CHECK(unmigrated.status == 1);
  CHECK(unmigrated.err.find("anliegen migrate") != std::string::npos);
  CHECK(db.scalar("SELECT to_regclass('api_tokens') IS NULL") == "t");

  // The city's units, as `serve` stored them from its configuration.
  const std::string path = "/tmp/anliegen-token-units-" + std::to_string(getpid()) + ".json";
  std::ofstream(path) << R"({"units":[{"code":"ob","name":"OB"},{"code":"bau","name":"Bau"}],)"
                         R"("routing":{"default_unit":"ob","rules":[]}})";
  {
    ServerProcess server(db.dsn(), {{"ANLIEGEN_CONFIG", path}});
    REQUIRE_MESSAGE(server.wait_ready(), server.log());
    CHECK(server.terminate() == 0);
  }
  std::remove(path.c_str());
  const auto units = [&] { return db.scalar("SELECT string_agg(code || ':' || active, ',' ORDER BY code) FROM units"); };
  REQUIRE(units() == "bau:true,ob:true");

  // The shell has the built-in demo configuration: the database's units stay as they are.
  CHECK(!create_token(db.dsn(), "clerk", "bau").empty());
  CHECK(!create_token(db.dsn(), "office").empty());
  CHECK(units() == "bau:true,ob:true");

  auto demo_unit = run_anliegen({"token", "create", "--role", "clerk", "--unit", "tiefbau"}, shell);
  CHECK(demo_unit.status == 2);
  CHECK(demo_unit.err.find("tiefbau") != std::string::npos);
  auto unknown_unit = run_anliegen({"token", "create", "--role", "clerk", "--unit", "mond"}, shell);
  CHECK(unknown_unit.status == 2);
  CHECK(unknown_unit.err.find("mond") != std::string::npos);
  CHECK(units() == "bau:true,ob:true");
  CHECK(db.scalar("SELECT count(*) FROM api_tokens") == "2");
}

TEST_CASE("an unreachable database is a runtime failure (exit 1), not a crash") {
  auto r = run_anliegen({"migrate"}, {{"ANLIEGEN_DATABASE_URL", "host=/nonexistent-socket-dir user=x dbname=y"}});
  CHECK(r.status == 1);
  CHECK(r.err.find("database") != std::string::npos);
}

TEST_CASE("tokens can be listed (never shown) and revoked") {
  TestDatabase db;
  REQUIRE(run_anliegen({"migrate"}, {{"ANLIEGEN_DATABASE_URL", db.dsn()}}).status == 0);
  const auto token = create_token(db.dsn(), "office");
  auto list = run_anliegen({"token", "list"}, {{"ANLIEGEN_DATABASE_URL", db.dsn()}});
  REQUIRE(list.status == 0);
  CHECK(list.out.find("office") != std::string::npos);
  CHECK(list.out.find(token) == std::string::npos);
  const auto id = db.scalar("SELECT id FROM api_tokens");
  auto revoked = run_anliegen({"token", "revoke", "--id", id}, {{"ANLIEGEN_DATABASE_URL", db.dsn()}});
  CHECK(revoked.status == 0);
  CHECK(db.scalar("SELECT revoked_at IS NOT NULL FROM api_tokens") == "t");
  auto again = run_anliegen({"token", "revoke", "--id", id}, {{"ANLIEGEN_DATABASE_URL", db.dsn()}});
  CHECK(again.status == 1);
  CHECK(run_anliegen({"token", "revoke", "--id", "abc"}, {{"ANLIEGEN_DATABASE_URL", db.dsn()}}).status == 2);
  // A revoked token no longer opens the API.
  ServerProcess server(db.dsn());
  REQUIRE(server.wait_ready());
  CHECK(http_request(server.port(), "GET", "/api/v1/cases/1", "", {{"Authorization", "Bearer " + token}}).status == 401);
}

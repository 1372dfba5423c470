#include <atomic>
#include <thread>
#include <vector>

#include <doctest/doctest.h>

#include "storage/database.hpp"
#include "storage/errors.hpp"
#include "storage/migrations.hpp"
#include "test_env.hpp"

using namespace anliegen;

TEST_CASE("connection defaults: timeout, name and TCP keepalives are added unless given") {
  CHECK(storage::with_connection_defaults("host=db dbname=a", 5) ==
        "host=db dbname=a connect_timeout=5 application_name=anliegen keepalives_idle=60 keepalives_interval=10 "
        "keepalives_count=6");
  CHECK(storage::with_connection_defaults("postgresql://db/a?keepalives_idle=30", 3) ==
        "postgresql://db/a?keepalives_idle=30&connect_timeout=3&application_name=anliegen&keepalives_interval=10"
        "&keepalives_count=6");
}

TEST_CASE("migrations apply once and a second run changes nothing") {
  testing::TestDatabase db;
  const auto first = storage::migrate(db.dsn());
  CHECK(first.version == storage::latest_schema_version());
  CHECK_FALSE(first.applied.empty());
  const auto tables_before = db.scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema='public'");
  const auto second = storage::migrate(db.dsn());
  CHECK(second.applied.empty());
  CHECK(second.version == first.version);
  CHECK(db.scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema='public'") == tables_before);
  CHECK(db.scalar("SELECT count(*) FROM schema_migrations") == std::to_string(first.applied.size()));
}

TEST_CASE("the schema has the tables the model needs") {
  testing::TestDatabase db;
  storage::migrate(db.dsn());
  for (const char* table : {"units", "citizens", "anliegen", "messages", "attachments", "routing_decisions",
                            "audit_events", "inbox", "outbox", "api_tokens"}) {
    CAPTURE(table);
    CHECK(db.scalar(std::string("SELECT to_regclass('") + table + "') IS NOT NULL") == "t");
  }
}

TEST_CASE("current_schema_version reads 0 on an empty database") {
  testing::TestDatabase db;
  auto conn = storage::Connection::open(db.dsn());
  int version = -1;
  conn->read([&](storage::Tx& tx) { version = storage::current_schema_version(tx); });
  CHECK(version == 0);
}

TEST_CASE("a binary older than the schema refuses to migrate it instead of reporting success") {
  testing::TestDatabase db;
  storage::migrate(db.dsn());
  const auto newer = std::to_string(storage::latest_schema_version() + 1);
  db.scalar("INSERT INTO schema_migrations (version, name) VALUES (" + newer + ", 'V" + newer + "__future.sql')");
  std::string message;
  try {
    storage::migrate(db.dsn());
  } catch (const storage::StorageError& e) {
    message = e.what();
  }
  CHECK(message.find("version " + newer) != std::string::npos);
  CHECK(message.find("newer") != std::string::npos);
  CHECK(storage::schema_mismatch(storage::latest_schema_version()).empty());
  CHECK(storage::schema_mismatch(0).find("anliegen migrate") != std::string::npos);
}

TEST_CASE("concurrent migrations are serialised by the advisory lock") {
  testing::TestDatabase db;
  std::vector<std::thread> threads;
  std::atomic<int> applied{0};
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] { applied += static_cast<int>(storage::migrate(db.dsn()).applied.size()); });
  }
  for (auto& t : threads) t.join();
  // Every migration applied exactly once in total (versions need not be contiguous).
  CHECK(applied == std::stoi(db.scalar("SELECT count(*) FROM schema_migrations")));
  CHECK(db.scalar("SELECT max(version) FROM schema_migrations") == std::to_string(storage::latest_schema_version()));
}

TEST_CASE("V010 stores Facebook feed comments under their bare comment id, unless that id is taken") {
  testing::TestDatabase db;
  storage::migrate(db.dsn());
  db.scalar("INSERT INTO units (code, name) VALUES ('buergerservice', 'Bürgerservice') ON CONFLICT DO NOTHING");
  const auto anliegen = db.scalar(
      "INSERT INTO anliegen (reference, kind, channel, unit_code, received_at) "
      "VALUES ('A-1', 'comment', 'facebook', 'buergerservice', now()) RETURNING id");
  const auto message = [&](const std::string& channel, const std::string& external_id) {
    db.scalar("INSERT INTO messages (anliegen_id, direction, channel, external_id, sent_at) VALUES (" + anliegen +
              ", 'inbound', '" + channel + "', '" + external_id + "', now())");
  };
  message("facebook", "111_222:add");
  message("facebook", "111_333:add");
  message("facebook", "111_333");  // the bare id is taken: the old row keeps its id
  message("instagram", "179_1:add");
  message("facebook", "m_abc");
  db.scalar("DELETE FROM schema_migrations WHERE version = 10");
  const auto again = storage::migrate(db.dsn());
  REQUIRE(again.applied.size() == 1);
  CHECK(db.scalar("SELECT string_agg(channel || ' ' || external_id, ',' ORDER BY id) FROM messages") ==
        "facebook 111_222,facebook 111_333:add,facebook 111_333,instagram 179_1:add,facebook m_abc");
}

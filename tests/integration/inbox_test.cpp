#include <doctest/doctest.h>

#include "storage/inbox.hpp"
#include "storage/migrations.hpp"
#include "test_env.hpp"

using namespace anliegen;

TEST_CASE("a delivery stored twice under one key is stored once") {
  testing::TestDatabase db;
  storage::migrate(db.dsn());
  auto conn = storage::Connection::open(db.dsn());
  bool first = false, second = true, other_channel = false;
  const std::string body = std::string("{\"a\":\"\xC3\xA4\"}") + std::string(1, '\0') + "binary";
  conn->transact([&](storage::Tx& tx) {
    first = storage::insert_inbox(tx, "whatsapp", "wamid.1", body);
    second = storage::insert_inbox(tx, "whatsapp", "wamid.1", body);
    other_channel = storage::insert_inbox(tx, "facebook", "wamid.1", body);
  });
  CHECK(first);
  CHECK_FALSE(second);
  CHECK(other_channel);
  CHECK(db.scalar("SELECT count(*) FROM inbox") == "2");
  CHECK(db.scalar("SELECT length(body) FROM inbox WHERE channel = 'whatsapp'") == std::to_string(body.size()));
}

TEST_CASE("dead letters are kept with their error") {
  testing::TestDatabase db;
  storage::migrate(db.dsn());
  auto conn = storage::Connection::open(db.dsn());
  long long dead = 0;
  conn->transact([&](storage::Tx& tx) {
    storage::insert_inbox(tx, "whatsapp", "sha256:abc", "not json", storage::InboxState::dead_letter, "bad JSON");
    dead = storage::count_inbox(tx, "whatsapp", storage::InboxState::dead_letter);
  });
  CHECK(dead == 1);
  CHECK(db.scalar("SELECT error FROM inbox") == "bad JSON");
}

TEST_CASE("retention deletes old raw deliveries and idempotency keys, and nothing younger") {
  testing::TestDatabase db;
  storage::migrate(db.dsn());
  auto conn = storage::Connection::open(db.dsn());
  conn->transact([&](storage::Tx& tx) {
    storage::insert_inbox(tx, "whatsapp", "old", "{}");
    storage::insert_inbox(tx, "whatsapp", "new", "{}");
    storage::insert_inbox(tx, "whatsapp", "dead-old", "x", storage::InboxState::dead_letter, "bad");
  });
  db.scalar("UPDATE inbox SET received_at = now() - interval '20 days' WHERE dedupe_key IN ('old', 'dead-old')");
  db.scalar("INSERT INTO event_keys (channel, key, created_at) VALUES ('whatsapp', 'k-old', now() - interval '40 days'), "
            "('whatsapp', 'k-new', now())");
  storage::Purged purged;
  conn->transact([&](storage::Tx& tx) { purged = storage::purge_expired(tx, {}); });
  CHECK(purged.inbox == 1);
  CHECK(purged.event_keys == 1);
  CHECK(db.scalar("SELECT string_agg(dedupe_key, ',' ORDER BY dedupe_key) FROM inbox") == "dead-old,new");
  CHECK(db.scalar("SELECT key FROM event_keys") == "k-new");
}

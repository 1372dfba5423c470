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

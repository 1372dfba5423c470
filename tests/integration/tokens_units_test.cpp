#include <doctest/doctest.h>

#include "storage/errors.hpp"
#include "storage/migrations.hpp"
#include "storage/tokens.hpp"
#include "storage/units.hpp"
#include "test_env.hpp"

using namespace anliegen;

TEST_CASE("units are upserted, and units no longer configured become inactive") {
  testing::TestDatabase db;
  storage::migrate(db.dsn());
  auto conn = storage::Connection::open(db.dsn());
  conn->transact([](storage::Tx& tx) {
    storage::sync_units(tx, {{"ob", "Büro", "", 5}, {"tiefbau", "Tiefbau", "", 10}});
  });
  conn->transact([](storage::Tx& tx) { storage::sync_units(tx, {{"ob", "Büro der OB", "ob@example.org", 4}}); });
  std::vector<storage::UnitWithCounts> units;
  bool tiefbau_usable = true;
  conn->read([&](storage::Tx& tx) {
    units = storage::list_units(tx);
    tiefbau_usable = storage::unit_exists(tx, "tiefbau");
  });
  REQUIRE(units.size() == 2);
  CHECK(units[0].unit.code == "ob");
  CHECK(units[0].unit.name == "Büro der OB");
  CHECK(units[0].unit.target_days == 4);
  CHECK(units[0].active);
  CHECK_FALSE(units[1].active);
  CHECK_FALSE(tiefbau_usable);
}

TEST_CASE("tokens are found by hash until revoked; clerks need a unit") {
  testing::TestDatabase db;
  storage::migrate(db.dsn());
  auto conn = storage::Connection::open(db.dsn());
  conn->transact([](storage::Tx& tx) {
    storage::sync_units(tx, {{"tiefbau", "Tiefbau", "", 10}});
    storage::insert_token(tx, "hash-admin", domain::Role::admin, "", "admin");
    storage::insert_token(tx, "hash-clerk", domain::Role::clerk, "tiefbau", "Frau Beispiel");
  });
  std::optional<storage::TokenRecord> admin, clerk, none;
  conn->read([&](storage::Tx& tx) {
    admin = storage::find_token(tx, "hash-admin");
    clerk = storage::find_token(tx, "hash-clerk");
    none = storage::find_token(tx, "hash-unknown");
  });
  REQUIRE(admin);
  CHECK(admin->role == domain::Role::admin);
  REQUIRE(clerk);
  CHECK(clerk->unit == "tiefbau");
  CHECK(clerk->name == "Frau Beispiel");
  CHECK_FALSE(none);
  CHECK_THROWS_AS(conn->transact([](storage::Tx& tx) {
    storage::insert_token(tx, "hash-x", domain::Role::clerk, "", "no unit");
  }), storage::StorageError);
  db.scalar("UPDATE api_tokens SET revoked_at = now() WHERE token_hash = 'hash-admin'");
  conn->read([&](storage::Tx& tx) { admin = storage::find_token(tx, "hash-admin"); });
  CHECK_FALSE(admin);
}

#pragma once
// A fresh test database with the schema migrated and the given units: what every storage integration
// test starts from. `db` runs SQL for checks, `conn` is the connection under test.
#include <memory>
#include <vector>

#include "domain/model.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/units.hpp"
#include "test_env.hpp"

namespace anliegen::testing {

struct MigratedDatabase {
  TestDatabase db;
  std::unique_ptr<storage::Connection> conn;

  explicit MigratedDatabase(const std::vector<domain::Unit>& units) {
    storage::migrate(db.dsn());
    conn = storage::Connection::open(db.dsn());
    conn->transact([&](storage::Tx& tx) { storage::sync_units(tx, units); });
  }
};

}  // namespace anliegen::testing

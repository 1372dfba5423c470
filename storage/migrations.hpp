#pragma once
// Versioned schema migrations (storage/migrations/V001__name.sql, compiled into the binary) and the
// check that the schema is current. `migrate` takes a PostgreSQL advisory lock, so several instances
// may start at once; each migration runs in its own transaction and is recorded in schema_migrations.
#include <string>
#include <vector>

#include "storage/database.hpp"

namespace anliegen::storage {

struct MigrationResult {
  std::vector<std::string> applied;  // names of the migrations applied now
  int version = 0;                   // schema version afterwards
};

// Throws StorageError when the database's schema is newer than this binary's.
MigrationResult migrate(const std::string& dsn);
// The highest version this binary knows.
int latest_schema_version();
// The version recorded in the database (0 when none).
int current_schema_version(Tx& tx);
// Empty when `current` is the version this binary knows; otherwise what to do about it (run
// `anliegen migrate`, or use the newer binary that migrated the database).
std::string schema_mismatch(int current);

}  // namespace anliegen::storage

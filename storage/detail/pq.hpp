#pragma once
// Private to storage/: the libpqxx types behind Connection and Tx, and small conversion helpers.
#include <pqxx/pqxx>

#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "domain/time.hpp"
#include "storage/database.hpp"

namespace anliegen::storage {

struct Tx::Impl {
  pqxx::transaction_base& tx;
};

namespace detail {

inline pqxx::transaction_base& txn(Tx& tx) { return tx.impl().tx; }

// The name under which `sql` is prepared on a connection ("s" + a hash of the text).
std::string statement_name(std::string_view sql);

// Runs `sql` as a named prepared statement of this connection: parsed and planned once per
// connection (libpqxx prepares it on first use and again after a reconnect), so the statements of the
// ingest path cost one round trip without the parser and planner. For fixed SQL only; dynamic SQL
// (built per call) goes through exec_params.
template <class... Args>
pqxx::result exec_prepared(Tx& tx, const std::string& sql, Args&&... args) {
  auto& t = txn(tx);
  const auto name = statement_name(sql);
  t.conn().prepare(name, sql);  // registers once; same name and text again is a lookup
  return t.exec_prepared(name, std::forward<Args>(args)...);
}

// The same for a statement that must return exactly one row.
template <class... Args>
pqxx::row exec_prepared1(Tx& tx, const std::string& sql, Args&&... args) {
  auto& t = txn(tx);
  const auto name = statement_name(sql);
  t.conn().prepare(name, sql);
  return t.exec_prepared1(name, std::forward<Args>(args)...);
}

// Text forms accepted by PostgreSQL casts, so that optional values can travel as strings with
// NULLIF($n, '') in SQL.
std::string timestamp_param(domain::Timestamp t);
std::string optional_timestamp_param(const std::optional<domain::Timestamp>& t);
std::string optional_double_param(const std::optional<double>& v);
std::string text_array_param(const std::vector<std::string>& values);

// Reading columns selected as `extract(epoch from x) * 1000` (bigint) and `array_to_json(a)::text`.
domain::Timestamp timestamp_from_ms(const pqxx::field& f);
std::optional<domain::Timestamp> optional_timestamp_from_ms(const pqxx::field& f);
std::vector<std::string> text_array_from_json(const pqxx::field& f);

}  // namespace detail
}  // namespace anliegen::storage

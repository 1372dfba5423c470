#pragma once
// Private to storage/: the libpqxx types behind Connection and Tx, and small conversion helpers.
#include <pqxx/pqxx>

#include <algorithm>
#include <initializer_list>
#include <optional>
#include <string_view>
#include <string>
#include <utility>
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

// The rows of a multi-row statement, column by column. Each column travels as one PostgreSQL array
// literal, unnested in SQL (`unnest($1::text[], $2::bigint[], ...) WITH ORDINALITY`), so that one
// prepared statement stores any number of rows. Values are text; NULLs travel as '' and are turned
// back with NULLIF in SQL, nested arrays as array literals cast per element (`u.tags::text[]`).
class Columns {
 public:
  explicit Columns(std::size_t count) : values_(count) {}
  void add_row(std::initializer_list<std::string> row);
  std::size_t rows() const { return values_.empty() ? 0 : values_.front().size(); }
  std::vector<std::string> params() const;  // one array literal per column

 private:
  std::vector<std::vector<std::string>> values_;
};

// Runs `sql` (fixed text) as a prepared statement with the columns as its parameters $1..$n.
pqxx::result exec_columns(Tx& tx, const std::string& sql, const Columns& columns);

// For an `INSERT ... ON CONFLICT DO NOTHING RETURNING <key1>, <key2>` of rows with these keys: which
// rows were inserted. Of equal keys only the first can be (the later ones met it as a conflict).
std::vector<bool> first_of_each(const std::vector<std::pair<std::string, std::string>>& keys,
                                const pqxx::result& returned);

// The indexes 0..n-1 ordered by key_of(i): rows written in key order take their locks in the same
// order in every transaction, so two concurrent groups cannot deadlock on each other.
template <class KeyOf>
std::vector<std::size_t> key_order(std::size_t n, KeyOf key_of) {
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return key_of(a) < key_of(b); });
  return order;
}

// A bytea value as a text literal ("\x" and hex digits), for a bytea[] column.
std::string bytea_literal(const std::string& bytes);

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

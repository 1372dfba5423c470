#pragma once
// Private to storage/: the libpqxx types behind Connection and Tx, and small conversion helpers.
#include <pqxx/pqxx>

#include <optional>
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

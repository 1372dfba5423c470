#pragma once
// Private to storage/: reading a result row's fields in order. `row[i]` builds a pqxx::field per call,
// which copies the result handle (an atomic reference count up and down); a list page reads a
// thousand fields, so the hot readers walk one field iterator along the row instead.
//
//   detail::RowCursor c(row);
//   a.id = domain::AnliegenId{c.int64()};
//   a.reference = c.text();
#include <pqxx/pqxx>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/time.hpp"

namespace anliegen::storage::detail {

class RowCursor {
 public:
  explicit RowCursor(const pqxx::row& row) : it_(row.begin()) {}

  bool is_null() const { return it_->is_null(); }
  void skip() { ++it_; }
  // Text; null reads as "".
  std::string text() { return next_value<std::string>(std::string(it_->c_str(), it_->size())); }
  // The same without a copy; valid while the result lives.
  std::string_view view() { return next_value(std::string_view(it_->c_str(), it_->size())); }
  std::int64_t int64() { return next_value(it_->as<std::int64_t>()); }
  bool boolean() { return next_value(it_->as<bool>()); }
  std::optional<std::int64_t> optional_int64() {
    return next_value(it_->is_null() ? std::nullopt : std::optional(it_->as<std::int64_t>()));
  }
  // A time selected as epoch milliseconds (bigint).
  domain::Timestamp time_ms() { return domain::from_unix_ms(int64()); }
  std::optional<domain::Timestamp> optional_time_ms() {
    const auto ms = optional_int64();
    return ms ? std::optional(domain::from_unix_ms(*ms)) : std::nullopt;
  }
  // The field under the cursor, for other conversions; call skip() after it.
  const pqxx::field& field() const { return *it_.operator->(); }

 private:
  template <class T>
  T next_value(T value) {
    ++it_;
    return value;
  }
  pqxx::row::const_iterator it_;
};

}  // namespace anliegen::storage::detail

#pragma once
// Careful accessors over Boost.JSON for untrusted Meta payloads (internal to anliegen_channels): every
// lookup tolerates a missing key or a value of the wrong type and answers "absent" instead of throwing.
//
//   if (const auto* value = obj(change, "value")) { std::string id = str(*value, "id"); ... }
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <vector>

#include "channels/adapter.hpp"
#include "domain/time.hpp"

namespace anliegen::channels::meta {

namespace json = boost::json;

// The member `key` of `o` when it is an object / array; nullptr otherwise.
const json::object* obj(const json::object& o, std::string_view key);
const json::array* arr(const json::object& o, std::string_view key);
// `v` as an object, nullptr when it is something else.
const json::object* as_obj(const json::value& v);

// A string member; integers are rendered as decimal text (ids sometimes arrive as numbers). "" otherwise.
std::string str(const json::object& o, std::string_view key);
// A boolean member; also accepts the strings "true"/"false". `fallback` otherwise.
bool flag(const json::object& o, std::string_view key, bool fallback = false);
// A number member (int or double), also from a numeric string.
std::optional<double> number(const json::object& o, std::string_view key);
// An integer member, also from a decimal string ("9128").
std::optional<std::int64_t> integer(const json::object& o, std::string_view key);
// A Unix-seconds timestamp member (string or number) as a domain timestamp.
std::optional<domain::Timestamp> unix_seconds(const json::object& o, std::string_view key);

// The envelope every Meta webhook shares: JSON object, `object` == expected_object, `entry[]`; each
// entry object goes to `parse_entry`. Never throws: problems come back as ParseResult::parse_error.
using EntryParser = void (*)(const json::object& entry, std::vector<InboundEvent>& out);
ParseResult parse_envelope(std::string_view body, std::string_view expected_object, EntryParser parse_entry);

}  // namespace anliegen::channels::meta

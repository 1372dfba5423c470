#include "channels/meta/json_access.hpp"

#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/object.hpp>

#include <charconv>
#include <cmath>
#include <limits>

namespace anliegen::channels::meta {
namespace {

const json::value* member(const json::object& o, std::string_view key) { return o.if_contains(key); }

std::optional<std::int64_t> parse_int(std::string_view s) {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

}  // namespace

const json::object* obj(const json::object& o, std::string_view key) {
  const auto* v = member(o, key);
  return v ? v->if_object() : nullptr;
}

const json::array* arr(const json::object& o, std::string_view key) {
  const auto* v = member(o, key);
  return v ? v->if_array() : nullptr;
}

const json::object* as_obj(const json::value& v) { return v.if_object(); }

std::string str(const json::object& o, std::string_view key) {
  const auto* v = member(o, key);
  if (!v) return {};
  if (const auto* s = v->if_string()) return std::string(s->data(), s->size());
  if (const auto* i = v->if_int64()) return std::to_string(*i);
  if (const auto* u = v->if_uint64()) return std::to_string(*u);
  return {};
}

bool flag(const json::object& o, std::string_view key, bool fallback) {
  const auto* v = member(o, key);
  if (!v) return fallback;
  if (const auto* b = v->if_bool()) return *b;
  if (const auto* s = v->if_string()) {
    if (*s == "true") return true;
    if (*s == "false") return false;
  }
  return fallback;
}

std::optional<double> number(const json::object& o, std::string_view key) {
  const auto* v = member(o, key);
  if (!v) return std::nullopt;
  if (const auto* d = v->if_double()) return std::isfinite(*d) ? std::optional<double>(*d) : std::nullopt;
  if (const auto* i = v->if_int64()) return static_cast<double>(*i);
  if (const auto* u = v->if_uint64()) return static_cast<double>(*u);
  if (const auto* s = v->if_string()) {
    double d = 0;
    const auto [ptr, ec] = std::from_chars(s->data(), s->data() + s->size(), d);
    if (ec == std::errc{} && ptr == s->data() + s->size() && !s->empty() && std::isfinite(d)) return d;
  }
  return std::nullopt;
}

std::optional<std::int64_t> integer(const json::object& o, std::string_view key) {
  const auto* v = member(o, key);
  if (!v) return std::nullopt;
  if (const auto* i = v->if_int64()) return *i;
  if (const auto* u = v->if_uint64()) {
    if (*u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return static_cast<std::int64_t>(*u);
    return std::nullopt;
  }
  if (const auto* s = v->if_string()) return parse_int(std::string_view(s->data(), s->size()));
  return std::nullopt;
}

std::optional<domain::Timestamp> unix_seconds(const json::object& o, std::string_view key) {
  const auto secs = integer(o, key);
  // Reject what cannot be a plausible instant (and would overflow as milliseconds).
  if (!secs || *secs < 0 || *secs > 32503680000) return std::nullopt;  // year 3000
  return domain::from_unix_ms(*secs * 1000);
}

namespace {

ParseResult parse_document(std::string_view body, std::string_view expected_object, EntryParser parse_entry) {
  ParseResult result;
  boost::system::error_code ec;
  // The document lives only while it is read into the result (which copies what it keeps), so its
  // nodes come from one arena: a typical delivery fits in the buffer, without an allocation per node.
  unsigned char buffer[8192];
  json::monotonic_resource arena(buffer, sizeof buffer);
  const json::value doc = json::parse(body, ec, &arena);
  if (ec) {
    result.parse_error = "body is not JSON: " + ec.message();
    return result;
  }
  const auto* root = doc.if_object();
  if (!root) {
    result.parse_error = "body is not a JSON object";
    return result;
  }
  if (const std::string object = str(*root, "object"); object != expected_object) {
    result.parse_error =
        "unexpected object \"" + object.substr(0, 64) + "\" (want " + std::string(expected_object) + ")";
    return result;
  }
  const auto* entries = arr(*root, "entry");
  if (!entries) {
    result.parse_error = "entry is missing or not an array";
    return result;
  }
  for (const auto& item : *entries) {
    if (const auto* entry = as_obj(item)) {
      parse_entry(*entry, result.events);
    } else {
      result.events.push_back(Ignored{"entry is not an object"});
    }
  }
  return result;
}

}  // namespace

ParseResult parse_envelope(std::string_view body, std::string_view expected_object, EntryParser parse_entry) {
  try {
    return parse_document(body, expected_object, parse_entry);
  } catch (const std::exception& e) {  // allocation failure and the like: still a value, not a throw
    ParseResult result;
    result.parse_error = std::string("parser failure: ") + e.what();
    return result;
  }
}

}  // namespace anliegen::channels::meta

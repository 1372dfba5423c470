#include "gateway/api/validation.hpp"

#include <boost/json.hpp>

#include <algorithm>

#include "domain/text.hpp"

namespace anliegen::gateway {

FieldReader::FieldReader(const boost::json::object& object, std::string prefix)
    : object_(object), prefix_(std::move(prefix)), errors_(&own_) {}

FieldReader::FieldReader(const boost::json::object& object, std::string prefix, std::vector<FieldError>* shared)
    : object_(object), prefix_(std::move(prefix)), errors_(shared) {}

FieldReader FieldReader::nested(const boost::json::object& child, std::string_view key) {
  return FieldReader(child, path(key) + ".", errors_);
}

std::string FieldReader::path(std::string_view key) const { return prefix_ + std::string(key); }

void FieldReader::fail(std::string_view key, std::string message) {
  errors_->push_back({path(key), std::move(message)});
}

void FieldReader::only(std::initializer_list<std::string_view> allowed) {
  for (const auto& kv : object_) {
    if (std::find(allowed.begin(), allowed.end(), kv.key()) == allowed.end()) fail(kv.key(), "unknown field");
  }
}

std::optional<std::string> FieldReader::text(std::string_view key, std::size_t max_chars, bool required) {
  const auto* v = object_.if_contains(key);
  if (!v || v->is_null()) {
    if (required) fail(key, "is required");
    return std::nullopt;
  }
  if (!v->is_string()) {
    fail(key, "must be a string");
    return std::nullopt;
  }
  std::string s(v->as_string().data(), v->as_string().size());
  if (domain::utf8_length(s) > max_chars) {
    fail(key, "must be at most " + std::to_string(max_chars) + " characters");
    return std::nullopt;
  }
  if (s.find('\0') != std::string::npos) {
    fail(key, "must not contain NUL characters");
    return std::nullopt;
  }
  if (required && domain::is_blank(s)) {
    fail(key, "must not be empty");
    return std::nullopt;
  }
  return s;
}

std::optional<double> FieldReader::number(std::string_view key, double min, double max, bool required) {
  const auto* v = object_.if_contains(key);
  if (!v || v->is_null()) {
    if (required) fail(key, "is required");
    return std::nullopt;
  }
  if (!v->is_number()) {
    fail(key, "must be a number");
    return std::nullopt;
  }
  const double d = v->to_number<double>();
  if (!(d >= min && d <= max)) {
    fail(key, "must be between " + std::to_string(min) + " and " + std::to_string(max));
    return std::nullopt;
  }
  return d;
}

std::optional<std::vector<std::string>> FieldReader::string_list(std::string_view key, std::size_t max_items,
                                                                 std::size_t max_chars) {
  const auto* v = object_.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_array()) {
    fail(key, "must be an array of strings");
    return std::nullopt;
  }
  if (v->as_array().size() > max_items) {
    fail(key, "must have at most " + std::to_string(max_items) + " entries");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& e : v->as_array()) {
    if (!e.is_string() || e.as_string().empty() || domain::utf8_length(e.as_string()) > max_chars) {
      fail(key, "must contain non-empty strings of at most " + std::to_string(max_chars) + " characters");
      return std::nullopt;
    }
    out.emplace_back(e.as_string().data(), e.as_string().size());
  }
  return out;
}

const boost::json::object* FieldReader::object(std::string_view key) {
  const auto* v = object_.if_contains(key);
  if (!v || v->is_null()) return nullptr;
  if (!v->is_object()) {
    fail(key, "must be an object");
    return nullptr;
  }
  return &v->as_object();
}

}  // namespace anliegen::gateway

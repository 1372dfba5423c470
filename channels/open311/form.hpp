#pragma once
// application/x-www-form-urlencoded bodies and query strings as Open311 clients send them: repeated
// keys are kept in order (media_url, attribute[CODE][]), "+" is a space, and an empty value counts as
// absent ("optional" parameters may be sent empty).
//
//   auto form = parse_form("service_code=pothole&lat=49.48&media_url=&attribute%5Bsurface%5D=road");
//   first(*form, "media_url");   // std::nullopt: empty = absent
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace anliegen::channels::open311 {

using Form = std::vector<std::pair<std::string, std::string>>;

// std::nullopt for a malformed percent escape or text that is not UTF-8.
std::optional<Form> parse_form(std::string_view body);
// The first non-empty value of `key`.
std::optional<std::string> first(const Form& form, std::string_view key);
// All non-empty values of `key`, in order.
std::vector<std::string> all(const Form& form, std::string_view key);
// A comma-separated list with surrounding spaces and empty items removed.
std::vector<std::string> split_list(std::string_view text);

}  // namespace anliegen::channels::open311

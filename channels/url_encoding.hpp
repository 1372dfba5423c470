#pragma once
// Percent-encoding (RFC 3986) for the adapters: path segments and OAuth parameters on the way out,
// query and form strings on the way in.
#include <optional>
#include <string>
#include <string_view>

namespace anliegen::channels {

// Every byte but ALPHA, DIGIT, '-', '.', '_', '~' becomes %XX (upper-case hex). Also keeps an id a single
// path segment even if it contained '/', '?' or '#'.
std::string percent_encode(std::string_view s);

// Decodes %XX escapes; with `plus_is_space` (query and form strings) a '+' is a space. std::nullopt on
// a malformed escape ("%4", "%g1").
std::optional<std::string> percent_decode(std::string_view s, bool plus_is_space = true);

}  // namespace anliegen::channels

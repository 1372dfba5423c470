#pragma once
// Small text helpers for validating untrusted input: UTF-8 validity and length in code points.
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace anliegen::domain {

bool is_valid_utf8(std::string_view s);
// Decodes the code point starting at s[i] into `cp`; returns its length in bytes, or 0 when the bytes
// there are not valid UTF-8 (truncated, overlong, surrogate, out of range).
std::size_t decode_utf8(std::string_view s, std::size_t i, char32_t& cp);
// Number of Unicode code points in valid UTF-8 text.
std::size_t utf8_length(std::string_view s);
// True when `s` is empty or only white space.
bool is_blank(std::string_view s);

// Replaces each "{name}" in `text` by its value; unknown placeholders stay as they are.
std::string fill_placeholders(std::string_view text, const std::vector<std::pair<std::string, std::string>>& values);

// Limits that hold for every channel.
inline constexpr std::size_t kMaxMessageChars = 10000;
inline constexpr std::size_t kMaxNameChars = 200;

}  // namespace anliegen::domain

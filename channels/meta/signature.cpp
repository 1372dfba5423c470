#include "channels/meta/signature.hpp"

#include <algorithm>
#include <cstdint>

#include "channels/crypto.hpp"

namespace anliegen::channels::meta {
namespace {

void append_u16(std::string& out, std::uint32_t unit) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += "\\u";
  out += kHex[(unit >> 12) & 0xF];
  out += kHex[(unit >> 8) & 0xF];
  out += kHex[(unit >> 4) & 0xF];
  out += kHex[unit & 0xF];
}

// Decodes one UTF-8 sequence at s[i]; returns the code point and advances i, or U+FFFD and skips one
// byte when the sequence is invalid (truncated, overlong, surrogate, beyond U+10FFFF).
std::uint32_t decode_one(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = 0;
  std::uint32_t cp = 0;
  std::uint32_t min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) { len = 2; cp = b0 & 0x1Fu; min = 0x80; }
  else if (b0 >= 0xE0 && b0 <= 0xEF) { len = 3; cp = b0 & 0x0Fu; min = 0x800; }
  else if (b0 >= 0xF0 && b0 <= 0xF4) { len = 4; cp = b0 & 0x07u; min = 0x10000; }
  if (len == 0 || i + len > s.size()) {
    ++i;
    return 0xFFFD;
  }
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return 0xFFFD;
    }
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return 0xFFFD;
  }
  i += len;
  return cp;
}

}  // namespace

std::string escape_non_ascii(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size() + utf8.size() / 2);
  std::size_t i = 0;
  while (i < utf8.size()) {
    if (static_cast<unsigned char>(utf8[i]) < 0x80) {
      out += utf8[i++];
      continue;
    }
    const std::uint32_t cp = decode_one(utf8, i);
    if (cp <= 0xFFFF) {
      append_u16(out, cp);
    } else {
      const std::uint32_t v = cp - 0x10000;
      append_u16(out, 0xD800 + (v >> 10));
      append_u16(out, 0xDC00 + (v & 0x3FF));
    }
  }
  return out;
}

SignatureResult verify_meta_signature(std::string_view raw_body, std::string_view header_value,
                                      std::span<const std::string> secrets) {
  const auto header = parse_signature_header(header_value);
  if (header.result != SignatureResult::ok) return header.result;
  const auto& expected = header.digest;

  if (hmac_matches_any(raw_body, expected, secrets)) return SignatureResult::ok;
  const bool has_non_ascii =
      std::any_of(raw_body.begin(), raw_body.end(), [](char c) { return static_cast<unsigned char>(c) >= 0x80; });
  if (has_non_ascii && hmac_matches_any(escape_non_ascii(raw_body), expected, secrets)) return SignatureResult::ok;
  return SignatureResult::mismatch;
}

std::string meta_signature(std::string_view secret, std::string_view body) {
  return signature_header(secret, body);
}

}  // namespace anliegen::channels::meta

#include "channels/crypto.hpp"
#include "channels/holdieob/events.hpp"

namespace anliegen::channels::holdieob {
namespace {

constexpr std::string_view kPrefix = "sha256=";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

SignatureResult verify_signature(std::string_view raw_body, std::string_view header_value,
                                 std::span<const std::string> secrets) {
  const auto header = trim(header_value);
  if (header.empty()) return SignatureResult::missing;
  if (!header.starts_with(kPrefix)) return SignatureResult::malformed;
  // digest_from_hex takes exactly 64 hex digits, so "sha256=sha256=..." is malformed too.
  const auto expected = digest_from_hex(header.substr(kPrefix.size()));
  if (!expected) return SignatureResult::malformed;
  return hmac_matches_any(raw_body, *expected, secrets) ? SignatureResult::ok : SignatureResult::mismatch;
}

std::string sign(std::string_view secret, std::string_view body) {
  return std::string(kPrefix) + to_hex(hmac_sha256(secret, body));
}

}  // namespace anliegen::channels::holdieob

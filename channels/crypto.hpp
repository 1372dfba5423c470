#pragma once
// Cryptographic helpers shared by adapters and the gateway: HMAC-SHA256, SHA-256, constant-time
// comparison, hex and base64, and random tokens. Thin wrappers over OpenSSL.
#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace anliegen::channels {

using Digest = std::array<unsigned char, 32>;

Digest hmac_sha256(std::string_view key, std::string_view message);
Digest sha256(std::string_view data);

std::string to_hex(const Digest& d);  // lowercase
std::string to_base64(std::string_view bytes);
std::string to_base64(const Digest& d);
std::optional<std::string> from_base64(std::string_view text);
// Accepts upper- and lower-case hex of exactly 64 digits.
std::optional<Digest> digest_from_hex(std::string_view hex);

// The outcome of checking a webhook's signature header (Meta, holdieob, ...).
enum class SignatureResult {
  ok,
  missing,    // no header (or an empty one)
  malformed,  // not `sha256=` + 64 hex digits (e.g. the legacy `sha1=` scheme)
  mismatch,   // well-formed but no configured secret produces it
};
std::string_view to_string(SignatureResult r);

// A `sha256=<hex>` signature header value (surrounding blanks ignored), as Meta and holdieob send it.
struct SignatureHeader {
  SignatureResult result = SignatureResult::missing;  // ok, missing or malformed
  Digest digest{};                                    // when ok
};
SignatureHeader parse_signature_header(std::string_view header_value);
// The header value for `body` signed with `secret`: `sha256=` + lowercase hex HMAC-SHA256.
std::string signature_header(std::string_view secret, std::string_view body);

// Constant-time equality of two byte strings (length is not secret).
bool constant_time_equal(std::string_view a, std::string_view b);

// Whether `expected` is the HMAC-SHA256 of `message` under any non-empty key in `secrets` (several
// during a key rotation). Every key is tried, each comparison constant-time; an empty key never matches.
bool hmac_matches_any(std::string_view message, const Digest& expected, std::span<const std::string> secrets);

// `bytes` cryptographically random bytes, base64url without padding.
std::string random_token(std::size_t bytes);

}  // namespace anliegen::channels

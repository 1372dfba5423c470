#include "channels/crypto.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

namespace anliegen::channels {

Digest hmac_sha256(std::string_view key, std::string_view message) {
  Digest out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), out.data(), &len);
  return out;
}

Digest sha256(std::string_view data) {
  Digest out{};
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_sha256(), nullptr);
  return out;
}

std::string to_hex(const Digest& d) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  s.reserve(64);
  for (unsigned char c : d) {
    s += kHex[c >> 4];
    s += kHex[c & 0xF];
  }
  return s;
}

std::string to_base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  return out;
}

std::string to_base64(const Digest& d) {
  return to_base64(std::string_view(reinterpret_cast<const char*>(d.data()), d.size()));
}

std::optional<std::string> from_base64(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(3 * text.size() / 4, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  std::size_t len = static_cast<std::size_t>(n);
  if (!text.empty() && text.back() == '=') --len;
  if (text.size() > 1 && text[text.size() - 2] == '=') --len;
  out.resize(len);
  return out;
}

std::optional<Digest> digest_from_hex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Digest d{};
  for (std::size_t i = 0; i < 32; ++i) {
    const int hi = nibble(hex[2 * i]);
    const int lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    d[i] = static_cast<unsigned char>(hi << 4 | lo);
  }
  return d;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

SignatureHeader parse_signature_header(std::string_view header_value) {
  constexpr std::string_view kPrefix = "sha256=";
  auto header = header_value;
  while (!header.empty() && (header.front() == ' ' || header.front() == '\t')) header.remove_prefix(1);
  while (!header.empty() && (header.back() == ' ' || header.back() == '\t')) header.remove_suffix(1);
  if (header.empty()) return {SignatureResult::missing, {}};
  if (!header.starts_with(kPrefix)) return {SignatureResult::malformed, {}};
  // digest_from_hex takes exactly 64 hex digits, so "sha256=sha256=..." is malformed too.
  const auto digest = digest_from_hex(header.substr(kPrefix.size()));
  if (!digest) return {SignatureResult::malformed, {}};
  return {SignatureResult::ok, *digest};
}

std::string signature_header(std::string_view secret, std::string_view body) {
  return "sha256=" + to_hex(hmac_sha256(secret, body));
}

bool hmac_matches_any(std::string_view message, const Digest& expected, std::span<const std::string> secrets) {
  const auto bytes = [](const Digest& d) { return std::string_view(reinterpret_cast<const char*>(d.data()), d.size()); };
  bool found = false;
  for (const auto& secret : secrets) {
    if (secret.empty()) continue;  // an empty key would be a forgeable signature
    found |= constant_time_equal(bytes(hmac_sha256(secret, message)), bytes(expected));
  }
  return found;
}

std::string random_token(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("no randomness available from OpenSSL");
  }
  std::string b64 = to_base64(raw);
  for (char& c : b64) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return b64;
}

std::string_view to_string(SignatureResult r) {
  switch (r) {
    case SignatureResult::ok: return "ok";
    case SignatureResult::missing: return "missing signature header";
    case SignatureResult::malformed: return "malformed signature header";
    case SignatureResult::mismatch: return "signature mismatch";
  }
  return "unknown";
}

}  // namespace anliegen::channels

#include "channels/crypto.hpp"
#include "channels/holdieob/events.hpp"

namespace anliegen::channels::holdieob {

SignatureResult verify_signature(std::string_view raw_body, std::string_view header_value,
                                 std::span<const std::string> secrets) {
  const auto header = parse_signature_header(header_value);
  if (header.result != SignatureResult::ok) return header.result;
  return hmac_matches_any(raw_body, header.digest, secrets) ? SignatureResult::ok : SignatureResult::mismatch;
}

std::string sign(std::string_view secret, std::string_view body) { return signature_header(secret, body); }

}  // namespace anliegen::channels::holdieob

#pragma once
// Meta webhook signatures (WhatsApp, Messenger, Instagram): `X-Hub-Signature-256: sha256=<hex>` is the
// HMAC-SHA256 of the raw request body keyed with the App Secret. Verify before parsing:
//
//   if (verify_meta_signature(req.body, req.header("X-Hub-Signature-256"), settings.app_secrets)
//       != SignatureResult::ok) { ... answer 401 ... }
//
// Several secrets may be configured (current and previous during a rotation); any one may match.
// When the raw bytes do not match and the body contains non-ASCII bytes, the check is repeated over a
// copy in which every non-ASCII code point is written as \uXXXX (Meta's "escaped unicode" note).
#include <span>
#include <string>
#include <string_view>

#include "channels/crypto.hpp"

namespace anliegen::channels::meta {

inline constexpr std::string_view kSignatureHeader = "X-Hub-Signature-256";

using channels::SignatureResult;
using channels::to_string;

// Checks `header_value` against every non-empty secret in `secrets`, first over the raw bytes, then
// (for bodies with bytes >= 0x80) over escape_non_ascii(raw_body). Comparisons are constant-time.
SignatureResult verify_meta_signature(std::string_view raw_body, std::string_view header_value,
                                      std::span<const std::string> secrets);

// "sha256=" + lowercase hex HMAC-SHA256(secret, body): what Meta would send (for fakes and tests).
std::string meta_signature(std::string_view secret, std::string_view body);

// Replaces every non-ASCII UTF-8 code point by \uXXXX (lowercase hex; UTF-16 surrogate pairs above
// U+FFFF). Invalid UTF-8 bytes become \ufffd, as a UTF-8 decoder would make them. ASCII is unchanged.
std::string escape_non_ascii(std::string_view utf8);

}  // namespace anliegen::channels::meta

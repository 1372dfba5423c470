#pragma once
// The Meta webhook subscription handshake (WhatsApp, Messenger, Instagram):
//
//   GET /webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=<token>&hub.challenge=<random>
//
// is answered with 200 and the challenge verbatim as text/plain when the mode is `subscribe` and the
// token equals the configured verify token (constant-time); anything else gets 403. The GET is not signed.
#include <optional>
#include <string>
#include <string_view>

#include "channels/adapter.hpp"

namespace anliegen::channels::meta {

// Answers the handshake for a request target ("/path?query", still URL-encoded). Missing or empty
// parameters, an unknown mode and an empty configured `verify_token` all give 403.
HttpReply meta_handshake(std::string_view target, std::string_view verify_token);

// The URL-decoded value of the first query parameter called `name` (matched literally after decoding,
// so "hub.mode" works), or std::nullopt when absent or badly encoded. `+` decodes to a space.
std::optional<std::string> query_param(std::string_view target, std::string_view name);

}  // namespace anliegen::channels::meta

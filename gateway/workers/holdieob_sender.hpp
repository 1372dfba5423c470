#pragma once
// Sends holdieob outbox rows (kind "callback"): the stored invitation.decided body is POSTed to
// HOLDIEOB_CALLBACK_URL with `X-Holdieob-Signature: sha256=<hex HMAC of the body with HOLDIEOB_SECRET>`
// (signed when sent, so a rotated secret is used for rows still waiting). 2xx = accepted; any other
// answer and network errors are retried with back-off (at most an hour apart) until holdieob accepts.
#include <memory>

#include "channels/adapter.hpp"
#include "gateway/settings.hpp"
#include "gateway/workers/outbox_dispatcher.hpp"

namespace anliegen::gateway {

std::shared_ptr<OutboxSender> make_holdieob_sender(const HoldieobSettings& settings);

// How the callback's HTTP status is treated (pure, for tests).
channels::SendOutcome classify_callback_status(int http_status, std::string_view body);

}  // namespace anliegen::gateway

#pragma once
// Sends X outbox rows: DMs via /2/dm_conversations/with/{participant}/messages, public replies via
// /2/tweets, signed with OAuth 1.0a (X_CONSUMER_KEY, X_ACCESS_TOKEN, ...) or with
// `Authorization: Bearer X_USER_TOKEN` (see x_authorizer).
#include <memory>

#include "channels/adapter.hpp"
#include "gateway/settings.hpp"
#include "gateway/workers/outbox_dispatcher.hpp"

namespace anliegen::gateway {

std::shared_ptr<OutboxSender> make_x_sender(const XChannelSettings& settings,
                                            std::shared_ptr<const channels::Adapter> adapter);

}  // namespace anliegen::gateway

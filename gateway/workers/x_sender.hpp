#pragma once
// Sends X outbox rows: DMs via /2/dm_conversations/with/{participant}/messages, public replies via
// /2/tweets, with `Authorization: Bearer X_USER_TOKEN`.
#include <memory>

#include "channels/adapter.hpp"
#include "gateway/settings.hpp"
#include "gateway/workers/outbox_dispatcher.hpp"

namespace anliegen::gateway {

std::shared_ptr<OutboxSender> make_x_sender(const XChannelSettings& settings,
                                            std::shared_ptr<const channels::Adapter> adapter);

}  // namespace anliegen::gateway

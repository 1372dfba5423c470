#pragma once
// Sends Facebook and Instagram outbox rows through the Graph API (Send API and comment replies), and X
// rows through the X API: the channel's adapter renders the request, the gateway adds the base URL and
// the Authorization header (a bearer token, or X's OAuth 1.0a signature), and the adapter classifies
// the answer.
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "channels/adapter.hpp"
#include "gateway/workers/outbox_dispatcher.hpp"
#include "gateway/workers/platform_auth.hpp"

namespace anliegen::gateway {

// Renders a reply; `human_agent` is set when the outbox payload says "human_agent": true (Messenger
// and Instagram between 24 hours and 7 days after the citizen's last message).
using RenderMessage =
    std::function<channels::OutboundRequest(const channels::ReplyTarget& target, std::string_view text, bool human_agent)>;

// A sender for outbox rows of kind "reply": base_url + rendered path, `Authorization: <authorize(...)>`
// (bearer_authorizer(token) for Meta).
std::shared_ptr<OutboxSender> make_graph_sender(std::string base_url, Authorizer authorize,
                                                std::shared_ptr<const channels::Adapter> adapter,
                                                RenderMessage render,
                                                std::chrono::milliseconds timeout = std::chrono::seconds(15));

}  // namespace anliegen::gateway

#pragma once
// The Facebook channel: Messenger conversations with the city's Page and comments on the Page's feed.
// Verifies X-Hub-Signature-256 and answers the hub.challenge handshake exactly like WhatsApp
// (channels/meta), parses `object:"page"` webhooks into channel events and renders replies.
// Pure: no I/O. The gateway adds the base URL (graph_url) and `Authorization: Bearer <page_token>`.
//
//   auto fb = make_facebook_adapter({.app_secrets = {current}, .verify_token = token, ...});
//   if (auto rejected = fb->verify(request)) return reply(rejected->status, rejected->message);
//   ParseResult parsed = fb->parse(request);
//   OutboundRequest send = fb->render_reply(target, text);   // RESPONSE, or a comment reply
//   OutboundRequest late = render_message(target, text, /*human_agent_tag=*/true);  // day 2..7
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "channels/adapter.hpp"

namespace anliegen::channels::facebook {

struct FacebookSettings {
  std::vector<std::string> app_secrets;  // current first, then previous ones during a rotation
  std::string verify_token;              // the dashboard's "Verify token" for the GET handshake
  std::string page_token;                // Page access token (used by the gateway)
  std::string graph_url;                 // e.g. https://graph.facebook.com/v23.0 (used by the gateway)
};

std::unique_ptr<Adapter> make_facebook_adapter(FacebookSettings settings);

// What Adapter::parse does, for a body whose signature was already checked. Never throws.
ParseResult parse_facebook(std::string_view body);

// The reply render_reply() makes, with the choice of Messenger label made explicit:
//  * target.is_public && !private_reply → POST /{thread_key}/comments {message} (public answer);
//  * target.is_public && private_reply  → POST /me/messages {recipient:{comment_id: thread_key}};
//  * otherwise → POST /me/messages {recipient:{id: recipient_key}, messaging_type: RESPONSE, or
//    MESSAGE_TAG + tag HUMAN_AGENT when `human_agent_tag` (outside 24 h, up to 7 days)}.
// Throws std::invalid_argument when the target names no recipient / comment.
OutboundRequest render_message(const ReplyTarget& target, std::string_view text, bool human_agent_tag);

}  // namespace anliegen::channels::facebook

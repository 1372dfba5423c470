#pragma once
// The Instagram channel: direct messages to the city's Instagram professional account and comments on
// its posts. Same handshake and X-Hub-Signature-256 as WhatsApp and Facebook (channels/meta); parses
// `object:"instagram"` webhooks into channel events and renders replies. Pure: no I/O. The gateway adds
// the base URL (graph_url) and `Authorization: Bearer <access_token>`.
//
//   auto ig = make_instagram_adapter({.app_secrets = {current}, .verify_token = token, ...});
//   if (auto rejected = ig->verify(request)) return reply(rejected->status, rejected->message);
//   ParseResult parsed = ig->parse(request);
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "channels/adapter.hpp"

namespace anliegen::channels::instagram {

struct InstagramSettings {
  std::vector<std::string> app_secrets;  // secret of the app that owns the subscription (+ previous ones)
  std::string verify_token;              // the dashboard's "Verify token" for the GET handshake
  std::string access_token;              // Page token of the linked Page (used by the gateway)
  std::string graph_url;                 // e.g. https://graph.facebook.com/v23.0 (used by the gateway)
};

std::unique_ptr<Adapter> make_instagram_adapter(InstagramSettings settings);

// What Adapter::parse does, for a body whose signature was already checked. Never throws.
ParseResult parse_instagram(std::string_view body);

// The reply render_reply() makes, with the choice of Messenger label made explicit:
//  * target.is_public && !private_reply → POST /{thread_key}/replies {message} (public answer);
//  * target.is_public && private_reply  → POST /me/messages {recipient:{comment_id: thread_key}};
//  * otherwise → POST /me/messages {recipient:{id}, messaging_type: RESPONSE, or MESSAGE_TAG +
//    HUMAN_AGENT when `human_agent_tag`}.
// Throws std::invalid_argument when the target names no recipient / comment.
OutboundRequest render_message(const ReplyTarget& target, std::string_view text, bool human_agent_tag);

}  // namespace anliegen::channels::instagram

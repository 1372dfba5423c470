#pragma once
// Internal to anliegen_channels: the Messenger Platform pieces that Facebook Messenger and Instagram
// share — one `entry[].messaging[]` / `standby[]` event → channel events, and the Send API
// (`POST /me/messages`) with the classification of its answers.
//
//   MessagingContext ctx{.channel = domain::Channel::facebook, .account_id = page_id};
//   for (const auto& ev : *messaging) parse_messaging_event(*as_obj(ev), ctx, out);
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "channels/adapter.hpp"
#include "channels/meta/json_access.hpp"

namespace anliegen::channels::meta {

struct MessagingContext {
  domain::Channel channel = domain::Channel::facebook;
  std::string account_id;  // entry.id: the Page or Instagram professional account
  bool standby = false;    // from `standby[]` (another app owns the thread)
};

// Appends the event(s) for one messaging object: message (echoes → Ignored "echo", IG is_deleted →
// MessageWithdrawn), postback, reaction, read, delivery, message_edit; anything else → Ignored.
void parse_messaging_event(const json::object& event, const MessagingContext& ctx, std::vector<InboundEvent>& out);

// Iterates `messaging[]` and `standby[]` of one entry; false when the entry has neither.
bool parse_messaging_arrays(const json::object& entry, domain::Channel channel, std::vector<InboundEvent>& out);

// An epoch member in milliseconds (Messenger `timestamp`, `entry.time`). Values below 10^11 are taken
// as seconds (feed and comment payloads have been observed with seconds).
std::optional<domain::Timestamp> epoch_auto(const json::object& o, std::string_view key);

// How a Send API message is labelled: inside the 24-hour window, or with the HUMAN_AGENT tag (7 days).
enum class MessagingType { response, human_agent };

// POST /me/messages {recipient:{id}, messaging_type, [tag], message:{text}}. Throws
// std::invalid_argument when `recipient_id` is empty.
OutboundRequest render_send_api_text(std::string_view recipient_id, std::string_view text, MessagingType type);
// POST /me/messages {recipient:{comment_id}, message:{text}}: a private reply to a public comment.
OutboundRequest render_private_reply(std::string_view comment_id, std::string_view text);
// POST /{comment_id}/{edge} {message}: a public answer under a comment (edge "comments" or "replies").
OutboundRequest render_comment_reply(std::string_view comment_id, std::string_view edge, std::string_view text);

// Classifies a Graph API answer to the requests above:
//  * 2xx → accepted, platform_message_id = message_id (Send API) or id (comment replies);
//  * error code 10 or subcode 2018278 (outside the messaging window) → permanent_failure, code "10";
//  * codes 1, 2, 4, 17, 32, 613, HTTP 429 and 5xx (also unparsable) → retry;
//  * every other 4xx → permanent_failure.
SendOutcome interpret_graph_send_response(int http_status, std::string_view body);

}  // namespace anliegen::channels::meta

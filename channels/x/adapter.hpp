#pragma once
// The X (Twitter) channel: direct messages and public mentions/replies of the city account, delivered by
// the Account Activity API (AAA) or the X Activity API (XAA) to a V2 webhook. Answers the CRC
// (`GET ?crc_token=`), verifies `x-twitter-webhooks-signature` (base64 HMAC-SHA256 with the consumer
// secret, constant-time), parses deliveries and renders replies. Pure: no I/O. The gateway adds the
// base URL (api_url) and the city account's Authorization (OAuth 1.0a signature, oauth1.hpp, or
// `Bearer <user_token>`).
//
//   auto x = make_x_adapter({.consumer_secret = secret, .user_token = token, .api_url = url});
//   HttpReply crc = x->handshake(get_request);            // {"response_token":"sha256=..."}
//   if (auto rejected = x->verify(request)) return reply(rejected->status, rejected->message);
//   ParseResult parsed = x->parse(request);
#include <memory>
#include <string>
#include <string_view>

#include "channels/adapter.hpp"

namespace anliegen::channels::x {

inline constexpr std::string_view kSignatureHeader = "x-twitter-webhooks-signature";

struct XSettings {
  std::string consumer_secret;  // the app's API secret key: CRC and signature key
  // The key before a rotation, accepted for signatures during the grace period (protocol brief,
  // trap 31); the CRC is always answered with the current key.
  std::string previous_consumer_secret;
  std::string user_token;       // OAuth 2.0 user-context token of the city account, if used (gateway)
  std::string api_url;          // e.g. https://api.x.com (used by the gateway)
  std::string own_user_id;      // the city account; optional, for_user_id / filter.user_id otherwise
};

std::unique_ptr<Adapter> make_x_adapter(XSettings settings);

// "sha256=" + base64(HMAC-SHA256(consumer_secret, message)): the CRC response token and the POST
// signature (for fakes and tests).
std::string x_signature(std::string_view consumer_secret, std::string_view message);

// What Adapter::parse does, for a body whose signature was already checked. Never throws.
// `own_user_id` may be empty (then for_user_id / data.filter.user_id names the city account).
ParseResult parse_x(std::string_view body, std::string_view own_user_id = {});

// The reply render_reply() makes:
//  * target.is_public → POST /2/tweets {"text", "reply":{"in_reply_to_tweet_id": thread_key or reply_to_id}};
//  * otherwise → POST /2/dm_conversations/with/{recipient_key}/messages {"text"}.
// Throws std::invalid_argument when the target names no post / participant.
// Where a DM's media is downloaded: the path after `/2/dm_conversations/media/` of the X API,
// "<dm_id>/<media_id>/<resource_id>", the resource id being the file name that ends `media_url_https`
// (".../dm/<dm_id>/<media_id>/AbCd.jpg"). Empty when the parts are missing or not of X's shape. The
// download needs user context (OAuth 1.0a or X_USER_TOKEN); the gateway's media fetcher uses it as
// MediaRef::media_id.
std::string dm_media_path(std::string_view dm_id, std::string_view media_id, std::string_view media_url);

OutboundRequest render_x_reply(const ReplyTarget& target, std::string_view text);

// 2xx → accepted (platform_message_id = data.dm_event_id or data.id); 429, 5xx (and no answer) →
// retry; every other status → permanent_failure. error_code is X's error code/type when given,
// else "http_<status>".
SendOutcome interpret_x_response(int http_status, std::string_view body);

}  // namespace anliegen::channels::x

#pragma once
// Outbound WhatsApp Cloud API requests (pure rendering; the gateway sends them with the bearer token to
// the configured Graph URL) and the classification of the API's answers.
//
//   OutboundRequest req = render_text(target, "Danke, Ihr Anliegen hat die Nummer A-2026-000123.");
//   SendOutcome got = interpret_send_response(status, body);   // 131047 → switch to render_template
//
// Recipients: `to` = target.recipient_phone when known, else `recipient` = the BSUID in recipient_key.
// Rendering throws std::invalid_argument when the target names no account or no recipient.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "channels/adapter.hpp"

namespace anliegen::channels::whatsapp {

// POST /{account_id}/messages: a free-form text (inside the 24-hour window), quoting reply_to_id if set.
OutboundRequest render_text(const ReplyTarget& target, std::string_view text);

// POST /{account_id}/messages: an approved template with positional body parameters ({{1}}, {{2}}, ...).
OutboundRequest render_template(const ReplyTarget& target, std::string_view template_name,
                                std::string_view language_code, const std::vector<std::string>& body_params);

// POST /{phone_number_id}/calls: rejects a user-initiated call (answer: {"success":true}).
OutboundRequest render_reject_call(std::string_view phone_number_id, std::string_view call_id);

// POST /{phone_number_id}/messages: marks an inbound message (and earlier ones) read, optionally
// showing a typing indicator until the reply or ~25 s.
OutboundRequest render_mark_read(std::string_view phone_number_id, std::string_view message_id,
                                 bool typing_indicator = false);

// GET /{media_id}[?phone_number_id=...]: asks for the short-lived download URL of a media object.
OutboundRequest render_media_lookup(std::string_view media_id, std::string_view phone_number_id = {});

// The answer to render_media_lookup. The URL is valid for 5 minutes and needs the bearer token.
struct MediaInfo {
  std::string id;
  std::string url;
  std::string mime_type;
  std::string sha256_base64;
  std::int64_t file_size = 0;  // Meta sends it as a string or a number
};
// std::nullopt when the body is not JSON or has no url.
std::optional<MediaInfo> parse_media_lookup(std::string_view body);

// Classifies an HTTP answer of the Graph API to any request above:
//  * 2xx → accepted (platform_message_id = messages[0].id when present);
//  * 130429, 131056, transient Graph errors, 429, 5xx (also unparsable) → retry;
//  * 131047 (window closed; send a template instead), 131049, 131026, 131048, 132001, 190, 100,
//    131008, 131009 and every other 4xx → permanent_failure.
// error_code is Meta's numeric code as text, or "http_<status>" when the body has none.
SendOutcome interpret_send_response(int http_status, std::string_view body);

}  // namespace anliegen::channels::whatsapp

#pragma once
// What a clerk's reply may be on each channel, checked before anything is stored or queued, so that a
// reply the platform would refuse is refused here with a clear reason instead of failing later in the
// outbox: the longest text each platform delivers, and whether a public post can be answered privately.
//
//   if (auto why = reply_refusal(Channel::facebook, false, text, false)) → 422: why->field, why->message
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "domain/enums.hpp"

namespace anliegen::domain {

// The longest reply any channel takes (an X direct message), in characters.
inline constexpr std::size_t kLongestReply = 10000;

struct ReplyLimit {
  std::size_t max = 4096;
  bool in_bytes = false;      // Instagram counts UTF-8 bytes, the others characters (code points)
  std::string_view where;     // for the message: "WhatsApp", "a Messenger message", ...
};

// The limit for a reply on `channel`; `public_post` is a public answer under a post or comment.
ReplyLimit reply_limit(Channel channel, bool public_post);

struct ReplyRefusal {
  std::string field;    // the request field at fault: "text" or "private"
  std::string message;  // English, for the clerk
};

// Why `text` cannot be sent as a reply there ("" fits): too long for the platform, or a private answer
// to a public post asked for where the platform has none (X). `public_thread`: the Anliegen is a
// public comment or post; `private_reply`: the clerk asked to answer it privately.
std::optional<ReplyRefusal> reply_refusal(Channel channel, bool public_thread, std::string_view text,
                                         bool private_reply);

}  // namespace anliegen::domain

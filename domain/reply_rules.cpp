#include "domain/reply_rules.hpp"

#include "domain/text.hpp"

namespace anliegen::domain {

ReplyLimit reply_limit(Channel channel, bool public_post) {
  switch (channel) {
    case Channel::whatsapp: return {4096, false, "a WhatsApp message"};
    case Channel::facebook:
      return public_post ? ReplyLimit{4096, false, "a Facebook comment"} : ReplyLimit{2000, false, "a Messenger message"};
    case Channel::instagram:
      return public_post ? ReplyLimit{2200, false, "an Instagram comment"}
                         : ReplyLimit{1000, true, "an Instagram message"};
    case Channel::x:
      return public_post ? ReplyLimit{280, false, "a post on X"} : ReplyLimit{kLongestReply, false, "a direct message on X"};
    default: return {4096, false, "a reply"};
  }
}

std::optional<ReplyRefusal> reply_refusal(Channel channel, bool public_thread, std::string_view text,
                                         bool private_reply) {
  if (public_thread && private_reply && channel == Channel::x) {
    return ReplyRefusal{"private", "X has no private answer to a public post; answer publicly (without "
                                   "\"private\") or ask the citizen to write a direct message"};
  }
  const bool public_post = public_thread && !private_reply;
  const auto limit = reply_limit(channel, public_post);
  const auto used = limit.in_bytes ? text.size() : utf8_length(text);
  if (used <= limit.max) return std::nullopt;
  return ReplyRefusal{"text", std::string(limit.where) + " holds at most " + std::to_string(limit.max) +
                                  (limit.in_bytes ? " bytes of UTF-8" : " characters") + "; this reply has " +
                                  std::to_string(used) + ": shorten it or send it in parts"};
}

}  // namespace anliegen::domain

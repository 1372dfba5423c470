#pragma once
// What a channel adapter makes of a verified delivery: a list of platform-neutral inbound events.
// The gateway stores them (storage/) and turns them into Anliegen, messages and delivery states.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "domain/model.hpp"

namespace anliegen::channels {

// A platform media object we still have to download (WhatsApp media id, Messenger CDN URL, ...).
struct MediaRef {
  domain::AttachmentKind kind = domain::AttachmentKind::document;
  std::string media_id;       // platform id to look up (WhatsApp), may be empty
  std::string url;            // direct URL when the platform gives one, may be empty
  std::string mime_type;
  std::string sha256_base64;  // integrity as the platform states it, may be empty
  std::string filename;
  std::int64_t declared_size = 0;
};

// The citizen as the platform identifies them. `key` is the stable identity we key on
// (WhatsApp: the business-scoped user id, falling back to wa_id).
struct Sender {
  std::string key;
  std::string display_name;
  std::string phone;
  std::string email;
};

// A new message, comment or report from a citizen.
struct InboundMessage {
  domain::Channel channel = domain::Channel::whatsapp;
  domain::Kind kind = domain::Kind::message;
  std::string dedupe_key;   // platform message id (wamid, mid, tweet id, ...) or (id, verb) for feed comments
  std::string external_id;  // the id stored with the message that edits, withdrawals and replies refer to;
                            // empty = dedupe_key (see platform_id)
  std::string account_id;   // our side: phone_number_id, page id, for_user_id
  Sender sender;
  domain::Timestamp sent_at{};
  std::string type;         // the platform's own type name (text, image, audio, location, ...)
  std::string text;         // body, caption or a readable rendering of structured content
  std::vector<MediaRef> media;
  std::optional<domain::Location> location;
  std::string reply_to;     // platform id of the message this one answers, if any
  std::string thread_key;   // for public comments: the post/comment the thread hangs on
  std::vector<std::string> flags;  // forwarded, unsupported, ...
  bool is_public = false;
};

// The platform's own id of a message: what it is stored under and what later events name it by.
inline const std::string& platform_id(const InboundMessage& m) {
  return m.external_id.empty() ? m.dedupe_key : m.external_id;
}

// The citizen edited an earlier message.
struct MessageEdited {
  domain::Channel channel = domain::Channel::whatsapp;
  std::string dedupe_key;
  std::string original_id;
  std::string new_text;
  domain::Timestamp at{};
  std::string sender_key;  // the citizen's key on the channel, when the platform names it
};

// The citizen deleted ("unsent") an earlier message, or a public comment was removed.
struct MessageWithdrawn {
  domain::Channel channel = domain::Channel::whatsapp;
  std::string dedupe_key;
  std::string original_id;
  domain::Timestamp at{};
  std::string sender_key;  // the citizen's key on the channel, when the platform names it
};

// A reaction to one of the messages in a thread; `emoji` empty means the reaction was removed.
struct Reaction {
  domain::Channel channel = domain::Channel::whatsapp;
  std::string dedupe_key;
  std::string target_id;
  std::string emoji;
  Sender sender;
  domain::Timestamp at{};
};

// A delivery receipt for one of our outbound messages.
struct DeliveryStatus {
  domain::Channel channel = domain::Channel::whatsapp;
  std::string dedupe_key;      // message id + status
  std::string message_id;      // the platform id we got back when sending
  std::string status;          // sent, delivered, read, played, failed
  domain::Timestamp at{};
  std::string error_code;
  std::string error_text;
};

// A voice or video call attempt (WhatsApp Calling API).
struct CallAttempt {
  domain::Channel channel = domain::Channel::whatsapp;
  std::string dedupe_key;  // call id + event
  std::string call_id;
  std::string event;       // connect, terminate
  std::string direction;   // USER_INITIATED, BUSINESS_INITIATED
  std::string account_id;
  Sender sender;
  domain::Timestamp at{};
};

// Something the citizen sent that is no Anliegen but gets a fixed answer, the city text `text_key`
// (WhatsApp `request_welcome`: the chat was opened; `unsupported`: a message type we cannot read).
struct FixedAnswer {
  domain::Channel channel = domain::Channel::whatsapp;
  std::string dedupe_key;
  std::string account_id;
  Sender sender;
  domain::Timestamp at{};
  std::string text_key;
};

// The platform announced a citizen's new identity (WhatsApp `system` message user_changed_number or
// user_changed_user_id): the record keyed `old_key` moves to `new_key` and/or takes `new_phone`.
struct IdentityChanged {
  domain::Channel channel = domain::Channel::whatsapp;
  std::string dedupe_key;
  std::string old_key;
  std::string new_key;    // empty: the key stays
  std::string new_phone;  // empty: the phone number stays
  domain::Timestamp at{};
};

// A platform-level error report (e.g. WhatsApp value.errors[]): logged and counted.
struct PlatformError {
  domain::Channel channel = domain::Channel::whatsapp;
  std::string code;
  std::string title;
  std::string details;
};

// Something we understood and deliberately do not act on (dashboard test deliveries, echoes of our
// own messages, unknown fields). Kept so that nothing is silently dropped.
struct Ignored {
  std::string reason;
};

using InboundEvent = std::variant<InboundMessage, MessageEdited, MessageWithdrawn, Reaction, DeliveryStatus,
                                  CallAttempt, FixedAnswer, IdentityChanged, PlatformError, Ignored>;

}  // namespace anliegen::channels

// Messenger Platform messaging events (Facebook Messenger and Instagram): entry.messaging[] and
// entry.standby[] → channel events. Every event becomes exactly one or more events, an Ignored one when
// it is not acted on, so that nothing is dropped silently.
#include "channels/meta/messaging.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include <algorithm>
#include <utility>

namespace anliegen::channels::meta {
namespace {

domain::AttachmentKind attachment_kind(std::string_view type) {
  if (type == "image" || type == "story_mention") return domain::AttachmentKind::image;
  if (type == "audio") return domain::AttachmentKind::audio;
  if (type == "video" || type == "reel" || type == "ig_reel") return domain::AttachmentKind::video;
  return domain::AttachmentKind::document;  // file and whatever comes next
}

bool downloadable(std::string_view type) {
  return type == "image" || type == "audio" || type == "video" || type == "file" || type == "story_mention";
}

void add_attachments(const json::object& message, InboundMessage& msg) {
  const auto* attachments = arr(message, "attachments");
  if (!attachments) return;
  for (const auto& item : *attachments) {
    const auto* a = as_obj(item);
    if (!a) continue;
    const std::string type = str(*a, "type");
    const auto* payload = obj(*a, "payload");
    const std::string url = payload ? str(*payload, "url") : std::string{};
    if (msg.type.empty() || msg.type == "text") msg.type = type;
    if (type == "story_mention") msg.flags.push_back("story_mention");
    if (downloadable(type) && !url.empty()) {
      msg.media.push_back(MediaRef{.kind = attachment_kind(type), .url = url});
    } else {
      // Shares, reels, posts, templates, fallbacks: keep a readable trace instead of a download.
      msg.flags.push_back("attachment:" + type);
      if (!url.empty()) msg.text += (msg.text.empty() ? "" : "\n") + std::string("[") + type + "] " + url;
    }
  }
  if (msg.text.empty() && std::find(msg.flags.begin(), msg.flags.end(), "story_mention") != msg.flags.end()) {
    msg.text = "Erwähnung in einer Story";
  }
}

void parse_message(const json::object& m, const json::object& ev, const MessagingContext& ctx, Sender sender,
                   domain::Timestamp at, std::vector<InboundEvent>& out) {
  const std::string mid = str(m, "mid");
  if (flag(m, "is_echo")) {
    out.push_back(Ignored{"echo"});
    return;
  }
  if (mid.empty()) {
    out.push_back(Ignored{"message without mid"});
    return;
  }
  if (flag(m, "is_deleted")) {
    out.push_back(
        MessageWithdrawn{.channel = ctx.channel, .dedupe_key = mid + ":deleted", .original_id = mid, .at = at,
                         .sender_key = sender.key});
    return;
  }
  InboundMessage msg;
  msg.channel = ctx.channel;
  msg.dedupe_key = mid;
  msg.account_id = ctx.account_id;
  msg.sender = std::move(sender);
  msg.sent_at = at;
  if (!ev.contains("timestamp")) msg.flags.push_back("timestamp_missing");
  msg.text = str(m, "text");
  msg.type = msg.text.empty() ? "" : "text";
  add_attachments(m, msg);
  if (const auto* qr = obj(m, "quick_reply")) msg.flags.push_back("quick_reply:" + str(*qr, "payload"));
  if (const auto* reply = obj(m, "reply_to")) {
    msg.reply_to = str(*reply, "mid");
    if (const auto* story = obj(*reply, "story")) {
      msg.flags.push_back("story_reply");
      msg.reply_to = str(*story, "id");
      if (const std::string url = str(*story, "url"); !url.empty()) {
        msg.text += (msg.text.empty() ? "" : "\n") + std::string("(Antwort auf Story: ") + url + ")";
      }
    }
  }
  if (flag(m, "is_unsupported")) {
    if (msg.text.empty() && msg.type.empty()) {
      // Nothing we can read (protocol brief trap 22): no Anliegen, a polite fixed answer.
      out.push_back(FixedAnswer{.channel = ctx.channel, .dedupe_key = mid, .account_id = ctx.account_id,
                                .sender = std::move(msg.sender), .at = at, .text_key = "meta.unsupported"});
      return;
    }
    msg.flags.push_back("unsupported");
  }
  if (obj(m, "referral")) msg.flags.push_back("referral");
  if (ctx.standby) msg.flags.push_back("standby");
  if (msg.type.empty()) msg.type = "unknown";
  out.push_back(std::move(msg));
}

void parse_postback(const json::object& p, const MessagingContext& ctx, Sender sender, domain::Timestamp at,
                    std::vector<InboundEvent>& out) {
  const std::string payload = str(p, "payload");
  InboundMessage msg;
  msg.channel = ctx.channel;
  msg.dedupe_key = str(p, "mid");
  if (msg.dedupe_key.empty()) {
    msg.dedupe_key = sender.key + ":" + std::to_string(domain::to_unix_ms(at)) + ":" + payload;
  }
  msg.account_id = ctx.account_id;
  msg.sender = std::move(sender);
  msg.sent_at = at;
  msg.type = "postback";
  msg.text = str(p, "title");
  if (msg.text.empty()) msg.text = payload;
  msg.flags.push_back("postback");
  if (!payload.empty()) msg.flags.push_back("payload:" + payload);
  if (ctx.standby) msg.flags.push_back("standby");
  out.push_back(std::move(msg));
}

void parse_reaction(const json::object& r, const MessagingContext& ctx, Sender sender, domain::Timestamp at,
                    std::vector<InboundEvent>& out) {
  const std::string target = str(r, "mid");
  if (target.empty()) {
    out.push_back(Ignored{"reaction without mid"});
    return;
  }
  const std::string action = str(r, "action");
  const std::string when = std::to_string(domain::to_unix_ms(at));
  Reaction reaction{.channel = ctx.channel,
                    .dedupe_key = target + ":" + sender.key + ":" + action + ":" + when,
                    .target_id = target,
                    .emoji = action == "unreact" ? std::string{} : str(r, "emoji"),
                    .sender = std::move(sender),
                    .at = at};
  if (reaction.emoji.empty() && action != "unreact") reaction.emoji = str(r, "reaction");
  out.push_back(std::move(reaction));
}

void parse_receipt(const json::object& r, std::string_view status, const MessagingContext& ctx, domain::Timestamp at,
                   std::vector<InboundEvent>& out) {
  std::vector<std::string> mids;
  if (const std::string mid = str(r, "mid"); !mid.empty()) mids.push_back(mid);
  if (const auto* list = arr(r, "mids")) {
    for (const auto& v : *list) {
      if (const auto* s = v.if_string()) mids.emplace_back(s->data(), s->size());
    }
  }
  if (mids.empty()) {  // Messenger reports only a watermark: everything before it was read/delivered.
    out.push_back(Ignored{std::string(status) + " watermark"});
    return;
  }
  for (auto& mid : mids) {
    out.push_back(DeliveryStatus{.channel = ctx.channel, .dedupe_key = mid + ":" + std::string(status),
                                 .message_id = mid, .status = std::string(status), .at = at});
  }
}

}  // namespace

std::optional<domain::Timestamp> epoch_auto(const json::object& o, std::string_view key) {
  const auto v = integer(o, key);
  if (!v || *v < 0 || *v > 32503680000000) return std::nullopt;  // year 3000 in ms
  return domain::from_unix_ms(*v < 100000000000 ? *v * 1000 : *v);
}

void parse_messaging_event(const json::object& ev, const MessagingContext& ctx, std::vector<InboundEvent>& out) {
  Sender sender;
  if (const auto* s = obj(ev, "sender")) sender.key = str(*s, "id");
  const domain::Timestamp at = epoch_auto(ev, "timestamp").value_or(domain::Timestamp{});
  if (const auto* m = obj(ev, "message")) {
    if (sender.key.empty() && !flag(*m, "is_echo")) {
      out.push_back(Ignored{"message without sender"});
      return;
    }
    parse_message(*m, ev, ctx, std::move(sender), at, out);
  } else if (const auto* p = obj(ev, "postback")) {
    parse_postback(*p, ctx, std::move(sender), at, out);
  } else if (const auto* r = obj(ev, "reaction")) {
    parse_reaction(*r, ctx, std::move(sender), at, out);
  } else if (const auto* read = obj(ev, "read")) {
    parse_receipt(*read, "read", ctx, at, out);
  } else if (const auto* delivery = obj(ev, "delivery")) {
    parse_receipt(*delivery, "delivered", ctx, at, out);
  } else if (const auto* edit = obj(ev, "message_edit")) {
    const std::string mid = str(*edit, "mid");
    if (mid.empty()) {
      out.push_back(Ignored{"message_edit without mid"});
      return;
    }
    out.push_back(MessageEdited{.channel = ctx.channel, .dedupe_key = mid + ":edit:" + str(*edit, "num_edit"),
                                .original_id = mid, .new_text = str(*edit, "text"), .at = at,
                                .sender_key = sender.key});
  } else {
    std::string what = "unknown";
    for (const auto& kv : ev) {
      if (kv.key() != "sender" && kv.key() != "recipient" && kv.key() != "timestamp") {
        what = std::string(kv.key());
        break;
      }
    }
    out.push_back(Ignored{"messaging event not handled: " + what});
  }
}

bool parse_messaging_arrays(const json::object& entry, domain::Channel channel, std::vector<InboundEvent>& out) {
  bool any = false;
  for (const bool standby : {false, true}) {
    const auto* events = arr(entry, standby ? "standby" : "messaging");
    if (!events) continue;
    any = true;
    const MessagingContext ctx{.channel = channel, .account_id = str(entry, "id"), .standby = standby};
    for (const auto& item : *events) {
      if (const auto* ev = as_obj(item)) {
        parse_messaging_event(*ev, ctx, out);
      } else {
        out.push_back(Ignored{"messaging event is not an object"});
      }
    }
  }
  return any;
}

}  // namespace anliegen::channels::meta

// One WhatsApp `messages[]` element → one channel event. Every `type` is accepted: `system` messages
// become an IdentityChanged (new phone number or user id) or are ignored, `request_welcome`,
// `unsupported` and `order` (commerce, nothing for a city: protocol brief §1.3, trap 22) get a
// FixedAnswer; types Meta adds later still become an InboundMessage with a flag, so what the citizen
// wrote is kept and the gateway takes them instead of failing.
#include <charconv>
#include <utility>

#include "channels/whatsapp/parser.hpp"

namespace anliegen::channels::whatsapp::detail {
namespace {

using namespace meta;

// The sample message of the App Dashboard's "Test" button (third-party observation, protocol brief §1.7).
constexpr std::string_view kDashboardMessageId = "ABGGFlA5Fpa";
constexpr std::string_view kDashboardFrom = "16315551181";

void append_part(std::string& out, std::string_view part, std::string_view sep = ", ") {
  if (part.empty()) return;
  if (!out.empty()) out += sep;
  out += part;
}

std::string format_coordinate(double v) {
  char buf[32];
  const auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, v);
  return ec == std::errc{} ? std::string(buf, ptr) : std::string{};
}

// Text of a message object of the given type: text.body, a media caption, a button title, ...
std::string plain_text(const json::object& m, std::string_view type) {
  if (const auto* t = obj(m, type)) {
    if (type == "text") return str(*t, "body");
    if (type == "button") return str(*t, "text");
    return str(*t, "caption");
  }
  return {};
}

bool add_media(const json::object& m, const std::string& type, InboundMessage& msg) {
  static constexpr std::pair<std::string_view, domain::AttachmentKind> kKinds[] = {
      {"image", domain::AttachmentKind::image},       {"audio", domain::AttachmentKind::audio},
      {"video", domain::AttachmentKind::video},       {"document", domain::AttachmentKind::document},
      {"sticker", domain::AttachmentKind::sticker},
  };
  for (const auto& [name, kind] : kKinds) {
    if (type != name) continue;
    const auto* media = obj(m, name);
    if (!media) {
      msg.flags.push_back("media_missing");
      return true;
    }
    MediaRef ref;
    ref.kind = (name == "audio" && flag(*media, "voice")) ? domain::AttachmentKind::voice : kind;
    ref.media_id = str(*media, "id");
    ref.url = str(*media, "url");
    ref.mime_type = str(*media, "mime_type");
    ref.sha256_base64 = str(*media, "sha256");
    ref.filename = str(*media, "filename");
    ref.declared_size = integer(*media, "file_size").value_or(0);
    msg.text = str(*media, "caption");
    msg.media.push_back(std::move(ref));
    return true;
  }
  return false;
}

void add_location(const json::object& m, InboundMessage& msg) {
  const auto* l = obj(m, "location");
  if (!l) {
    msg.flags.push_back("location_missing");
    return;
  }
  domain::Location loc;
  loc.lat = number(*l, "latitude");
  loc.lon = number(*l, "longitude");
  append_part(loc.address, str(*l, "name"));
  append_part(loc.address, str(*l, "address"));
  std::string text = loc.address;
  if (loc.lat && loc.lon) {
    const std::string coords = format_coordinate(*loc.lat) + ", " + format_coordinate(*loc.lon);
    text += loc.address.empty() ? coords : " (" + coords + ")";
  }
  msg.text = text.empty() ? "Standort" : "Standort: " + text;
  if (!loc.empty()) msg.location = std::move(loc);
}

void add_contacts(const json::object& m, InboundMessage& msg) {
  const auto* contacts = arr(m, "contacts");
  if (!contacts) return;
  for (const auto& item : *contacts) {
    const auto* c = as_obj(item);
    if (!c) continue;
    std::string line;
    if (const auto* name = obj(*c, "name")) {
      std::string formatted = str(*name, "formatted_name");
      if (formatted.empty()) {
        append_part(formatted, str(*name, "first_name"), " ");
        append_part(formatted, str(*name, "last_name"), " ");
      }
      append_part(line, formatted);
    }
    if (const auto* phones = arr(*c, "phones")) {
      for (const auto& p : *phones) {
        const auto* po = as_obj(p);
        if (const std::string phone = po ? str(*po, "phone") : ""; !phone.empty()) append_part(line, "Tel. " + phone);
      }
    }
    if (const auto* emails = arr(*c, "emails")) {
      for (const auto& e : *emails) {
        const auto* eo = as_obj(e);
        if (const std::string email = eo ? str(*eo, "email") : ""; !email.empty()) append_part(line, "E-Mail " + email);
      }
    }
    if (const auto* org = obj(*c, "org")) append_part(line, str(*org, "company"));
    if (!line.empty()) append_part(msg.text, "Geteilter Kontakt: " + line, "\n");
  }
  if (str(m, "origin") == "contact_request") msg.flags.push_back("contact_request");
}

void add_interactive(const json::object& m, InboundMessage& msg) {
  const auto* i = obj(m, "interactive");
  const std::string itype = i ? str(*i, "type") : std::string{};
  msg.flags.push_back("interactive:" + itype);
  const auto* reply = i ? obj(*i, itype) : nullptr;
  if (!reply) return;
  if (itype == "button_reply" || itype == "list_reply") {
    msg.text = str(*reply, "title");
    if (itype == "list_reply") append_part(msg.text, str(*reply, "description"), " – ");
    if (const std::string id = str(*reply, "id"); !id.empty()) msg.flags.push_back("reply_id:" + id);
  } else if (itype == "nfm_reply") {
    msg.text = str(*reply, "body");
    if (msg.text.empty()) msg.text = str(*reply, "name");
  } else if (itype == "call_permission_reply") {
    msg.text = "Anruf-Erlaubnis: " + str(*reply, "response");
  } else {
    msg.text = str(*reply, "title");
    if (msg.text.empty()) msg.text = str(*reply, "body");
  }
}

// A `system` message: a changed phone number or user id re-keys the citizen (protocol brief §1.2,
// trap 9); anything else (customer_identity_changed, ...) is no message of the citizen's.
InboundEvent system_event(const json::object& m, const std::string& id, const Sender& sender,
                          const std::string& from, domain::Timestamp at) {
  const auto* s = obj(m, "system");
  const std::string sub = s ? str(*s, "type") : std::string{};
  if (sub != "user_changed_number" && sub != "user_changed_user_id") return Ignored{"system message: " + sub};
  IdentityChanged change{.dedupe_key = id, .at = at};
  // A user id change may arrive without `from`: the identity the citizen had until now is named in it.
  const std::string previous = str(*s, "previous_user_id");
  change.old_key = !previous.empty() ? previous : sender.key;
  if (sub == "user_changed_number") change.new_phone = str(*s, "wa_id");
  change.new_key = str(*s, "user_id");
  // A citizen known only by the phone number (no user id) is keyed on it: the key moves with the number.
  if (change.new_key.empty() && !change.new_phone.empty() && change.old_key == from) {
    change.new_key = change.new_phone;
  }
  if (change.new_key == change.old_key) change.new_key.clear();
  if (change.old_key.empty() || (change.new_key.empty() && change.new_phone.empty())) {
    return Ignored{"system message without a usable identity: " + sub};
  }
  return change;
}

void add_context(const json::object& m, InboundMessage& msg) {
  if (const auto* c = obj(m, "context")) {
    msg.reply_to = str(*c, "id");
    if (flag(*c, "forwarded")) msg.flags.push_back("forwarded");
    if (flag(*c, "frequently_forwarded")) msg.flags.push_back("frequently_forwarded");
    if (obj(*c, "referred_product")) msg.flags.push_back("referred_product");
  }
  if (obj(m, "referral")) msg.flags.push_back("referral");
  if (!str(m, "group_id").empty()) msg.flags.push_back("group");
  if (const auto* errors = arr(m, "errors")) {
    for (const auto& e : *errors) {
      if (const auto* eo = as_obj(e)) msg.flags.push_back("error:" + str(*eo, "code"));
    }
  }
}

void fill_body(const json::object& m, const std::string& type, InboundMessage& msg) {
  if (type == "text") {
    msg.text = plain_text(m, type);
  } else if (add_media(m, type, msg)) {
  } else if (type == "location") {
    add_location(m, msg);
  } else if (type == "contacts") {
    add_contacts(m, msg);
  } else if (type == "interactive") {
    add_interactive(m, msg);
  } else if (type == "button") {
    msg.text = plain_text(m, type);
    if (const auto* b = obj(m, "button"); b && !str(*b, "payload").empty()) {
      msg.flags.push_back("reply_id:" + str(*b, "payload"));
    }
  } else {  // whatever Meta adds next
    msg.flags.push_back("unknown_type");
    if (const auto* o = obj(m, type)) msg.text = str(*o, "text");
  }
}

}  // namespace

Sender resolve_sender(const ChangeContext& ctx, std::string_view user_id, std::string_view phone) {
  const json::object* match = nullptr;
  if (ctx.contacts) {
    for (const auto& item : *ctx.contacts) {
      const auto* c = as_obj(item);
      if (c && !user_id.empty() && str(*c, "user_id") == user_id) match = c;
      if (match) break;
    }
    for (const auto& item : *ctx.contacts) {
      if (match || phone.empty()) break;
      const auto* c = as_obj(item);
      if (c && str(*c, "wa_id") == phone) match = c;
    }
  }
  const std::string contact_user = match ? str(*match, "user_id") : std::string{};
  const std::string contact_wa = match ? str(*match, "wa_id") : std::string{};
  Sender s;
  s.key = !user_id.empty() ? std::string(user_id)
          : !contact_user.empty() ? contact_user
          : !phone.empty() ? std::string(phone)
                           : contact_wa;
  s.phone = !phone.empty() ? std::string(phone) : contact_wa;
  if (const auto* profile = match ? obj(*match, "profile") : nullptr) {
    s.display_name = str(*profile, "name");
    if (s.display_name.empty()) s.display_name = str(*profile, "username");
  }
  return s;
}

PlatformError parse_error_object(const json::object& error) {
  PlatformError e;
  e.code = str(error, "code");
  e.title = str(error, "title");
  if (e.title.empty()) e.title = str(error, "message");
  if (const auto* data = obj(error, "error_data")) e.details = str(*data, "details");
  return e;
}

void parse_message(const json::object& m, const ChangeContext& ctx, std::vector<InboundEvent>& out) {
  const std::string id = str(m, "id");
  const std::string from = str(m, "from");
  if (id == kDashboardMessageId || from == kDashboardFrom) {
    out.push_back(Ignored{"dashboard test message"});
    return;
  }
  if (id.empty()) {
    out.push_back(Ignored{"message without id"});
    return;
  }
  const std::string type = str(m, "type");
  const auto at = unix_seconds(m, "timestamp");
  Sender sender = resolve_sender(ctx, str(m, "from_user_id"), from);

  if (type == "reaction") {
    const auto* r = obj(m, "reaction");
    Reaction reaction{.dedupe_key = id, .target_id = r ? str(*r, "message_id") : std::string{},
                      .emoji = r ? str(*r, "emoji") : std::string{}, .sender = std::move(sender),
                      .at = at.value_or(domain::Timestamp{})};
    if (reaction.target_id.empty()) {
      out.push_back(Ignored{"reaction without message_id"});
    } else {
      out.push_back(std::move(reaction));
    }
    return;
  }
  if (type == "edit" || type == "revoke") {
    const auto* e = obj(m, type);
    const std::string original = e ? str(*e, "original_message_id") : std::string{};
    if (original.empty()) {
      out.push_back(Ignored{type + " without original_message_id"});
    } else if (type == "revoke") {
      out.push_back(
          MessageWithdrawn{.dedupe_key = id, .original_id = original, .at = at.value_or(domain::Timestamp{}),
                           .sender_key = sender.key});
    } else {
      const auto* inner = obj(*e, "message");
      const std::string new_text = inner ? plain_text(*inner, str(*inner, "type")) : std::string{};
      out.push_back(MessageEdited{.dedupe_key = id, .original_id = original, .new_text = new_text,
                                  .at = at.value_or(domain::Timestamp{}), .sender_key = sender.key});
    }
    return;
  }

  if (type == "system") {
    out.push_back(system_event(m, id, sender, from, at.value_or(domain::Timestamp{})));
    return;
  }
  if (type == "request_welcome" || type == "unsupported" || type == "order") {
    // No Anliegen: the chat was only opened, the message is unreadable (a poll, ...) or an order from a
    // catalogue — a fixed answer.
    if (sender.key.empty()) {
      out.push_back(Ignored{"message without sender (" + type + ")"});
      return;
    }
    out.push_back(FixedAnswer{.dedupe_key = id, .account_id = ctx.account_id, .sender = std::move(sender),
                              .at = at.value_or(domain::Timestamp{}),
                              .text_key = type == "request_welcome" ? "whatsapp.welcome" : "whatsapp.unsupported"});
    return;
  }

  InboundMessage msg;
  msg.dedupe_key = id;
  msg.account_id = ctx.account_id;
  msg.sender = std::move(sender);
  msg.sent_at = at.value_or(domain::Timestamp{});
  if (!at) msg.flags.push_back("timestamp_missing");
  msg.type = type;
  add_context(m, msg);
  fill_body(m, type, msg);
  if (msg.sender.key.empty()) {
    out.push_back(Ignored{"message without sender (" + type + ")"});
    return;
  }
  out.push_back(std::move(msg));
}

}  // namespace anliegen::channels::whatsapp::detail

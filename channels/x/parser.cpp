// X webhook deliveries → channel events. Two envelopes arrive at the same URL:
//  * AAA: {for_user_id, direct_message_events[] | tweet_create_events[] | <other>_events, users, ...};
//  * XAA: {data:{event_uuid, event_type, filter:{user_id}, payload, includes}}.
// Ids are always read as strings (`id_str`, never the numeric `id`: tweet ids exceed 2^53).
// Own DMs and posts of the city account are Ignored, so that answers never loop back.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>

#include <array>
#include <chrono>
#include <exception>

#include "channels/meta/json_access.hpp"
#include "channels/meta/messaging.hpp"
#include "channels/x/adapter.hpp"

namespace anliegen::channels::x {
namespace {

using namespace meta;

struct Context {
  std::string own_id;                         // the city account
  const json::object* users_map = nullptr;    // AAA `users` {id: {name, screen_name}}
  const json::array* users_list = nullptr;    // XAA `includes.users` [{id, name, username}]
  std::string event_uuid;                     // XAA only
  bool user_has_blocked = false;              // AAA mention deliveries: "true"/"false" or a boolean
};

// "Wed Oct 10 20:19:24 +0000 2018" (v1.1 created_at), std::nullopt when it does not have that shape.
std::optional<domain::Timestamp> parse_v1_date(std::string_view s) {
  static constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                               "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (s.size() != 30 || s[19] != ' ' || s[20] != '+' || s.substr(21, 4) != "0000") return std::nullopt;
  auto num = [&](std::size_t pos, std::size_t len) {
    int v = 0;
    for (std::size_t i = pos; i < pos + len; ++i) {
      if (s[i] < '0' || s[i] > '9') return -1;
      v = v * 10 + (s[i] - '0');
    }
    return v;
  };
  unsigned month = 0;
  for (unsigned i = 0; i < kMonths.size(); ++i) {
    if (s.substr(4, 3) == kMonths[i]) month = i + 1;
  }
  const int day = num(8, 2), hh = num(11, 2), mm = num(14, 2), ss = num(17, 2), year = num(26, 4);
  if (month == 0 || day < 1 || hh < 0 || hh > 23 || mm < 0 || mm > 59 || ss < 0 || ss > 60 || year < 0) {
    return std::nullopt;
  }
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{month},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  if (!ymd.ok()) return std::nullopt;
  using namespace std::chrono;
  return domain::Timestamp{duration_cast<milliseconds>(sys_days{ymd}.time_since_epoch() + hours{hh} + minutes{mm} +
                                                       seconds{ss})};
}

std::string display_name(std::string name, const std::string& handle) {
  if (handle.empty()) return name;
  if (name.empty()) return "@" + handle;
  return name + " (@" + handle + ")";
}

Sender lookup_sender(const Context& ctx, const std::string& id) {
  Sender s;
  s.key = id;
  if (ctx.users_map) {
    if (const auto* u = obj(*ctx.users_map, id)) s.display_name = display_name(str(*u, "name"), str(*u, "screen_name"));
  }
  if (ctx.users_list && s.display_name.empty()) {
    for (const auto& item : *ctx.users_list) {
      const auto* u = as_obj(item);
      if (u && str(*u, "id") == id) s.display_name = display_name(str(*u, "name"), str(*u, "username"));
    }
  }
  return s;
}

domain::AttachmentKind media_kind(std::string_view type) {
  if (type == "video" || type == "animated_gif") return domain::AttachmentKind::video;
  return domain::AttachmentKind::image;
}

void parse_dm(const json::object& ev, const Context& ctx, std::vector<InboundEvent>& out) {
  const std::string type = str(ev, "type");
  const auto* mc = obj(ev, "message_create");
  if (!mc || (!type.empty() && type != "message_create")) {
    out.push_back(Ignored{"direct message event not handled: " + type});
    return;
  }
  const std::string sender_id = str(*mc, "sender_id");
  if (!ctx.own_id.empty() && sender_id == ctx.own_id) {
    out.push_back(Ignored{"own DM"});
    return;
  }
  InboundMessage msg;
  msg.channel = domain::Channel::x;
  msg.dedupe_key = str(ev, "id");
  if (msg.dedupe_key.empty()) msg.dedupe_key = ctx.event_uuid;
  if (msg.dedupe_key.empty() || sender_id.empty()) {
    out.push_back(Ignored{"direct message without id or sender"});
    return;
  }
  msg.account_id = ctx.own_id;
  if (const auto* target = obj(*mc, "target"); target && msg.account_id.empty()) {
    msg.account_id = str(*target, "recipient_id");
  }
  msg.sender = lookup_sender(ctx, sender_id);
  const auto at = epoch_auto(ev, "created_timestamp");
  msg.sent_at = at.value_or(domain::Timestamp{});
  if (!at) msg.flags.push_back("timestamp_missing");
  msg.type = "dm";
  if (const auto* data = obj(*mc, "message_data")) {
    msg.text = str(*data, "text");
    if (const auto* attachment = obj(*data, "attachment")) {
      if (const auto* media = obj(*attachment, "media")) {
        const std::string url = str(*media, "media_url_https");
        msg.media.push_back(MediaRef{.kind = media_kind(str(*media, "type")),
                                     .media_id = dm_media_path(msg.dedupe_key, str(*media, "id_str"), url),
                                     .url = url});
      }
    }
    if (const auto* qr = obj(*data, "quick_reply_response")) msg.flags.push_back("quick_reply:" + str(*qr, "metadata"));
  }
  if (!ctx.event_uuid.empty()) msg.flags.push_back("event_uuid:" + ctx.event_uuid);
  out.push_back(std::move(msg));
}

// One v1.1 Tweet object from tweet_create_events[].
void parse_legacy_tweet(const json::object& t, const Context& ctx, std::vector<InboundEvent>& out) {
  const std::string id = str(t, "id_str");  // never `id`: a double would round it
  const auto* user = obj(t, "user");
  const std::string author = user ? str(*user, "id_str") : std::string{};
  if (id.empty() || author.empty()) {
    out.push_back(Ignored{"post without id_str or user.id_str"});
    return;
  }
  if (author == ctx.own_id) {
    out.push_back(Ignored{"own post"});
    return;
  }
  if (obj(t, "retweeted_status")) {
    out.push_back(Ignored{"repost"});
    return;
  }
  InboundMessage msg;
  msg.channel = domain::Channel::x;
  msg.kind = domain::Kind::comment;
  msg.is_public = true;
  msg.dedupe_key = id;
  msg.account_id = ctx.own_id;
  msg.sender.key = author;
  msg.sender.display_name = display_name(str(*user, "name"), str(*user, "screen_name"));
  msg.text = str(t, "text");
  if (const auto* ext = obj(t, "extended_tweet"); ext && (flag(t, "truncated") || msg.text.empty())) {
    if (std::string full = str(*ext, "full_text"); !full.empty()) msg.text = std::move(full);
  }
  if (msg.text.empty()) msg.text = str(t, "full_text");
  msg.reply_to = str(t, "in_reply_to_status_id_str");
  msg.type = msg.reply_to.empty() ? "mention" : "reply";
  msg.thread_key = id;  // the post our public answer goes under
  auto at = epoch_auto(t, "timestamp_ms");
  if (!at) at = parse_v1_date(str(t, "created_at"));
  msg.sent_at = at.value_or(domain::Timestamp{});
  if (!at) msg.flags.push_back("timestamp_missing");
  if (ctx.user_has_blocked || flag(t, "user_has_blocked")) msg.flags.push_back("user_has_blocked");
  out.push_back(std::move(msg));
}

// One X API v2 Post (XAA post.mention.create / post.reply.create payload).
void parse_v2_post(const json::object& p, const Context& ctx, std::string_view event_type,
                   std::vector<InboundEvent>& out) {
  const std::string id = str(p, "id");
  const std::string author = str(p, "author_id");
  if (id.empty() || author.empty()) {
    out.push_back(Ignored{"post without id or author_id"});
    return;
  }
  if (author == ctx.own_id) {
    out.push_back(Ignored{"own post"});
    return;
  }
  InboundMessage msg;
  msg.channel = domain::Channel::x;
  msg.kind = domain::Kind::comment;
  msg.is_public = true;
  msg.dedupe_key = id;
  msg.account_id = ctx.own_id;
  msg.sender = lookup_sender(ctx, author);
  msg.text = str(p, "text");
  if (const auto* note = obj(p, "note_tweet")) {  // long posts: the full text
    if (std::string full = str(*note, "text"); !full.empty()) msg.text = std::move(full);
  }
  if (const auto* refs = arr(p, "referenced_tweets")) {
    for (const auto& item : *refs) {
      const auto* r = as_obj(item);
      if (r && str(*r, "type") == "replied_to") msg.reply_to = str(*r, "id");
    }
  }
  msg.type = event_type == "post.reply.create" ? "reply" : "mention";
  msg.thread_key = id;
  auto at = epoch_auto(p, "created_at_msec");
  if (!at) at = domain::parse_iso8601(str(p, "created_at"));
  msg.sent_at = at.value_or(domain::Timestamp{});
  if (!at) msg.flags.push_back("timestamp_missing");
  if (!ctx.event_uuid.empty()) msg.flags.push_back("event_uuid:" + ctx.event_uuid);
  out.push_back(std::move(msg));
}

void parse_dm_array(const json::array& events, const Context& ctx, std::vector<InboundEvent>& out) {
  for (const auto& item : events) {
    if (const auto* ev = as_obj(item)) {
      parse_dm(*ev, ctx, out);
    } else {
      out.push_back(Ignored{"direct message event is not an object"});
    }
  }
}

void parse_aaa(const json::object& root, std::string_view own_user_id, std::vector<InboundEvent>& out) {
  Context ctx;
  ctx.own_id = own_user_id.empty() ? str(root, "for_user_id") : std::string(own_user_id);
  ctx.users_map = obj(root, "users");
  ctx.user_has_blocked = flag(root, "user_has_blocked");
  const std::size_t before = out.size();
  if (const auto* dms = arr(root, "direct_message_events")) parse_dm_array(*dms, ctx, out);
  if (const auto* tweets = arr(root, "tweet_create_events")) {
    for (const auto& item : *tweets) {
      if (const auto* t = as_obj(item)) {
        parse_legacy_tweet(*t, ctx, out);
      } else {
        out.push_back(Ignored{"post is not an object"});
      }
    }
  }
  for (const auto& kv : root) {
    const std::string_view key = kv.key();
    if (key == "direct_message_events" || key == "tweet_create_events") continue;
    if (key.ends_with("_events") || key == "user_event" || key == "replay_job_status") {
      out.push_back(Ignored{"event not handled: " + std::string(key)});
    }
  }
  if (out.size() == before) out.push_back(Ignored{"delivery without events"});
}

void parse_xaa(const json::object& data, std::string_view own_user_id, std::vector<InboundEvent>& out) {
  Context ctx;
  ctx.event_uuid = str(data, "event_uuid");
  ctx.own_id = std::string(own_user_id);
  if (const auto* filter = obj(data, "filter"); filter && ctx.own_id.empty()) ctx.own_id = str(*filter, "user_id");
  const std::string type = str(data, "event_type");
  const auto* payload = obj(data, "payload");
  if (type.starts_with("chat.")) {
    out.push_back(Ignored{"encrypted XChat event not readable: " + type});
    return;
  }
  if (!payload) {
    out.push_back(Ignored{"event without payload: " + type});
    return;
  }
  if (const auto* includes = obj(data, "includes")) ctx.users_list = arr(*includes, "users");
  if (const auto* users = obj(*payload, "users")) ctx.users_map = users;
  if (type == "dm.received") {
    if (const auto* dms = arr(*payload, "direct_message_events")) {
      parse_dm_array(*dms, ctx, out);
    } else {
      parse_dm(*payload, ctx, out);
    }
  } else if (type == "dm.sent") {
    out.push_back(Ignored{"own DM"});
  } else if (type == "post.mention.create" || type == "post.reply.create") {
    parse_v2_post(*payload, ctx, type, out);
  } else {
    out.push_back(Ignored{"event not handled: " + type});
  }
}

ParseResult parse_document(std::string_view body, std::string_view own_user_id) {
  ParseResult result;
  boost::system::error_code ec;
  const json::value doc = json::parse(body, ec);
  if (ec) {
    result.parse_error = "body is not JSON: " + ec.message();
    return result;
  }
  const auto* root = doc.if_object();
  if (!root) {
    result.parse_error = "body is not a JSON object";
    return result;
  }
  if (const auto* data = obj(*root, "data"); data && data->contains("event_type")) {
    parse_xaa(*data, own_user_id, result.events);
  } else if (root->contains("for_user_id")) {
    parse_aaa(*root, own_user_id, result.events);
  } else {
    result.parse_error = "neither an Account Activity (for_user_id) nor an Activity API (data.event_type) delivery";
  }
  return result;
}

}  // namespace

std::string dm_media_path(std::string_view dm_id, std::string_view media_id, std::string_view media_url) {
  const auto digits = [](std::string_view s) {
    return !s.empty() && s.size() <= 19 && s.find_first_not_of("0123456789") == std::string_view::npos;
  };
  const auto slash = media_url.rfind('/');
  const auto resource = slash == std::string_view::npos ? std::string_view{} : media_url.substr(slash + 1);
  const bool resource_ok = !resource.empty() && resource.size() <= 50 &&
                           resource.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                      "0123456789_.-") == std::string_view::npos;
  if (!digits(dm_id) || !digits(media_id) || !resource_ok) return "";
  return std::string(dm_id) + "/" + std::string(media_id) + "/" + std::string(resource);
}

ParseResult parse_x(std::string_view body, std::string_view own_user_id) {
  try {
    return parse_document(body, own_user_id);
  } catch (const std::exception& e) {
    ParseResult result;
    result.parse_error = std::string("parser failure: ") + e.what();
    return result;
  }
}

}  // namespace anliegen::channels::x

// POST /api/v1/cases/{id}/replies: a clerk answers the citizen on the channel the Anliegen came from.
// The reply and its outbox row are committed together (202, delivery_status queued); channels without
// a way back record it as not_deliverable (201); WhatsApp's 24-hour window is enforced up front.
#include <boost/json.hpp>

#include <algorithm>
#include <charconv>

#include "domain/text.hpp"
#include "domain/reply_rules.hpp"
#include "gateway/api/api_helpers.hpp"
#include "gateway/api/case_json.hpp"
#include "gateway/api/validation.hpp"
#include "gateway/app.hpp"
#include "storage/cases.hpp"
#include "storage/outbox.hpp"
#include "storage/replies.hpp"

namespace anliegen::gateway {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using domain::Role;

// Outside the coroutine: GCC 12 cannot keep a braced list alive across co_await.

struct ReplyBody {
  std::string text;
  bool private_reply = false;  // answer a public comment privately
};

std::optional<ReplyBody> read_reply_body(FieldReader& r, const json::object& body) {
  r.only({"text", "private"});
  // The longest any channel takes (an X direct message); each channel's own limit follows with the case.
  auto text = r.text("text", domain::kLongestReply, true);
  bool private_reply = false;
  if (const auto* v = body.if_contains("private"); v && !v->is_null()) {
    if (v->is_bool()) {
      private_reply = v->as_bool();
    } else {
      r.fail("private", "must be true or false");
    }
  }
  if (!r.ok() || !text) return std::nullopt;
  return ReplyBody{std::move(*text), private_reply};
}

enum class Outcome {
  not_found, refused, queued, held, not_deliverable, published, window_closed, meta_window_closed, channel_off, invitation
};

json::object target_json(const storage::ReplyContext& c) {
  return json::object{{"account_id", c.account_id},
                      {"recipient_key", c.citizen_key},
                      {"recipient_phone", c.citizen_phone},
                      {"reply_to_id", c.last_inbound_id},
                      {"thread_key", c.thread_key},
                      {"is_public", false}};
}

bool channel_connected(const Settings& s, domain::Channel channel) {
  switch (channel) {
    case domain::Channel::whatsapp:
      return s.whatsapp.enabled;
    case domain::Channel::facebook:
    case domain::Channel::instagram:
      return s.meta.enabled;
    case domain::Channel::x:
      return s.x.enabled;
    default:
      return false;
  }
}

// Facebook, Instagram and X: public comments are answered under the comment (or privately on request);
// Messenger and Instagram DMs within 24 hours as a RESPONSE, up to 7 days with the HUMAN_AGENT tag.
json::object social_target(const storage::ReplyContext& c, bool private_reply) {
  auto target = target_json(c);
  const bool is_public = c.is_public || c.kind == domain::Kind::comment;
  target["thread_key"] = c.thread_key;
  target["is_public"] = is_public;
  target["private_reply"] = is_public && private_reply;
  return target;
}

asio::awaitable<Response> create_reply(App& app, RequestContext& ctx) {
  auto start = co_await begin_change(app, ctx, kAnyRole, "no Anliegen with this id");
  if (auto* refusal = std::get_if<Response>(&start)) co_return std::move(*refusal);
  const auto& [who, raw_id, body] = std::get<ChangeRequest>(start);
  const domain::AnliegenId id{raw_id};
  FieldReader r(body);
  const auto reply = read_reply_body(r, body);
  if (!reply) co_return validation_problem(std::move(r.errors()));
  const auto* text = &reply->text;

  const auto& wa = app.settings().whatsapp;
  const auto now = app.clock().now();
  Outcome outcome = Outcome::not_found;
  std::optional<domain::ReplyRefusal> refusal;
  domain::MessageId message;
  std::optional<domain::Anliegen> after;
  co_await app.db().transact([&](storage::Tx& tx) {
    auto c = storage::load_reply_context(tx, id);
    if (!c || (who.role == Role::clerk && c->unit != who.unit)) return;
    ctx.anliegen_id = id.value;
    // What the platform would refuse is refused here, before anything is stored.
    refusal = domain::reply_refusal(c->channel, c->is_public || c->kind == domain::Kind::comment, *text,
                                    reply->private_reply);
    if (refusal) {
      outcome = Outcome::refused;
      return;
    }
    const std::string channel(domain::to_string(c->channel));
    storage::OutboundMessageRow row{id, c->channel, *text, who.name, "queued", "", now, {}};
    if (domain::is_offline_channel(c->channel)) {
      row.delivery_status = "not_deliverable";
      const auto it = app.settings().city.texts.find("reply.not_deliverable");
      row.delivery_error = it != app.settings().city.texts.end() ? it->second : "no way back on this channel";
      outcome = Outcome::not_deliverable;
    } else if (c->channel == domain::Channel::maengelmelder) {
      // Open311 has no way to push: the reply is published as the request's status_notes.
      row.delivery_status = "published";
      outcome = Outcome::published;
    } else if (c->channel == domain::Channel::holdieob) {
      outcome = Outcome::invitation;  // holdieob takes no replies; the office decides instead
      return;
    } else if (!channel_connected(app.settings(), c->channel)) {
      outcome = Outcome::channel_off;
      return;
    } else if (c->channel != domain::Channel::whatsapp) {
      auto target = social_target(*c, reply->private_reply);
      const bool in_public = target["is_public"].as_bool() && !target["private_reply"].as_bool();
      json::object payload{{"text", *text}};
      if (c->channel != domain::Channel::x && !in_public) {
        const auto since = c->citizen_last_inbound_at;
        if (!since || *since <= now - std::chrono::hours(24 * 7)) {
          outcome = Outcome::meta_window_closed;
          return;
        }
        if (*since <= now - std::chrono::hours(24)) payload["human_agent"] = true;
      }
      payload["target"] = std::move(target);
      message = storage::insert_outbound(tx, row);
      storage::enqueue_outbox(tx, {channel, "reply", json::serialize(payload), message, id, c->citizen, false});
      outcome = Outcome::queued;
    } else {
      const bool window_open =
          c->citizen_last_inbound_at && *c->citizen_last_inbound_at > now - std::chrono::hours(24);
      if (!window_open && wa.reply_template.empty()) {
        outcome = Outcome::window_closed;
        return;
      }
      outcome = window_open ? Outcome::queued : Outcome::held;
      if (!window_open) row.delivery_status = "held";
    }
    if (c->channel == domain::Channel::whatsapp || outcome == Outcome::not_deliverable ||
        outcome == Outcome::published) {
      message = storage::insert_outbound(tx, row);
    }
    if (c->channel == domain::Channel::whatsapp && (outcome == Outcome::queued || outcome == Outcome::held)) {
      json::object payload{{"text", *text}, {"target", target_json(*c)}};
      storage::enqueue_outbox(tx, {channel, "reply", json::serialize(payload), message, id, c->citizen,
                                   outcome == Outcome::held});
      if (outcome == Outcome::held) {
        // Outside the window only an approved template may be sent; it invites the citizen to answer,
        // which opens the window and releases the held reply.
        json::object tpl{{"template", wa.reply_template},
                         {"language", wa.template_language},
                         {"params", json::array{json::value(c->reference)}},
                         {"target", target_json(*c)}};
        storage::enqueue_outbox(tx, {channel, "template", json::serialize(tpl), std::nullopt, id, c->citizen, false});
      }
    }
    storage::mark_answered(tx, id, now);
    storage::record_event(tx, id, who.actor(), "reply",
                          json::serialize(json::object{{"message_id", message.value},
                                                       {"delivery_status", row.delivery_status}}));
    after = storage::get_case(tx, id);
  });
  switch (outcome) {
    case Outcome::not_found:
      co_return problem(http::status::not_found, "no Anliegen with this id");
    case Outcome::refused:
      co_return validation_problem({{refusal->field, refusal->message}});
    case Outcome::channel_off:
      co_return problem(http::status::conflict,
                        "replies on this channel are not possible: the channel is not connected");
    case Outcome::invitation:
      co_return problem(http::status::conflict,
                        "holdieob invitations cannot be answered with a reply: holdieob has no way back for "
                        "replies; the office answers an invitation with its decision "
                        "(POST /api/v1/cases/{id}/decision)");
    case Outcome::window_closed:
      co_return problem(http::status::conflict,
                        "the citizen's last WhatsApp message is older than 24 hours, so WhatsApp does not deliver "
                        "free text; no reply template (WHATSAPP_REPLY_TEMPLATE) is configured to re-open the "
                        "conversation");
    case Outcome::meta_window_closed:
      co_return problem(http::status::conflict,
                        "the citizen's last message is older than 7 days: Facebook and Instagram only deliver "
                        "replies (with the HUMAN_AGENT tag) up to 7 days after the citizen's last message");
    default:
      break;
  }
  app.notify_outbox();
  json::object out{{"message_id", message.value}};
  for (const auto& m : after->messages) {
    if (m.id == message) {
      out["delivery_status"] = m.delivery_status;
      out["message"] = message_to_json(m);
    }
  }
  if (outcome == Outcome::not_deliverable || outcome == Outcome::published) {
    co_return json_response(http::status::created, out);
  }
  co_return json_response(http::status::accepted, out);
}

}  // namespace

void register_reply_routes(App& app) {
  app.router().add(http::verb::post, "/api/v1/cases/{id}/replies",
                   [&app](RequestContext& c) { return create_reply(app, c); });
}

}  // namespace anliegen::gateway

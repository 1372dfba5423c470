#include "gateway/ingest/chat_ingest.hpp"

#include <boost/json.hpp>

#include <variant>

#include "domain/status_machine.hpp"
#include "domain/text.hpp"
#include "storage/cases.hpp"
#include "storage/outbox.hpp"
#include "storage/sprechstunden.hpp"
#include "storage/threads.hpp"

namespace anliegen::gateway {
namespace {

namespace json = boost::json;
using channels::InboundMessage;
using domain::Channel;

constexpr std::string_view kAutoAuthor = "Automatische Antwort";

std::string text_of(const config::CityConfig& city, const std::string& key) {
  const auto it = city.texts.find(key);
  return it == city.texts.end() ? std::string() : it->second;
}

json::object reply_target(const InboundMessage& m) {
  return json::object{{"account_id", m.account_id},
                      {"recipient_key", m.sender.key},
                      {"recipient_phone", m.sender.phone},
                      {"reply_to_id", m.dedupe_key},
                      {"thread_key", m.thread_key},
                      {"is_public", m.is_public}};
}

// An automatic reply: an outbound message in the thread plus its outbox row, in this transaction.
void queue_auto_reply(storage::Tx& tx, Channel channel, domain::AnliegenId anliegen, domain::CitizenId citizen,
                      const InboundMessage& m, const std::string& text, const std::string& flag,
                      const IngestEnvironment& env, IngestSummary& summary) {
  if (text.empty()) return;
  storage::OutboundMessageRow row{anliegen, channel, text, std::string(kAutoAuthor), "queued", "",
                                  env.clock->now(), {"auto_reply", flag}, false};
  const auto message = storage::insert_outbound(tx, row);
  json::object payload{{"text", text}, {"target", reply_target(m)}};
  storage::enqueue_outbox(tx, {std::string(domain::to_string(channel)), "reply", json::serialize(payload), message,
                               anliegen, citizen, false});
  summary.outbox_written = true;
}

std::vector<std::pair<std::string, std::string>> hour_values(const storage::Sprechstunde& s) {
  return {{"datum", domain::german_date(s.starts_at)},
          {"beginn", domain::german_time(s.starts_at)},
          {"ende", domain::german_time(s.ends_at)},
          {"titel", s.title}};
}

struct Placed {
  domain::AnliegenId anliegen;
  domain::MessageId message;
  std::string reference;
  bool created = false;
};

Placed place_message(storage::Tx& tx, Channel channel, const InboundMessage& m, domain::CitizenId citizen,
                     const std::optional<storage::Sprechstunde>& hour, const IngestEnvironment& env) {
  storage::InboundMessageRow row{{}, channel, m.dedupe_key, m.account_id, m.type, m.text, m.reply_to, m.sent_at,
                                 m.flags, std::nullopt, std::nullopt};
  if (m.location) {
    row.lat = m.location->lat;
    row.lon = m.location->lon;
  }
  const auto since = m.sent_at - std::chrono::hours(env.thread_window_hours);
  if (auto open = storage::find_open_thread(tx, citizen, channel, m.kind, since)) {
    row.anliegen = open->id;
    return {open->id, storage::append_inbound(tx, row), open->reference, false};
  }
  domain::RoutingInput input{.channel = channel,
                             .kind = m.kind,
                             .category = "",
                             .text = m.text,
                             .location = m.location,
                             .at = m.sent_at,
                             .in_sprechstunde = hour.has_value()};
  const auto rules = env.rules(tx);
  auto outcome = domain::decide(input, *rules);
  storage::NewCase c;
  c.kind = m.kind;
  c.channel = channel;
  c.citizen = {citizen, channel, m.sender.key, m.sender.display_name, m.sender.phone, m.sender.email};
  c.received_at = m.sent_at;
  c.text = m.text;
  c.external_message_id = m.dedupe_key;
  c.actor = "channel:" + std::string(domain::to_string(channel));
  c.routing = outcome.decision;
  c.priority = outcome.priority;
  c.tags = outcome.tags;
  if (m.location) c.location = *m.location;
  if (hour) {
    // An announced hour belongs to its host unit, whatever the rules say.
    c.routing = {hour->host_unit, "", "", "Sprechstunde '" + hour->title + "' → " + hour->host_unit};
    if (std::find(c.tags.begin(), c.tags.end(), "sprechstunde") == c.tags.end()) c.tags.push_back("sprechstunde");
    c.sprechstunde_id = hour->id;
  }
  if (m.is_public && std::find(c.tags.begin(), c.tags.end(), "public") == c.tags.end()) c.tags.push_back("public");
  c.account_id = row.account_id;
  c.message_type = row.type;
  c.reply_to = row.reply_to;
  c.message_flags = row.flags;
  c.message_lat = row.lat;
  c.message_lon = row.lon;
  const auto created = storage::create_case(tx, c);
  return {created.id, created.first_message, created.reference, true};
}

void on_message(storage::Tx& tx, Channel channel, InboundMessage m, const IngestEnvironment& env,
                IngestSummary& summary) {
  const std::string ch(domain::to_string(channel));
  if (!storage::claim_event(tx, ch, "msg:" + m.dedupe_key)) {
    ++summary.duplicates;
    return;
  }
  const auto now = env.clock->now();
  // A message without a usable timestamp counts as sent when it arrived, never in 1970.
  if (domain::to_unix_ms(m.sent_at) <= 0 || m.sent_at > now + std::chrono::minutes(5)) m.sent_at = now;
  if (is_abusive(m.text, env.city->abusive_words)) m.flags.push_back("abusive");
  // Clerks must see that an answer to this will be public.
  if (m.is_public) m.flags.push_back("public");

  const auto citizen = storage::lock_citizen(tx, {{}, channel, m.sender.key, m.sender.display_name, m.sender.phone,
                                                  m.sender.email});
  const auto hour = storage::sprechstunde_at(tx, channel, m.sent_at);
  const auto placed = place_message(tx, channel, m, citizen.id, hour, env);
  for (const auto& media : m.media) {
    storage::add_pending_attachment(tx, placed.message,
                                    {media.kind, ch, media.media_id, media.url, media.mime_type, media.sha256_base64,
                                     media.filename});
    summary.media_pending = true;
  }
  storage::touch_citizen_inbound(tx, citizen.id, m.sent_at);
  // The citizen wrote: the 24-hour window is open again, so replies held for it may go out.
  if (storage::release_held(tx, citizen.id) > 0) summary.outbox_written = true;
  ++summary.messages;
  summary.anliegen.push_back(placed.anliegen.value);

  // Public comments get no automatic answer: it would be posted publicly under the citizen's comment.
  if (m.is_public) return;
  const std::vector<std::pair<std::string, std::string>> ref{{"referenz", placed.reference}};
  if (std::find(m.flags.begin(), m.flags.end(), "abusive") != m.flags.end() && !citizen.netiquette_notified_at) {
    queue_auto_reply(tx, channel, placed.anliegen, citizen.id, m, text_of(*env.city, "netiquette"), "netiquette", env,
                     summary);
    storage::set_netiquette_notified(tx, citizen.id, now);
  }
  if (hour) {
    // One acknowledgement per citizen and hour.
    if (storage::claim_event(tx, ch, "ack:" + std::to_string(hour->id) + ":" + std::to_string(citizen.id.value))) {
      auto text = domain::fill_placeholders(text_of(*env.city, "sprechstunde.ack"), ref);
      queue_auto_reply(tx, channel, placed.anliegen, citizen.id, m, text, "sprechstunde_ack", env, summary);
    }
    return;
  }
  const auto interval = std::chrono::hours(env.auto_reply_interval_hours);
  if (citizen.last_auto_reply_at && *citizen.last_auto_reply_at > now - interval) return;
  std::string text;
  if (auto next = storage::next_sprechstunde(tx, channel, now)) {
    auto values = hour_values(*next);
    values.insert(values.end(), ref.begin(), ref.end());
    text = domain::fill_placeholders(text_of(*env.city, "sprechstunde.next"), values);
  } else if (channel == Channel::whatsapp) {
    // The Sprechstunde is WhatsApp's; other channels hear about hours only when one is announced for them.
    text = domain::fill_placeholders(text_of(*env.city, "sprechstunde.none"), ref);
  } else {
    return;
  }
  queue_auto_reply(tx, channel, placed.anliegen, citizen.id, m, text, "sprechstunde_next", env, summary);
  storage::set_auto_reply_sent(tx, citizen.id, now);
}

void on_edit(storage::Tx& tx, Channel channel, const channels::MessageEdited& e, IngestSummary& summary) {
  if (!storage::claim_event(tx, std::string(domain::to_string(channel)), "edit:" + e.dedupe_key)) {
    ++summary.duplicates;
    return;
  }
  auto found = storage::find_message(tx, channel, e.original_id, domain::Direction::inbound);
  if (!found) {
    ++summary.ignored;
    return;
  }
  storage::replace_message_text(tx, found->second, e.new_text, "edited");
  storage::record_event(tx, found->first, "channel:" + std::string(domain::to_string(channel)), "message_edited",
                        json::serialize(json::object{{"message_id", found->second.value}}));
  summary.anliegen.push_back(found->first.value);
}

void on_withdrawn(storage::Tx& tx, Channel channel, const channels::MessageWithdrawn& w, IngestSummary& summary) {
  if (!storage::claim_event(tx, std::string(domain::to_string(channel)), "withdrawn:" + w.dedupe_key)) {
    ++summary.duplicates;
    return;
  }
  auto found = storage::find_message(tx, channel, w.original_id, domain::Direction::inbound);
  if (!found) {
    ++summary.ignored;
    return;
  }
  // The citizen took the message back: its text is removed, the fact is kept.
  storage::replace_message_text(tx, found->second, "", "withdrawn");
  storage::record_event(tx, found->first, "channel:" + std::string(domain::to_string(channel)), "message_withdrawn",
                        json::serialize(json::object{{"message_id", found->second.value}}));
  summary.anliegen.push_back(found->first.value);
}

void on_reaction(storage::Tx& tx, Channel channel, const channels::Reaction& r, IngestSummary& summary) {
  if (r.emoji.empty()) {  // removal of a reaction: nothing to record
    ++summary.ignored;
    return;
  }
  if (!storage::claim_event(tx, std::string(domain::to_string(channel)), "reaction:" + r.dedupe_key)) {
    ++summary.duplicates;
    return;
  }
  auto found = storage::find_message(tx, channel, r.target_id, domain::Direction::outbound);
  if (!found) found = storage::find_message(tx, channel, r.target_id, domain::Direction::inbound);
  if (!found) {
    ++summary.ignored;
    return;
  }
  storage::record_event(tx, found->first, "channel:" + std::string(domain::to_string(channel)), "reaction",
                        json::serialize(json::object{{"message_id", found->second.value}, {"emoji", r.emoji}}));
}

void on_status(storage::Tx& tx, Channel channel, const channels::DeliveryStatus& s, IngestSummary& summary) {
  if (!storage::claim_event(tx, std::string(domain::to_string(channel)), "status:" + s.dedupe_key)) {
    ++summary.duplicates;
    return;
  }
  const std::string error = s.error_code.empty() ? s.error_text : s.error_code + " " + s.error_text;
  storage::apply_receipt(tx, channel, s.message_id, s.status, s.at, error);
  ++summary.receipts;
}

void on_call(storage::Tx& tx, Channel channel, const channels::CallAttempt& c, const IngestEnvironment& env,
             IngestSummary& summary) {
  const std::string ch(domain::to_string(channel));
  if (!storage::claim_event(tx, ch, "call:" + c.dedupe_key)) {
    ++summary.duplicates;
    return;
  }
  ++summary.calls;
  if (c.event != "connect" || c.direction != "USER_INITIATED") return;
  const auto citizen = storage::lock_citizen(tx, {{}, channel, c.sender.key, c.sender.display_name, c.sender.phone, ""});
  // A call opens the 24-hour window like a message does.
  storage::touch_citizen_inbound(tx, citizen.id, c.at);
  json::object reject{{"account_id", c.account_id}, {"call_id", c.call_id}};
  storage::enqueue_outbox(tx, {ch, "reject_call", json::serialize(reject), std::nullopt, std::nullopt, citizen.id, false});
  json::object target{{"account_id", c.account_id},
                      {"recipient_key", c.sender.key},
                      {"recipient_phone", c.sender.phone},
                      {"reply_to_id", ""}};
  json::object reply{{"text", text_of(*env.city, "calls.not_possible")}, {"target", target}};
  storage::enqueue_outbox(tx, {ch, "reply", json::serialize(reply), std::nullopt, std::nullopt, citizen.id, false});
  summary.outbox_written = true;
}

}  // namespace

bool is_abusive(std::string_view text, const std::vector<std::string>& words) {
  if (words.empty() || text.empty()) return false;
  const auto folded = domain::folded_words(text);
  for (const auto& w : words) {
    if (domain::keyword_matches(w, folded)) return true;
  }
  return false;
}

void apply_events(storage::Tx& tx, domain::Channel channel, const std::vector<channels::InboundEvent>& events,
                  const IngestEnvironment& env, IngestSummary& summary) {
  for (const auto& event : events) {
    std::visit(
        [&](const auto& e) {
          using T = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<T, channels::InboundMessage>) {
            on_message(tx, channel, e, env, summary);
          } else if constexpr (std::is_same_v<T, channels::MessageEdited>) {
            on_edit(tx, channel, e, summary);
          } else if constexpr (std::is_same_v<T, channels::MessageWithdrawn>) {
            on_withdrawn(tx, channel, e, summary);
          } else if constexpr (std::is_same_v<T, channels::Reaction>) {
            on_reaction(tx, channel, e, summary);
          } else if constexpr (std::is_same_v<T, channels::DeliveryStatus>) {
            on_status(tx, channel, e, summary);
          } else if constexpr (std::is_same_v<T, channels::CallAttempt>) {
            on_call(tx, channel, e, env, summary);
          } else if constexpr (std::is_same_v<T, channels::PlatformError>) {
            ++summary.platform_errors;
          } else {
            ++summary.ignored;
          }
        },
        event);
  }
}

}  // namespace anliegen::gateway

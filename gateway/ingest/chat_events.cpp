#include "gateway/ingest/chat_events.hpp"

#include <boost/json.hpp>

#include <chrono>
#include <variant>

#include "storage/cases.hpp"
#include "storage/outbox.hpp"
#include "storage/threads.hpp"

namespace anliegen::gateway::chat_ingest_detail {
namespace {

namespace json = boost::json;
using domain::Channel;

// Claims an event's platform key; a key seen before is counted as a duplicate (false: skip the event).
bool claim(storage::Tx& tx, Channel channel, const std::string& key, IngestSummary& summary) {
  if (storage::claim_event(tx, std::string(domain::to_string(channel)), key)) return true;
  ++summary.duplicates;
  return false;
}

// An edit or a withdrawal: the citizen's stored message gets `text` and `state`, and the Anliegen an
// audit event `event_type`. False when the message is not stored.
bool replace_inbound_text(storage::Tx& tx, Channel channel, const std::string& original_id, const std::string& text,
                          const char* state, const char* event_type, IngestSummary& summary) {
  auto found = storage::find_message(tx, channel, original_id, domain::Direction::inbound);
  if (!found) return false;
  storage::replace_message_text(tx, found->second, text, state);
  storage::record_event(tx, found->first, "channel:" + std::string(domain::to_string(channel)), event_type,
                        json::serialize(json::object{{"message_id", found->second.value}}));
  summary.anliegen.push_back(found->first.value);
  return true;
}

// A change of a message we have not stored (yet) — the platform may deliver the original later, e.g. as
// a retry after an outage — is parked and applied when it comes (apply_parked_message_changes).
void on_edit(storage::Tx& tx, Channel channel, const channels::MessageEdited& e, IngestSummary& summary) {
  if (!claim(tx, channel, "edit:" + e.dedupe_key, summary)) return;
  if (replace_inbound_text(tx, channel, e.original_id, e.new_text, "edited", "message_edited", summary)) {
    storage::drop_parked_edits(tx, channel, e.original_id, e.at);  // older ones must not win later
    return;
  }
  storage::park_message_change(tx, channel, e.original_id, "edited", e.new_text, e.at, e.sender_key);
  ++summary.ignored;
}

void on_withdrawn(storage::Tx& tx, Channel channel, const channels::MessageWithdrawn& w, IngestSummary& summary) {
  if (!claim(tx, channel, "withdrawn:" + w.dedupe_key, summary)) return;
  // The citizen took the message back: its text is removed, the fact is kept.
  if (replace_inbound_text(tx, channel, w.original_id, "", "withdrawn", "message_withdrawn", summary)) return;
  storage::park_message_change(tx, channel, w.original_id, "withdrawn", "", w.at, w.sender_key);
  ++summary.ignored;
}

void on_reaction(storage::Tx& tx, Channel channel, const channels::Reaction& r, const IngestEnvironment& env,
                 IngestSummary& summary) {
  if (r.emoji.empty()) {  // removal of a reaction: nothing to record
    ++summary.ignored;
    return;
  }
  if (!claim(tx, channel, "reaction:" + r.dedupe_key, summary)) return;
  auto found = storage::find_message(tx, channel, r.target_id, domain::Direction::outbound);
  if (!found) found = storage::find_message(tx, channel, r.target_id, domain::Direction::inbound);
  if (!found) {
    ++summary.ignored;
    return;
  }
  // On Messenger and Instagram a reaction is an action that opens the 24-hour messaging window (protocol
  // brief §2.4), so a clerk's reply after it is a plain RESPONSE again.
  if ((channel == Channel::facebook || channel == Channel::instagram) && !r.sender.key.empty()) {
    storage::lock_citizens(tx, {{{{}, channel, r.sender.key, r.sender.display_name, r.sender.phone, ""},
                                 usable_time(r.at, env.clock->now())}});
  }
  storage::record_event(tx, found->first, "channel:" + std::string(domain::to_string(channel)), "reaction",
                        json::serialize(json::object{{"message_id", found->second.value}, {"emoji", r.emoji}}));
}

void on_status(storage::Tx& tx, Channel channel, const channels::DeliveryStatus& s, const IngestEnvironment& env,
               IngestSummary& summary) {
  if (!claim(tx, channel, "status:" + s.dedupe_key, summary)) return;
  const std::string error = s.error_code.empty() ? s.error_text : s.error_code + " " + s.error_text;
  ++summary.receipts;
  // A template that re-opens a WhatsApp window has no message of its own: a failure reaches the
  // replies waiting behind it.
  if (channel == Channel::whatsapp && storage::apply_template_receipt(tx, channel, s.message_id, s.status, error)) {
    return;
  }
  const bool applied = storage::apply_receipt(tx, channel, s.message_id, s.status, s.at, error);
  // Meta took the reply but could not deliver it: the window had closed (trap 17). With a template the
  // reply waits behind it, as if the window had been closed when the clerk wrote.
  if (applied && channel == Channel::whatsapp && s.status == "failed" && s.error_code == "131047" &&
      !env.reply_template.empty() &&
      storage::outbox_hold_after_receipt(tx, channel, s.message_id, env.reply_template, env.template_language)) {
    summary.outbox_written = true;
  }
}

void on_fixed_answer(storage::Tx& tx, Channel channel, const channels::FixedAnswer& f, const IngestEnvironment& env,
                     IngestSummary& summary) {
  const std::string ch(domain::to_string(channel));
  if (!claim(tx, channel, "fixed:" + f.dedupe_key, summary)) return;
  const auto now = env.clock->now();
  const auto at = usable_time(f.at, now);
  const std::string text = text_of(*env.city, f.text_key);
  // Without a configured text, or too late for a free-form answer, the event is only acknowledged.
  if (text.empty() || !reply_window_open(at, now)) {
    ++summary.ignored;
    return;
  }
  const auto citizen =
      storage::lock_citizens(tx, {{{{}, channel, f.sender.key, f.sender.display_name, f.sender.phone, ""}, at}})
          .front();
  // Each fixed answer at most once per citizen and half day (UTC); it does not hold back the answer with
  // the reference number that the citizen's first real message gets.
  const auto half_day = domain::to_unix_ms(now) / (12LL * 3600 * 1000);
  if (!storage::claim_event(tx, ch, "fixed-sent:" + f.text_key + ":" + std::to_string(citizen.id.value) + ":" +
                                        std::to_string(half_day))) {
    ++summary.ignored;
    return;
  }
  json::object target{{"account_id", f.account_id},
                      {"recipient_key", f.sender.key},
                      {"recipient_phone", f.sender.phone},
                      {"reply_to_id", ""}};
  json::object reply{{"text", text}, {"target", target}};
  storage::enqueue_outbox(tx, {ch, "reply", json::serialize(reply), std::nullopt, std::nullopt, citizen.id, false});
  summary.outbox_written = true;
}

void on_identity(storage::Tx& tx, Channel channel, const channels::IdentityChanged& c, IngestSummary& summary) {
  if (!claim(tx, channel, "identity:" + c.dedupe_key, summary)) return;
  if (!storage::change_citizen_identity(tx, channel, c.old_key, c.new_key, c.new_phone)) ++summary.ignored;
}

void on_call(storage::Tx& tx, Channel channel, const channels::CallAttempt& c, const IngestEnvironment& env,
             IngestSummary& summary) {
  const std::string ch(domain::to_string(channel));
  if (!claim(tx, channel, "call:" + c.dedupe_key, summary)) return;
  ++summary.calls;
  if (c.event != "connect" || c.direction != "USER_INITIATED") return;
  // A call without a usable timestamp counts as placed when it arrived. One delivered late is long over:
  // nothing to reject, and the window it opened has closed.
  const auto now = env.clock->now();
  const auto at = usable_time(c.at, now);
  if (!reply_window_open(at, now)) return;
  // A call opens the 24-hour window like a message does.
  const auto citizen =
      storage::lock_citizens(tx, {{{{}, channel, c.sender.key, c.sender.display_name, c.sender.phone, ""}, at}})
          .front();
  json::object reject{{"account_id", c.account_id}, {"call_id", c.call_id}};
  storage::enqueue_outbox(tx, {ch, "reject_call", json::serialize(reject), std::nullopt, std::nullopt, citizen.id, false});
  summary.outbox_written = true;
  // The explanation after the rejection; a text key missing or empty in the configuration sends
  // nothing (an empty text would only be refused by the platform).
  const std::string text = text_of(*env.city, "calls.not_possible");
  if (text.empty()) return;
  json::object target{{"account_id", c.account_id},
                      {"recipient_key", c.sender.key},
                      {"recipient_phone", c.sender.phone},
                      {"reply_to_id", ""}};
  json::object reply{{"text", text}, {"target", target}};
  storage::enqueue_outbox(tx, {ch, "reply", json::serialize(reply), std::nullopt, std::nullopt, citizen.id, false});
}

}  // namespace

std::string text_of(const config::CityConfig& city, const std::string& key) {
  const auto it = city.texts.find(key);
  return it == city.texts.end() ? std::string() : it->second;
}

bool reply_window_open(domain::Timestamp sent_at, domain::Timestamp now) {
  return now - sent_at < std::chrono::hours(24);
}

domain::Timestamp usable_time(domain::Timestamp at, domain::Timestamp now) {
  return domain::to_unix_ms(at) <= 0 || at > now + std::chrono::minutes(5) ? now : at;
}

void apply_other_events(storage::Tx& tx, const Delivery& d) {
  auto& summary = *d.summary;
  for (const auto& event : d.parsed->events) {
    std::visit(
        [&](const auto& e) {
          using T = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<T, channels::InboundMessage>) {
            // stored with the batch
          } else if constexpr (std::is_same_v<T, channels::MessageEdited>) {
            on_edit(tx, d.channel, e, summary);
          } else if constexpr (std::is_same_v<T, channels::MessageWithdrawn>) {
            on_withdrawn(tx, d.channel, e, summary);
          } else if constexpr (std::is_same_v<T, channels::Reaction>) {
            on_reaction(tx, d.channel, e, *d.env, summary);
          } else if constexpr (std::is_same_v<T, channels::DeliveryStatus>) {
            on_status(tx, d.channel, e, *d.env, summary);
          } else if constexpr (std::is_same_v<T, channels::CallAttempt>) {
            on_call(tx, d.channel, e, *d.env, summary);
          } else if constexpr (std::is_same_v<T, channels::FixedAnswer>) {
            on_fixed_answer(tx, d.channel, e, *d.env, summary);
          } else if constexpr (std::is_same_v<T, channels::IdentityChanged>) {
            on_identity(tx, d.channel, e, summary);
          } else if constexpr (std::is_same_v<T, channels::PlatformError>) {
            ++summary.platform_errors;
          } else {
            ++summary.ignored;
          }
        },
        event);
  }
}

}  // namespace anliegen::gateway::chat_ingest_detail

namespace anliegen::gateway {

int apply_parked_message_changes(storage::Tx& tx, int limit) {
  IngestSummary summary;
  int applied = 0;
  for (const auto& change : storage::take_parked_changes(tx, limit)) {
    const bool withdrawn = change.change == "withdrawn";
    applied += chat_ingest_detail::replace_inbound_text(tx, change.channel, change.external_id,
                                                        withdrawn ? std::string() : change.text,
                                                        withdrawn ? "withdrawn" : "edited",
                                                        withdrawn ? "message_withdrawn" : "message_edited", summary);
  }
  return applied;
}

}  // namespace anliegen::gateway

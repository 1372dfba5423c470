#include "gateway/ingest/chat_ingest.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <tuple>
#include <variant>

#include "domain/status_machine.hpp"
#include "domain/text.hpp"
#include "gateway/ingest/chat_events.hpp"
#include "storage/case_updates.hpp"
#include "storage/cases.hpp"
#include "storage/inbox.hpp"
#include "storage/outbox.hpp"
#include "storage/sprechstunden.hpp"
#include "storage/threads.hpp"

namespace anliegen::gateway {
namespace {

namespace json = boost::json;
using channels::InboundMessage;
using domain::Channel;
using namespace chat_ingest_detail;

constexpr std::string_view kAutoAuthor = "Automatische Antwort";

json::object reply_target(const InboundMessage& m) {
  return json::object{{"account_id", m.account_id},
                      {"recipient_key", m.sender.key},
                      {"recipient_phone", m.sender.phone},
                      {"reply_to_id", channels::platform_id(m)},
                      {"thread_key", m.thread_key},
                      {"is_public", m.is_public}};
}

std::vector<std::pair<std::string, std::string>> hour_values(const storage::Sprechstunde& s) {
  return {{"datum", domain::german_date(s.starts_at)},
          {"beginn", domain::german_time(s.starts_at)},
          {"ende", domain::german_time(s.ends_at)},
          {"titel", s.title}};
}

bool has_flag(const std::vector<std::string>& flags, std::string_view flag) {
  return std::find(flags.begin(), flags.end(), flag) != flags.end();
}

// The Anliegen a message goes into: one created in this batch (by its index) or one stored before.
struct Target {
  std::optional<std::size_t> new_case;
  domain::AnliegenId existing;
  std::string reference;
  domain::Timestamp last_message_at{};
  std::int64_t sprechstunde = 0;  // the Sprechstunde the Anliegen was opened in, 0 for none
};

// A citizen's message of the batch, from claim to stored.
struct Incoming {
  const Delivery* delivery = nullptr;
  InboundMessage m;
  std::size_t citizen = 0;  // index into the batch's citizen states
  std::optional<storage::Sprechstunde> hour;
  bool acknowledge = false;  // the first message of this citizen in this hour
  std::optional<storage::OpenThread> stored_thread;
  Target target;
  std::string rule_reply;  // text key of the routing rule's automatic answer, when it opened an Anliegen
  std::optional<std::size_t> append;  // index into the appended rows, unless it opened an Anliegen
  domain::MessageId message;          // once stored
};

// An automatic answer decided before the Anliegen's reference is known.
struct PlannedReply {
  std::size_t incoming = 0;
  std::string flag;      // auto_reply kind: netiquette, sprechstunde_ack, sprechstunde_next, rule
  std::string text_key;  // city text
  std::optional<storage::Sprechstunde> next_hour;
};

class MessageBatch {
 public:
  MessageBatch(storage::Tx& tx, const IngestEnvironment& env) : tx_(tx), env_(env), now_(env.clock->now()) {}

  void add(const Delivery& d, InboundMessage m) {
    // A message without a usable timestamp counts as sent when it arrived, never in 1970.
    m.sent_at = usable_time(m.sent_at, now_);
    if (is_abusive(m.text, env_.city->abusive_words)) m.flags.push_back("abusive");
    // Clerks must see that an answer to this will be public.
    if (m.is_public) m.flags.push_back("public");
    in_.push_back({&d, std::move(m)});
  }

  void store() {
    if (in_.empty()) return;
    drop_known_messages();
    if (in_.empty()) return;
    find_hours();
    lock_citizens();
    claim_acknowledgements();
    find_threads();
    for (std::size_t i = 0; i < in_.size(); ++i) place(i);
    write_messages();
    route_late();
    for (std::size_t i = 0; i < in_.size(); ++i) plan_replies(i);
    write_replies();
    write_citizens();
  }

 private:
  std::string channel_name(const Incoming& x) const { return std::string(domain::to_string(x.delivery->channel)); }

  // Messages acted on before (a platform's retry inside another delivery) or twice in this batch.
  void drop_known_messages() {
    std::vector<std::pair<std::string, std::string>> keys;
    for (const auto& x : in_) keys.emplace_back(channel_name(x), "msg:" + x.m.dedupe_key);
    const auto claimed = storage::claim_events(tx_, keys);
    std::vector<Incoming> kept;
    for (std::size_t i = 0; i < in_.size(); ++i) {
      if (claimed[i]) {
        kept.push_back(std::move(in_[i]));
      } else {
        ++in_[i].delivery->summary->duplicates;
      }
    }
    in_ = std::move(kept);
  }

  void lock_citizens() {
    std::vector<storage::CitizenArrival> arrivals;
    for (const auto& x : in_) {
      const auto& s = x.m.sender;
      arrivals.push_back({{{}, x.delivery->channel, s.key, s.display_name, s.phone, s.email}, x.m.sent_at, {}, {}});
    }
    predict_new_citizens(arrivals);
    const auto states = storage::lock_citizens(tx_, arrivals);
    for (std::size_t i = 0; i < in_.size(); ++i) {
      const auto known = std::find_if(citizens_.begin(), citizens_.end(),
                                      [&](const auto& c) { return c.id.value == states[i].id.value; });
      in_[i].citizen = static_cast<std::size_t>(known - citizens_.begin());
      if (known != citizens_.end()) continue;
      citizens_.push_back(states[i]);
      written_.push_back(states[i]);  // what the record holds now
      if (states[i].created) {
        // Somebody new has no reply memory yet; the record already holds what the replies will leave.
        citizens_.back().last_auto_reply_at.reset();
        citizens_.back().netiquette_notified_at.reset();
        written_.back().last_auto_reply_at = arrivals[i].auto_reply_at_if_new;
        written_.back().netiquette_notified_at = arrivals[i].netiquette_at_if_new;
      }
    }
  }

  // What plan_replies will leave in the reply memory of a citizen who is new, written with the record.
  void predict_new_citizens(std::vector<storage::CitizenArrival>& arrivals) const {
    for (std::size_t i = 0; i < in_.size(); ++i) {
      const auto& x = in_[i];
      if (x.m.is_public || !reply_window_open(x.m.sent_at, now_)) continue;
      for (auto& a : arrivals) {
        if (a.citizen.channel != x.delivery->channel || a.citizen.external_id != x.m.sender.key) continue;
        if (has_flag(x.m.flags, "abusive")) a.netiquette_at_if_new = now_;
        const auto channel = x.delivery->channel;
        if (!x.hour && (storage::next_hour(hours_, channel, now_) || channel == Channel::whatsapp)) {
          a.auto_reply_at_if_new = now_;
        }
      }
    }
  }

  void find_hours() {
    auto from = now_;
    for (const auto& x : in_) from = std::min(from, x.m.sent_at);
    hours_ = storage::list_sprechstunden(tx_, from, false);
    for (auto& x : in_) x.hour = storage::hour_at(hours_, x.delivery->channel, x.m.sent_at);
  }

  void claim_acknowledgements() {
    std::vector<std::pair<std::string, std::string>> ack_keys;
    std::vector<std::size_t> asking;
    for (std::size_t i = 0; i < in_.size(); ++i) {
      const auto& x = in_[i];
      if (!x.hour || x.m.is_public || !reply_window_open(x.m.sent_at, now_)) continue;
      // One acknowledgement per citizen and hour.
      ack_keys.emplace_back(channel_name(x), "ack:" + std::to_string(x.hour->id) + ":" +
                                                 std::to_string(citizens_[x.citizen].id.value));
      asking.push_back(i);
    }
    if (ack_keys.empty()) return;
    const auto claimed = storage::claim_events(tx_, ack_keys);
    for (std::size_t k = 0; k < asking.size(); ++k) in_[asking[k]].acknowledge = claimed[k];
  }

  void find_threads() {
    std::vector<storage::ThreadQuery> queries;
    std::vector<std::size_t> asking;
    for (std::size_t i = 0; i < in_.size(); ++i) {
      const auto& x = in_[i];
      if (citizens_[x.citizen].created) continue;  // a new citizen has no thread yet
      queries.push_back({citizens_[x.citizen].id, x.delivery->channel, x.m.kind, since(x)});
      asking.push_back(i);
    }
    if (queries.empty()) return;
    const auto found = storage::find_open_threads(tx_, queries);
    for (std::size_t k = 0; k < asking.size(); ++k) in_[asking[k]].stored_thread = found[k];
  }

  domain::Timestamp since(const Incoming& x) const {
    return x.m.sent_at - std::chrono::hours(env_.thread_window_hours);
  }

  // During a Sprechstunde a message joins only a thread of that hour: what the citizen wrote before it
  // stays where it was routed, and the hour's concern opens the hour's Anliegen (host unit, queue,
  // statistics). After the hour, messages continue the hour's thread as any other.
  static bool joins(const Incoming& x, std::int64_t thread_hour) { return !x.hour || x.hour->id == thread_hour; }

  // Into the citizen's open thread (one of this batch, or a stored one), or a new routed Anliegen.
  void place(std::size_t i) {
    auto& x = in_[i];
    const auto key = std::tuple{citizens_[x.citizen].id.value, x.delivery->channel, x.m.kind};
    const auto earlier = threads_.find(key);
    if (earlier != threads_.end() && earlier->second.last_message_at >= since(x) &&
        joins(x, earlier->second.sprechstunde)) {
      x.target = earlier->second;
      append(x);
    } else if (x.stored_thread && joins(x, x.stored_thread->sprechstunde)) {
      x.target = {std::nullopt, x.stored_thread->id, x.stored_thread->reference, {}, x.stored_thread->sprechstunde};
      append(x);
    } else {
      x.target = {cases_.size(), {}, "", {}, x.hour ? x.hour->id : 0};
      cases_.push_back(new_case(x));  // the message is the new Anliegen's first
    }
    x.target.last_message_at = std::max(x.target.last_message_at, x.m.sent_at);
    threads_[key] = x.target;
  }

  void append(Incoming& x) {
    x.append = appends_.size();
    appends_.push_back(row_of(x));
  }

  storage::InboundMessageRow row_of(const Incoming& x) const {
    storage::InboundMessageRow row{{}, x.delivery->channel, channels::platform_id(x.m), x.m.account_id,
                                   x.m.type, x.m.text, x.m.reply_to, x.m.sent_at, x.m.flags, std::nullopt, std::nullopt};
    if (x.m.location) {
      row.lat = x.m.location->lat;
      row.lon = x.m.location->lon;
    }
    return row;
  }

  storage::NewCase new_case(Incoming& x) {
    const auto& m = x.m;
    const auto channel = x.delivery->channel;
    domain::RoutingInput input{.channel = channel,
                               .kind = m.kind,
                               .category = "",
                               .text = m.text,
                               .location = m.location,
                               .at = m.sent_at,
                               .in_sprechstunde = x.hour.has_value()};
    if (!rules_) rules_ = env_.rules(tx_);
    auto outcome = domain::decide(input, *rules_);
    x.rule_reply = outcome.auto_reply;
    storage::NewCase c;
    c.kind = m.kind;
    c.channel = channel;
    c.citizen = {citizens_[x.citizen].id, channel, m.sender.key, m.sender.display_name, m.sender.phone,
                 m.sender.email};
    c.received_at = m.sent_at;
    c.text = m.text;
    c.external_message_id = channels::platform_id(m);
    c.actor = "channel:" + std::string(domain::to_string(channel));
    c.routing = outcome.decision;
    c.priority = outcome.priority;
    c.tags = outcome.tags;
    if (m.location) c.location = *m.location;
    if (x.hour) {
      // An announced hour belongs to its host unit, whatever the rules say.
      c.routing = {x.hour->host_unit, "", "", "Sprechstunde '" + x.hour->title + "' → " + x.hour->host_unit};
      if (!has_flag(c.tags, "sprechstunde")) c.tags.push_back("sprechstunde");
      c.sprechstunde_id = x.hour->id;
    }
    if (m.is_public && !has_flag(c.tags, "public")) c.tags.push_back("public");
    const auto row = row_of(x);
    c.account_id = row.account_id;
    c.message_type = row.type;
    c.reply_to = row.reply_to;
    c.message_flags = row.flags;
    c.message_lat = row.lat;
    c.message_lon = row.lon;
    return c;
  }

  domain::AnliegenId anliegen_of(const Target& t) const { return t.new_case ? created_[*t.new_case].id : t.existing; }

  const std::string& reference_of(const Target& t) const {
    return t.new_case ? created_[*t.new_case].reference : t.reference;
  }

  void write_messages() {
    if (!cases_.empty()) created_ = storage::create_cases(tx_, cases_);
    for (auto& x : in_) {
      if (x.append) appends_[*x.append].anliegen = anliegen_of(x.target);
    }
    std::vector<domain::MessageId> appended;
    if (!appends_.empty()) appended = storage::append_inbound_rows(tx_, appends_);
    for (auto& x : in_) {
      const auto message = x.append ? appended[*x.append] : created_[*x.target.new_case].first_message;
      x.message = message;
      auto& summary = *x.delivery->summary;
      for (const auto& media : x.m.media) {
        storage::add_pending_attachment(tx_, message,
                                        {media.kind, channel_name(x), media.media_id, media.url, media.mime_type,
                                         media.sha256_base64, media.filename});
        summary.media_pending = true;
      }
      ++summary.messages;
      summary.anliegen.push_back(anliegen_of(x.target).value);
    }
  }

  // A thread that began with nothing to route by ("Hallo", a photo) goes where its first telling message
  // says, while nobody has handled it yet (storage::route_late checks that in the database).
  void route_late() {
    for (const auto& x : in_) {
      if (!x.append || x.hour || !still_at_default(x.target, x)) continue;
      domain::RoutingInput input{.channel = x.delivery->channel,
                                 .kind = x.m.kind,
                                 .category = "",
                                 .text = x.m.text,
                                 .location = x.m.location,
                                 .at = x.m.sent_at,
                                 .in_sprechstunde = false};
      const auto outcome = domain::decide(input, *rules_);
      if (outcome.decision.rule_id.empty() || outcome.decision.unit == rules_->default_unit) continue;
      storage::route_late(tx_, {anliegen_of(x.target), rules_->default_unit, outcome.decision, outcome.priority,
                                outcome.tags, x.message});
    }
  }

  // Whether the thread a message joined was routed to the default unit by no rule, as far as this batch
  // knows (new in it, or as found when looked up).
  bool still_at_default(const Target& t, const Incoming& x) {
    if (t.new_case) {  // routed in this batch, so the rules are loaded
      const auto& c = cases_[*t.new_case];
      return !c.sprechstunde_id && c.routing.rule_id.empty() && c.routing.unit == rules_->default_unit;
    }
    const auto& s = x.stored_thread;
    if (!s || s->id != t.existing || s->status != domain::Status::new_ || s->sprechstunde != 0) return false;
    if (!rules_) rules_ = env_.rules(tx_);
    return s->unit == rules_->default_unit;
  }

  // The automatic answers of one message, deciding with the citizen's memory as this batch left it.
  void plan_replies(std::size_t i) {
    const auto& x = in_[i];
    // Public comments get no automatic answer: it would be posted publicly under the citizen's comment.
    if (x.m.is_public) return;
    // A message older than the window (a delayed retry) is stored, but a free-form answer would be refused.
    if (!reply_window_open(x.m.sent_at, now_)) return;
    auto& citizen = citizens_[x.citizen];
    if (has_flag(x.m.flags, "abusive") && !citizen.netiquette_notified_at) {
      replies_.push_back({i, "netiquette", "netiquette", std::nullopt});
      citizen.netiquette_notified_at = now_;
    }
    // An hour belongs to its host unit whatever the rules say, and so does its acknowledgement.
    if (x.hour) {
      if (x.acknowledge) replies_.push_back({i, "sprechstunde_ack", "sprechstunde.ack", std::nullopt});
      return;
    }
    auto next = storage::next_hour(hours_, x.delivery->channel, now_);
    // The rule that routed a new Anliegen may name its own answer: it takes the built-in one's place.
    if (!x.rule_reply.empty()) {
      replies_.push_back({i, "rule", x.rule_reply, next});  // one per new Anliegen, with its reference
      citizen.last_auto_reply_at = now_;
      return;
    }
    const auto interval = std::chrono::hours(env_.auto_reply_interval_hours);
    if (citizen.last_auto_reply_at && *citizen.last_auto_reply_at > now_ - interval) return;
    // The Sprechstunde is WhatsApp's; other channels hear about hours only when one is announced for them.
    if (!next && x.delivery->channel != Channel::whatsapp) return;
    replies_.push_back({i, "sprechstunde_next", next ? "sprechstunde.next" : "sprechstunde.none", next});
    citizen.last_auto_reply_at = now_;
  }

  void write_replies() {
    std::vector<storage::AutoReply> rows;
    for (const auto& r : replies_) {
      const auto& x = in_[r.incoming];
      std::string text = text_of(*env_.city, r.text_key);
      if (r.flag != "netiquette") {
        auto values = r.next_hour ? hour_values(*r.next_hour) : std::vector<std::pair<std::string, std::string>>{};
        values.emplace_back("referenz", reference_of(x.target));
        text = domain::fill_placeholders(text, values);
      }
      if (text.empty()) continue;
      const auto channel = x.delivery->channel;
      const auto anliegen = anliegen_of(x.target);
      const auto citizen = citizens_[x.citizen].id;
      json::object payload{{"text", text}, {"target", reply_target(x.m)}};
      rows.push_back({{anliegen, channel, text, std::string(kAutoAuthor), "queued", "", now_, {"auto_reply", r.flag},
                       false},
                      {channel_name(x), "reply", json::serialize(payload), std::nullopt, anliegen, citizen, false}});
      x.delivery->summary->outbox_written = true;
    }
    storage::queue_auto_replies(tx_, rows);
  }

  void write_citizens() {
    std::vector<storage::CitizenMemory> memory;
    std::vector<domain::CitizenId> returning;
    for (std::size_t c = 0; c < citizens_.size(); ++c) {
      const auto& now_held = citizens_[c];
      const auto& stored = written_[c];
      if (now_held.last_auto_reply_at != stored.last_auto_reply_at ||
          now_held.netiquette_notified_at != stored.netiquette_notified_at) {
        memory.push_back({now_held.id, now_held.last_auto_reply_at, now_held.netiquette_notified_at});
      }
      if (!now_held.created && wrote_within_window(c)) returning.push_back(now_held.id);
    }
    storage::remember_citizens(tx_, memory);
    // The citizens wrote: their 24-hour windows are open again, so replies held for them may go out.
    if (returning.empty() || storage::release_held(tx_, returning) == 0) return;
    for (const auto& x : in_) {
      if (!citizens_[x.citizen].created) x.delivery->summary->outbox_written = true;
    }
  }

  bool wrote_within_window(std::size_t citizen) const {
    return std::any_of(in_.begin(), in_.end(),
                       [&](const Incoming& x) { return x.citizen == citizen && reply_window_open(x.m.sent_at, now_); });
  }

  storage::Tx& tx_;
  const IngestEnvironment& env_;
  const domain::Timestamp now_;
  std::vector<Incoming> in_;
  std::vector<storage::CitizenState> citizens_;  // one per citizen; their memory as the batch changes it
  std::vector<storage::CitizenState> written_;   // the same citizens as their records hold them
  std::vector<storage::Sprechstunde> hours_;
  std::shared_ptr<const domain::RuleSet> rules_;
  std::map<std::tuple<std::int64_t, Channel, domain::Kind>, Target> threads_;
  std::vector<storage::NewCase> cases_;
  std::vector<storage::CreatedCase> created_;
  std::vector<storage::InboundMessageRow> appends_;
  std::vector<PlannedReply> replies_;
};

}  // namespace

bool is_abusive(std::string_view text, const std::vector<std::string>& words) {
  if (words.empty() || text.empty()) return false;
  const auto folded = domain::folded_words(text);
  for (const auto& w : words) {
    if (domain::keyword_matches(w, folded)) return true;
  }
  return false;
}


void IngestBatch::flush(storage::Tx& tx) {
  std::vector<storage::InboxRow> rows;
  for (const auto& d : deliveries_) {
    const auto& error = d.parsed->parse_error;
    rows.push_back({std::string(domain::to_string(d.channel)), d.dedupe_key, d.body,
                    error.empty() ? storage::InboxState::processed : storage::InboxState::dead_letter, error});
  }
  const auto fresh = storage::insert_inbox_rows(tx, rows);
  std::vector<const Delivery*> accepted;
  for (std::size_t i = 0; i < deliveries_.size(); ++i) {
    if (!deliveries_[i].parsed->parse_error.empty()) continue;  // kept as a dead letter, nothing to apply
    if (fresh[i]) {
      accepted.push_back(&deliveries_[i]);
    } else {
      *deliveries_[i].duplicate = true;  // the very same delivery again: everything in it is stored already
    }
  }
  // Messages first, all of them together (one batch per environment; the app has one).
  std::vector<const IngestEnvironment*> environments;
  for (const auto* d : accepted) {
    if (std::find(environments.begin(), environments.end(), d->env) == environments.end()) {
      environments.push_back(d->env);
    }
  }
  for (const auto* env : environments) {
    MessageBatch batch(tx, *env);
    for (const auto* d : accepted) {
      if (d->env != env) continue;
      for (const auto& event : d->parsed->events) {
        if (const auto* m = std::get_if<InboundMessage>(&event)) batch.add(*d, *m);
      }
    }
    batch.store();
  }
  for (const auto* d : accepted) chat_ingest_detail::apply_other_events(tx, *d);
  deliveries_.clear();
}

}  // namespace anliegen::gateway

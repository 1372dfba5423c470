#pragma once
// Stores verified webhook deliveries of the chat channels inside their database transaction: the raw
// delivery, citizens, threads (append to an open Anliegen or open a new, routed one), Sprechstunde
// membership, media to download, edits, withdrawals, reactions, delivery receipts, call rejections,
// citizens' identity changes, and the automatic German replies (Sprechstunde acknowledgement, next-hour
// notice, netiquette, fixed answers) written to the outbox — none for a message or call older than the
// 24-hour window. The deliveries of one group commit are stored together, with one statement
// per table. Runs on a database thread; pure decisions come from domain/.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "channels/events.hpp"
#include "channels/adapter.hpp"
#include "config/city_config.hpp"
#include "domain/routing.hpp"
#include "domain/time.hpp"
#include "storage/database.hpp"

namespace anliegen::gateway {

struct IngestEnvironment {
  const config::CityConfig* city = nullptr;
  const domain::Clock* clock = nullptr;
  // The routing rules in force (read inside the transaction, so every instance uses the newest).
  std::function<std::shared_ptr<const domain::RuleSet>(storage::Tx&)> rules;
  int thread_window_hours = 24;
  int auto_reply_interval_hours = 12;
  // WhatsApp: the approved template that re-opens a closed window (WHATSAPP_REPLY_TEMPLATE); empty: none.
  std::string reply_template;
  std::string template_language;
};

struct IngestSummary {
  int messages = 0;    // new citizen messages stored
  int duplicates = 0;  // events we had acted on before
  int receipts = 0;
  int calls = 0;
  int ignored = 0;
  int platform_errors = 0;
  bool outbox_written = false;
  bool media_pending = false;
  std::vector<std::int64_t> anliegen;  // touched Anliegen ids
};

// One verified delivery as the webhook route hands it in. What the pointers name must outlive the
// transaction (it lives in the awaiting request handler).
struct Delivery {
  domain::Channel channel = domain::Channel::whatsapp;
  std::string dedupe_key;  // of the raw delivery: the same bytes again are recognised
  const std::string* body = nullptr;
  const channels::ParseResult* parsed = nullptr;  // a parse error makes the delivery a dead letter
  const IngestEnvironment* env = nullptr;
  IngestSummary* summary = nullptr;  // filled when the transaction is flushed
  bool* duplicate = nullptr;         // set when the very same delivery was stored before
};

// The deliveries of one transaction, stored just before its commit (see storage::Deferred):
//
//   tx.deferred<IngestBatch>().add({channel, key, &body, &parsed, &env, &summary, &duplicate});
//
// Messages of all deliveries go through a few multi-row statements (raw deliveries, event keys,
// citizens, open threads, new Anliegen, appended messages, automatic answers); other events (edits,
// withdrawals, reactions, receipts, calls, fixed answers, identity changes) follow one by one, after the
// messages they may refer to (gateway/ingest/chat_events.hpp).
class IngestBatch : public storage::Deferred {
 public:
  void add(Delivery delivery) { deliveries_.push_back(std::move(delivery)); }
  void flush(storage::Tx& tx) override;

 private:
  std::vector<Delivery> deliveries_;
};

// Applies up to `limit` parked edits and withdrawals whose message has arrived meanwhile (see
// storage::park_message_change); returns how many. Run periodically by the outbox dispatcher's
// housekeeping.
int apply_parked_message_changes(storage::Tx& tx, int limit);

// Whether `text` contains one of the configured abusive words (German-aware, whole words or prefixes).
bool is_abusive(std::string_view text, const std::vector<std::string>& words);

}  // namespace anliegen::gateway

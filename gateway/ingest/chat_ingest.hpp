#pragma once
// Applies the events of one verified webhook delivery inside its database transaction: citizens,
// threads (append to an open Anliegen or open a new, routed one), Sprechstunde membership, media to
// download, edits, withdrawals, reactions, delivery receipts, call rejections, and the automatic
// German replies (Sprechstunde acknowledgement, next-hour notice, netiquette) written to the outbox.
// Runs on a database thread; pure decisions come from domain/.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "channels/events.hpp"
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

void apply_events(storage::Tx& tx, domain::Channel channel, const std::vector<channels::InboundEvent>& events,
                  const IngestEnvironment& env, IngestSummary& summary);

// Whether `text` contains one of the configured abusive words (German-aware, whole words or prefixes).
bool is_abusive(std::string_view text, const std::vector<std::string>& words);

}  // namespace anliegen::gateway

#include "gateway/workers/outbox_dispatcher.hpp"

#include <random>

#include "gateway/ingest/chat_ingest.hpp"
#include "gateway/log.hpp"
#include "gateway/retention.hpp"
#include "storage/errors.hpp"
#include "storage/inbox.hpp"
#include "storage/threads.hpp"

namespace anliegen::gateway {

OutboxDispatcher::OutboxDispatcher(DbPool& db, Metrics& metrics, OutboxOptions options)
    : db_(db), metrics_(metrics), options_(std::move(options)) {
  for (const char* result : {"sent", "retry", "failed", "held"}) metrics_.declare("outbox_results_total", "result", result);
}

OutboxDispatcher::~OutboxDispatcher() { stop(); }

void OutboxDispatcher::add_sender(const std::string& channel, std::shared_ptr<OutboxSender> sender) {
  senders_[channel] = std::move(sender);
}

void OutboxDispatcher::start() {
  if (!threads_.empty()) return;
  stopping_ = false;
  const int count = options_.workers;  // 0: this instance sends nothing (another one does)
  for (int index = 0; index < count; ++index) {
    threads_.emplace_back([this, index, count] { run({index, count}); });
  }
  threads_.emplace_back([this] { refresh_depth(); });
}

std::optional<std::int64_t> OutboxDispatcher::depth() const {
  const auto d = depth_.load();
  return d < 0 ? std::nullopt : std::optional<std::int64_t>(d);
}

void OutboxDispatcher::refresh_depth() {
  while (!stopping_) {
    const auto seen = stop_wake_.ticket();
    try {
      std::int64_t depth = 0;
      db_.run_blocking([&](storage::Connection& c) { c.read([&](storage::Tx& tx) { depth = storage::outbox_depth(tx); }); });
      depth_ = depth;
    } catch (const std::exception&) {
      depth_ = -1;  // the gauge is left out until the database answers again
    }
    stop_wake_.wait(seen, options_.depth_refresh, stopping_);
  }
}

void OutboxDispatcher::stop() {
  stopping_ = true;
  notify();
  stop_wake_.notify();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

void OutboxDispatcher::notify() { wake_.notify(); }

std::int64_t OutboxDispatcher::backoff_ms(int attempts) const {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const auto base = options_.retry_base.count();
  const int exponent = std::min(attempts - 1, 20);
  const auto delay = std::min<std::int64_t>(base << exponent, options_.retry_cap.count());
  std::uniform_int_distribution<std::int64_t> jitter(0, delay / 4);
  return delay + jitter(rng);
}

// The sweep of interrupted sends and the retention purge: worker 0 only, as they concern all rows.
void OutboxDispatcher::housekeeping(std::chrono::steady_clock::time_point& last_sweep,
                                    std::chrono::steady_clock::time_point& last_purge) {
  if (std::chrono::steady_clock::now() - last_sweep > std::chrono::seconds(30)) {
    int stale = 0;
    db_.run_blocking([&](storage::Connection& c) {
      c.transact([&](storage::Tx& tx) { stale = storage::fail_stale_sending(tx, options_.stale_sending_seconds); });
    });
    if (stale > 0) log::warn("outbox_stale_rows_failed", {{"rows", stale}});
    // Edits and withdrawals that came before their message (gateway/ingest/chat_events.cpp).
    int applied = 0;
    db_.run_blocking([&](storage::Connection& c) {
      c.transact([&](storage::Tx& tx) { applied = apply_parked_message_changes(tx, 500); });
    });
    if (applied > 0) log::info("parked_message_changes_applied", {{"changes", applied}});
    last_sweep = std::chrono::steady_clock::now();
  }
  if (std::chrono::steady_clock::now() - last_purge > std::chrono::hours(1)) {
    // Raw deliveries hold personal data: keep them only as long as retries and duplicates matter.
    storage::Purged purged;
    int parked = 0;  // changes whose message never came
    db_.run_blocking([&](storage::Connection& c) {
      c.transact([&](storage::Tx& tx) {
        purged = storage::purge_expired(tx, storage::Retention{});
        parked = storage::purge_parked_changes(tx, 7);
      });
    });
    if (purged.inbox || purged.event_keys || parked) {
      log::info("retention_purged",
                {{"inbox", purged.inbox}, {"event_keys", purged.event_keys}, {"parked_changes", parked}});
    }
    last_purge = std::chrono::steady_clock::now();
    retention_due_ = options_.retention.any();
  }
  // A batch per round, between the sends of this worker's partition, until none is left.
  if (retention_due_) {
    retention_due_ = false;  // a failure waits for the next hourly round
    retention_due_ = anonymise_expired();
  }
}

// One retention batch (gateway/retention.hpp); true while more may be left.
bool OutboxDispatcher::anonymise_expired() {
  storage::RetentionRun run;
  db_.run_blocking([&](storage::Connection& c) { run = anonymise_expired_batch(c, options_.retention); });
  if (run.content.anliegen > 0) {
    log::info("retention_anonymised", {{"anliegen", run.content.anliegen}, {"citizens", run.citizens}});
  }
  return run.content.anliegen == kRetentionBatch;
}

void OutboxDispatcher::run(storage::OutboxPartition partition) {
  auto last_sweep = std::chrono::steady_clock::time_point{};
  auto last_purge = std::chrono::steady_clock::time_point{};
  auto last_claim = std::chrono::steady_clock::time_point{};
  while (!stopping_) {
    // Under load every committed delivery wakes the workers; claiming at most every `claim_interval`
    // collects what arrived meanwhile in one claim instead of one nearly empty claim per wake-up.
    const auto since = std::chrono::steady_clock::now() - last_claim;
    if (since < options_.claim_interval) std::this_thread::sleep_for(options_.claim_interval - since);
    if (stopping_) break;  // no new claim once stopping
    const auto seen = wake_.ticket();
    last_claim = std::chrono::steady_clock::now();
    bool busy = false;
    try {
      if (partition.index == 0) housekeeping(last_sweep, last_purge);
      busy = dispatch_batch(partition);
    } catch (const std::exception& e) {
      log::warn("outbox_dispatch_error", {{"error", e.what()}});
    }
    if (busy) continue;
    wake_.wait(seen, options_.poll, stopping_);
  }
}

bool OutboxDispatcher::dispatch_batch(storage::OutboxPartition partition) {
  std::vector<storage::OutboxItem> items;
  // Claims and results share the commits of webhook deliveries (group commit): under load the
  // outbox adds statements, not transactions. Both are repeatable, as grouped work must be.
  db_.transact_grouped_blocking(
      [&](storage::Tx& tx) {
        items = storage::claim_outbox(tx, options_.batch, options_.worker_id + "/" + std::to_string(partition.index),
                                      partition);
      });
  for (const auto& item : items) {
    // The batch is sent one row after the other; a row still waiting when the stale sweep ran (a slow
    // platform, a long batch) was failed as "delivery unknown" and must not go out after all.
    bool taken = false;
    db_.transact_grouped_blocking([&](storage::Tx& tx) { taken = storage::outbox_take(tx, item); });
    if (!taken) {
      log::warn("outbox_claim_lost", {{"outbox_id", item.id}});
      continue;
    }
    channels::SendOutcome outcome;
    const auto sender = senders_.find(item.channel);
    const bool until_accepted = sender != senders_.end() && sender->second->retries_until_accepted();
    if (sender == senders_.end()) {
      outcome.kind = channels::SendOutcome::Kind::permanent_failure;
      outcome.error_text = "channel '" + item.channel + "' is not connected";
    } else {
      try {
        outcome = sender->second->send(item);
      } catch (const std::exception& e) {
        outcome.kind = channels::SendOutcome::Kind::retry;
        outcome.error_text = e.what();
      }
    }
    settle(item, outcome, until_accepted, sender == senders_.end() ? nullptr : sender->second.get());
  }
  return static_cast<int>(items.size()) == options_.batch;
}

channels::SendOutcome::Kind settled_kind(channels::SendOutcome::Kind sent, int attempts, int max_attempts,
                                         bool until_accepted) {
  using Kind = channels::SendOutcome::Kind;
  if (sent == Kind::retry && attempts >= max_attempts && !until_accepted) return Kind::permanent_failure;
  return sent;
}

void OutboxDispatcher::settle(const storage::OutboxItem& item, const channels::SendOutcome& outcome,
                              bool until_accepted, const OutboxSender* sender) {
  using Kind = channels::SendOutcome::Kind;
  const auto kind = settled_kind(outcome.kind, item.attempts, options_.max_attempts, until_accepted);
  const auto reopening = sender && kind == Kind::permanent_failure ? sender->reopening_for(item, outcome) : std::nullopt;
  bool held = false;  // the reply waits for the citizen behind a template instead of failing
  std::string error = outcome.error_code.empty() ? outcome.error_text : outcome.error_code + ": " + outcome.error_text;
  if (kind != outcome.kind) error = "gave up after " + std::to_string(item.attempts) + " attempts; last error: " + error;
  // The platform has answered; recording that must not be lost to a short database hiccup, or a sent
  // row would later count as interrupted. Try for a while before giving up.
  for (int attempt = 0;; ++attempt) {
    try {
      db_.transact_grouped_blocking([&](storage::Tx& tx) {
        held = reopening && storage::outbox_hold_for_template(tx, item, reopening->template_name, reopening->language);
        if (held) return;
        if (kind == Kind::accepted) {
          storage::outbox_done(tx, item, outcome.platform_message_id);
        } else if (kind == Kind::retry) {
          storage::outbox_retry(tx, item, error, backoff_ms(item.attempts));
        } else {
          storage::outbox_failed(tx, item, error);
        }
      });
      break;
    } catch (const storage::StorageError& e) {
      if (attempt >= 30 || stopping_) {
        log::error("outbox_settle_failed", {{"outbox_id", item.id}, {"error", e.what()}});
        return;
      }
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }
  const char* result = held                 ? "held"
                       : kind == Kind::accepted ? "sent"
                       : kind == Kind::retry    ? "retry"
                                                : "failed";
  metrics_.count("outbox_results_total", "result", result);
  if (kind != Kind::accepted) {
    // The platform's code only: its error text (kept in outbox.last_error and shown to the clerk) can
    // quote the citizen's number or message, and a receiver's answer anything.
    const std::string code = !outcome.error_code.empty() ? outcome.error_code : sender ? "none" : "not_connected";
    log::warn("outbox_not_sent", {{"outbox_id", item.id}, {"channel", item.channel}, {"result", result},
                                  {"attempts", item.attempts}, {"error_code", code}});
  }
}

}  // namespace anliegen::gateway

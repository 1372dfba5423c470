#pragma once
// Sends what the outbox holds. Worker threads claim due rows (FOR UPDATE SKIP LOCKED, so several
// gateway instances never take the same row), each from its own partition of the citizens (one
// citizen's rows are sent by one worker, in order, while a slow call for one citizen holds up no
// other), hand each row to its channel's sender, and record the
// outcome: done (platform id stored, early receipts applied), retry with exponential back-off and
// jitter (network errors, 5xx, rate limits), or failed for good (the message shows the platform's
// code and text). A row is never sent twice: one claimed by a worker that died mid-send is marked
// failed with an explanation instead of being sent again.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "channels/adapter.hpp"
#include "gateway/db_pool.hpp"
#include "gateway/metrics.hpp"
#include "gateway/workers/wake_signal.hpp"
#include "storage/citizens.hpp"
#include "storage/outbox.hpp"

namespace anliegen::gateway {

// Turns one outbox row into a platform request and performs it (blocking, on the worker thread).
class OutboxSender {
 public:
  virtual ~OutboxSender() = default;
  virtual channels::SendOutcome send(const storage::OutboxItem& item) = 0;
  // True for idempotent notices to systems of our own side (holdieob's decision callback, the report
  // webhook): retried until accepted, never given up after OutboxOptions::max_attempts.
  virtual bool retries_until_accepted() const { return false; }
  // For a reply the platform refused because its conversation window had closed meanwhile: the approved
  // template that re-opens the conversation (name, language), with which the reply is held instead of
  // failed (storage::outbox_hold_for_template). Empty: the refusal stands.
  struct Reopening {
    std::string template_name;
    std::string language;
  };
  virtual std::optional<Reopening> reopening_for(const storage::OutboxItem&, const channels::SendOutcome&) const {
    return std::nullopt;
  }
};

// The outcome recorded for a send: a retry becomes a failure for good after `max_attempts`, unless the
// sender retries until accepted.
channels::SendOutcome::Kind settled_kind(channels::SendOutcome::Kind sent, int attempts, int max_attempts,
                                         bool until_accepted);

struct OutboxOptions {
  int batch = 16;
  std::chrono::milliseconds retry_base{5000};
  std::chrono::milliseconds retry_cap{std::chrono::hours(1)};
  int max_attempts = 20;
  std::chrono::milliseconds poll{1000};
  std::chrono::milliseconds claim_interval{50};  // a worker claims at most this often
  int stale_sending_seconds = 300;
  int workers = 4;  // threads sending at the same time, each for its partition of the citizens; 0: none
  std::chrono::milliseconds depth_refresh{std::chrono::seconds(10)};  // how often outbox_depth() is read
  std::string worker_id = "anliegen";
  storage::RetentionPolicy retention;  // closed Anliegen anonymised by the hourly housekeeping
};

class OutboxDispatcher {
 public:
  OutboxDispatcher(DbPool& db, Metrics& metrics, OutboxOptions options);
  ~OutboxDispatcher();
  void add_sender(const std::string& channel, std::shared_ptr<OutboxSender> sender);
  void start();
  void stop();
  void notify();  // something was queued: look now
  // The number of rows waiting (storage::outbox_depth) as read last by a background thread every
  // OutboxOptions::depth_refresh, also with no workers; nullopt before the first read and while the
  // database does not answer. For /metrics, which must never wait for the database.
  std::optional<std::int64_t> depth() const;

 private:
  void run(storage::OutboxPartition partition);
  void refresh_depth();
  void housekeeping(std::chrono::steady_clock::time_point& last_sweep,
                    std::chrono::steady_clock::time_point& last_purge);
  bool anonymise_expired();
  bool dispatch_batch(storage::OutboxPartition partition);
  void settle(const storage::OutboxItem& item, const channels::SendOutcome& outcome, bool until_accepted,
              const OutboxSender* sender);
  std::int64_t backoff_ms(int attempts) const;

  DbPool& db_;
  Metrics& metrics_;
  OutboxOptions options_;
  std::map<std::string, std::shared_ptr<OutboxSender>> senders_;
  WakeSignal wake_;
  WakeSignal stop_wake_;  // the depth thread's: notified only by stop()
  bool retention_due_ = false;  // worker 0 only
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
  std::atomic<std::int64_t> depth_{-1};  // -1: unknown
};

}  // namespace anliegen::gateway

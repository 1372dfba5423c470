#pragma once
// The Monday report: a worker thread that, from Monday 06:00 Berlin time (ANLIEGEN_REPORT_HOUR) on,
// makes sure the previous week's report is stored in weekly_reports (so a gateway restarted later on
// Monday catches up), and the outbox sender that posts the signed notice to ANLIEGEN_REPORT_WEBHOOK.
// Several instances generate a week once (advisory lock + the week as primary key).
//
//   ReportScheduler reports(app.db(), clock, settings, [&app] { app.notify_outbox(); });
//   reports.start();  ...  reports.stop();
#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "domain/time.hpp"
#include "gateway/db_pool.hpp"
#include "gateway/reports/weekly.hpp"
#include "gateway/workers/outbox_dispatcher.hpp"

namespace anliegen::gateway {

class ReportScheduler {
 public:
  ReportScheduler(DbPool& db, const domain::Clock& clock, ReportSettings settings, std::function<void()> queued,
                  std::chrono::milliseconds poll = std::chrono::minutes(1));
  ~ReportScheduler();
  void start();
  void stop();
  // One check: generates the due week's report if it is missing. Returns the week stored now, if any.
  std::optional<std::string> tick();

 private:
  void run();

  DbPool& db_;
  const domain::Clock& clock_;
  ReportSettings settings_;
  std::function<void()> queued_;
  std::chrono::milliseconds poll_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

// POSTs the notice (the outbox payload, JSON) with `X-Anliegen-Signature: sha256=<hex HMAC-SHA256 of
// the body with ANLIEGEN_REPORT_WEBHOOK_SECRET>`; any answer but 2xx is retried.
std::shared_ptr<OutboxSender> make_report_webhook_sender(const ReportSettings& settings, DbPool& db);

}  // namespace anliegen::gateway

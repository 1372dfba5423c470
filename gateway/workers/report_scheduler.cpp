#include "gateway/workers/report_scheduler.hpp"

#include <boost/json.hpp>

#include "channels/crypto.hpp"
#include "gateway/log.hpp"
#include "gateway/net/http_client.hpp"

namespace anliegen::gateway {

ReportScheduler::ReportScheduler(DbPool& db, const domain::Clock& clock, ReportSettings settings,
                                 std::function<void()> queued, std::chrono::milliseconds poll)
    : db_(db), clock_(clock), settings_(std::move(settings)), queued_(std::move(queued)), poll_(poll) {}

ReportScheduler::~ReportScheduler() { stop(); }

void ReportScheduler::start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { run(); });
}

void ReportScheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

std::optional<std::string> ReportScheduler::tick() {
  const auto now = clock_.now();
  const auto current = domain::iso_week_of(now);
  // Monday 00:00 plus the hour: no DST change happens on a Monday morning.
  if (now < domain::week_interval(current).from + std::chrono::hours(settings_.hour)) return std::nullopt;
  const auto week = domain::previous_week(current);
  std::optional<storage::StoredReport> stored;
  db_.run_blocking([&](storage::Connection& c) {
    c.transact([&](storage::Tx& tx) {
      storage::lock_weekly_reports(tx);
      stored = generate_weekly_report(tx, week, now, settings_);
    });
  });
  if (!stored || !stored->inserted) return std::nullopt;
  log::info("weekly_report_stored", {{"week", stored->week}, {"notice", !settings_.webhook_url.empty()}});
  if (queued_) queued_();
  return stored->week;
}

void ReportScheduler::run() {
  while (!stopping_) {
    try {
      tick();
    } catch (const std::exception& e) {
      log::warn("weekly_report_failed", {{"error", e.what()}});
    }
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, poll_, [&] { return stopping_.load(); });
  }
}

namespace {

class ReportWebhookSender final : public OutboxSender {
 public:
  ReportWebhookSender(ReportSettings settings, DbPool& db) : settings_(std::move(settings)), db_(db) {}
  bool retries_until_accepted() const override { return true; }

  channels::SendOutcome send(const storage::OutboxItem& item) override {
    channels::SendOutcome out;
    const auto signature = "sha256=" + channels::to_hex(channels::hmac_sha256(settings_.webhook_secret, item.payload_json));
    net::OutgoingRequest req{.method = "POST",
                             .url = settings_.webhook_url,
                             .headers = {{"Content-Type", "application/json"}, {"X-Anliegen-Signature", signature}},
                             .body = item.payload_json};
    try {
      const auto res = net::fetch(req);
      if (res.status < 200 || res.status > 299) {
        out.kind = channels::SendOutcome::Kind::retry;
        out.error_code = std::to_string(res.status);
        out.error_text = "the report webhook answered " + std::to_string(res.status);
        return out;
      }
    } catch (const net::FetchError& e) {
      out.kind = e.kind() == net::FetchErrorKind::invalid_url ? channels::SendOutcome::Kind::permanent_failure
                                                               : channels::SendOutcome::Kind::retry;
      out.error_text = e.what();
      return out;
    }
    out.kind = channels::SendOutcome::Kind::accepted;
    mark_notified(item.payload_json);
    return out;
  }

 private:
  void mark_notified(const std::string& payload) {
    try {
      const auto week = std::string(boost::json::parse(payload).at("week").as_string());
      db_.run_blocking([&](storage::Connection& c) {
        c.transact([&](storage::Tx& tx) { storage::mark_report_notified(tx, week); });
      });
    } catch (const std::exception& e) {
      log::warn("weekly_report_notified_not_recorded", {{"error", e.what()}});
    }
  }

  ReportSettings settings_;
  DbPool& db_;
};

}  // namespace

std::shared_ptr<OutboxSender> make_report_webhook_sender(const ReportSettings& settings, DbPool& db) {
  return std::make_shared<ReportWebhookSender>(settings, db);
}

}  // namespace anliegen::gateway

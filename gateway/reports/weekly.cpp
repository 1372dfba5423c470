#include "gateway/reports/weekly.hpp"

#include <boost/json.hpp>

#include <algorithm>

#include "gateway/reports/report_json.hpp"
#include "storage/outbox.hpp"

namespace anliegen::gateway {

std::optional<ReportFormat> parse_report_format(std::string_view s) {
  if (s == "json") return ReportFormat::json;
  if (s == "csv") return ReportFormat::csv;
  if (s == "html") return ReportFormat::html;
  return std::nullopt;
}

std::string_view content_type(ReportFormat f) {
  switch (f) {
    case ReportFormat::csv: return "text/csv; charset=utf-8";
    case ReportFormat::html: return "text/html; charset=utf-8";
    case ReportFormat::json: break;
  }
  return "application/json";
}

domain::IsoWeek last_complete_week(domain::Timestamp now) { return domain::previous_week(domain::iso_week_of(now)); }

bool week_complete(domain::IsoWeek week, domain::Timestamp now) { return domain::week_interval(week).to <= now; }

std::string render_weekly_report(const domain::WeeklyReport& r, ReportFormat f) {
  switch (f) {
    case ReportFormat::csv: return domain::render_weekly_report_csv(r);
    case ReportFormat::html: return domain::render_weekly_report_html(r);
    case ReportFormat::json: break;
  }
  return boost::json::serialize(weekly_report_to_json(r));
}

std::string render_stored_report(const storage::StoredReport& stored, ReportFormat f) {
  switch (f) {
    case ReportFormat::html: return stored.html;
    case ReportFormat::csv: return domain::render_weekly_report_csv(weekly_report_from_json(boost::json::parse(stored.json)));
    case ReportFormat::json: break;
  }
  return stored.json;
}

ReportSettings report_settings(const Environment& env) {
  auto get = [&](const char* key) {
    const auto it = env.find(key);
    return it == env.end() ? std::string() : it->second;
  };
  ReportSettings s;
  s.webhook_url = get("ANLIEGEN_REPORT_WEBHOOK");
  s.webhook_secret = get("ANLIEGEN_REPORT_WEBHOOK_SECRET");
  s.public_url = get("ANLIEGEN_PUBLIC_URL");
  if (s.public_url.empty()) s.public_url = get("OPEN311_PUBLIC_URL");  // the same origin, when only that is set
  while (!s.public_url.empty() && s.public_url.back() == '/') s.public_url.pop_back();
  if (!s.webhook_url.empty() && s.webhook_url.rfind("http://", 0) != 0 && s.webhook_url.rfind("https://", 0) != 0) {
    throw SettingsError("ANLIEGEN_REPORT_WEBHOOK", "must be an http:// or https:// URL");
  }
  if (!s.webhook_url.empty() && s.webhook_secret.empty()) {
    throw SettingsError("ANLIEGEN_REPORT_WEBHOOK_SECRET", "is required when ANLIEGEN_REPORT_WEBHOOK is set");
  }
  if (const auto h = get("ANLIEGEN_REPORT_HOUR"); !h.empty()) {
    if (h.size() > 2 || h.find_first_not_of("0123456789") != std::string::npos || std::stoi(h) > 23) {
      throw SettingsError("ANLIEGEN_REPORT_HOUR", "must be an hour 0..23 (Monday, Berlin time), got '" + h + "'");
    }
    s.hour = std::stoi(h);
  }
  return s;
}

storage::StoredReport generate_weekly_report(storage::Tx& tx, domain::IsoWeek week, domain::Timestamp now,
                                             const ReportSettings& settings) {
  const auto name = domain::format_iso_week(week);
  if (auto stored = storage::find_weekly_report(tx, name)) return *stored;
  const auto report = storage::compute_weekly_report(tx, week, now);
  auto stored = storage::store_weekly_report(tx, name, render_weekly_report(report, ReportFormat::json),
                                             render_weekly_report(report, ReportFormat::html));
  if (stored.inserted && !settings.webhook_url.empty()) {
    const std::string path = "/api/v1/reports/weekly/" + name;
    boost::json::object notice{{"event", "weekly_report"},
                               {"week", name},
                               {"from", domain::format_berlin(report.from)},
                               {"to", domain::format_berlin(report.to)},
                               {"generated_at", domain::format_utc(report.generated_at)},
                               {"link", settings.public_url + path + "?format=html"},
                               {"json", settings.public_url + path + "?format=json"},
                               {"csv", settings.public_url + path + "?format=csv"},
                               {"totals", weekly_report_to_json(report).at("totals")}};
    storage::enqueue_outbox(tx, {std::string(kReportNoticeChannel), "weekly_report", boost::json::serialize(notice), {},
                                 {}, {}, false});
  }
  return stored;
}

int erase_invitation_titles(storage::Tx& tx, const std::vector<std::string>& invitation_references) {
  int changed = 0;
  for (const auto& stored : storage::stored_reports_listing(tx, invitation_references)) {
    auto report = weekly_report_from_json(boost::json::parse(stored.json));
    for (auto& i : report.invitations.most_supported) {
      if (std::find(invitation_references.begin(), invitation_references.end(), i.reference) !=
          invitation_references.end()) {
        i.title.clear();
      }
    }
    storage::replace_stored_report(tx, stored.week, render_weekly_report(report, ReportFormat::json),
                                   render_weekly_report(report, ReportFormat::html));
    ++changed;
  }
  return changed;
}

}  // namespace anliegen::gateway

#pragma once
// The weekly report as the gateway serves it (CLI, REST route and the Monday worker share this):
// which week is complete, the three formats rendered from one model, and generating a week's report
// into weekly_reports together with the webhook notice in the outbox (one transaction).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/weekly_report.hpp"
#include "gateway/settings.hpp"
#include "storage/database.hpp"
#include "storage/reports.hpp"

namespace anliegen::gateway {

enum class ReportFormat { json, csv, html };
std::optional<ReportFormat> parse_report_format(std::string_view s);
std::string_view content_type(ReportFormat f);

// The last week that has ended at `now` (Berlin time), and whether `week` has ended.
domain::IsoWeek last_complete_week(domain::Timestamp now);
bool week_complete(domain::IsoWeek week, domain::Timestamp now);

std::string render_weekly_report(const domain::WeeklyReport& r, ReportFormat f);
// A stored report in the wanted format: JSON and HTML as stored, CSV from the stored JSON model.
std::string render_stored_report(const storage::StoredReport& stored, ReportFormat f);

// Where the Monday notice goes (ANLIEGEN_REPORT_WEBHOOK, ANLIEGEN_REPORT_WEBHOOK_SECRET) and when the
// report is generated (ANLIEGEN_REPORT_HOUR, Monday, Berlin time). ANLIEGEN_PUBLIC_URL (else
// OPEN311_PUBLIC_URL) makes the link absolute. A webhook without a secret is a SettingsError.
struct ReportSettings {
  std::string webhook_url;
  std::string webhook_secret;
  std::string public_url;  // no trailing slash; may be empty (the link is then a path)
  int hour = 6;
};
ReportSettings report_settings(const Environment& env);

// The outbox channel of the notice.
inline constexpr std::string_view kReportNoticeChannel = "report_webhook";

// Computes, renders and stores the week's report unless it is stored already; a newly stored report
// queues its notice (when a webhook is configured) in the same transaction. Returns the stored report.
storage::StoredReport generate_weekly_report(storage::Tx& tx, domain::IsoWeek week, domain::Timestamp now,
                                             const ReportSettings& settings);

// An erasure (DSGVO) of invitations: stored reports that list one of them keep every figure but lose its
// title, in JSON and HTML. Returns how many stored reports changed.
int erase_invitation_titles(storage::Tx& tx, const std::vector<std::string>& invitation_references);

}  // namespace anliegen::gateway

#pragma once
// The weekly report for the OB's office as one plain model: storage/reports.cpp fills it from the
// database once, and every format (JSON in gateway/reports, CSV and HTML here) renders this same
// struct, so the page, the spreadsheet and the API never disagree. Definitions: docs/reports.md.
//
//   auto report = storage::compute_weekly_report(tx, week, generated_at);
//   std::string csv = domain::render_weekly_report_csv(report);
//   std::string html = domain::render_weekly_report_html(report);
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/time.hpp"

namespace anliegen::domain {

// Received, first answered, closed during the week; open at its end.
struct ReportTotals {
  std::int64_t received = 0;
  std::int64_t answered = 0;
  std::int64_t closed = 0;
  std::int64_t open_at_end = 0;
};

// One row per channel: the same four figures.
struct ReportChannel {
  std::string channel;
  ReportTotals figures;
};

struct ReportKind {
  std::string kind;
  std::int64_t received = 0;
};

// One row per unit. Durations in hours, rounded to 0.01; absent when nothing was measured.
struct ReportUnit {
  std::string code;
  std::string name;
  int target_days = 5;
  ReportTotals figures;
  std::int64_t over_target = 0;  // open at the end of the week for longer than target_days working days
  std::optional<double> first_response_median_hours;
  std::optional<double> first_response_p90_hours;
  std::optional<double> close_median_hours;
};

struct ReportCategory {
  std::string category;
  std::int64_t received = 0;
  std::int64_t previous = 0;  // received in the previous week
};

// A category or tag that was named more often than in the previous week.
struct ReportTopic {
  std::string type;  // "category" or "tag"
  std::string name;
  std::int64_t received = 0;
  std::int64_t previous = 0;
};

struct ReportSprechstunde {
  std::int64_t id = 0;
  std::string channel;
  std::string title;
  std::string host_unit;
  Timestamp starts_at{};
  Timestamp ends_at{};
  std::int64_t messages = 0;          // citizens' messages sent during the hour
  std::int64_t citizens = 0;          // distinct citizens who wrote
  std::int64_t anliegen = 0;          // Anliegen that started during the hour
  std::int64_t answered_during = 0;   // first answer before the hour ended
  std::int64_t answered_later = 0;    // first answer after the hour, before the end of the week
  std::int64_t unanswered = 0;        // no answer by the end of the week
  std::optional<double> answer_median_minutes;
};

struct ReportInvitation {
  std::string reference;
  std::string title;
  std::int64_t supporters = 0;  // latest count before the end of the week
  std::int64_t gained = 0;      // minus the latest count before the week began
};

struct ReportInvitations {
  std::int64_t created = 0;
  std::int64_t supporters_gained = 0;
  std::int64_t threshold_reached = 0;
  std::int64_t decided = 0;
  std::int64_t accepted = 0;
  std::int64_t declined = 0;
  std::vector<ReportInvitation> most_supported;  // up to 10, by supporters gained
};

// An open Anliegen without any citizen data.
struct ReportOpenCase {
  std::string reference;
  std::string unit;
  Timestamp received_at{};
  double age_days = 0;  // at the end of the week, rounded to 0.1
};

struct WeeklyReport {
  IsoWeek week;
  Timestamp from{};  // Monday 00:00 Berlin
  Timestamp to{};    // the following Monday 00:00 Berlin (exclusive)
  Timestamp generated_at{};
  ReportTotals totals;
  ReportTotals previous;  // the same figures for the week before
  std::vector<ReportChannel> by_channel;
  std::vector<ReportKind> by_kind;
  std::vector<ReportUnit> by_unit;
  std::vector<ReportCategory> by_category;  // top 10
  std::vector<ReportTopic> rising_topics;   // up to 5
  std::vector<ReportSprechstunde> sprechstunden;
  ReportInvitations invitations;
  std::vector<ReportOpenCase> oldest_open;  // up to 10
};

// Spreadsheet for Excel in Germany: UTF-8 with BOM, ';', decimal comma, CRLF. One row for the week's
// totals, one for the previous week's, then one per channel and one per unit.
std::string render_weekly_report_csv(const WeeklyReport& r);
// One printable A4 page in German with inline SVG bar charts; no scripts, no external resources.
std::string render_weekly_report_html(const WeeklyReport& r);

// Helpers shared by the renderers.
std::string html_escape(std::string_view s);
// 12.5 → "12,5" (decimals fixed), for German readers.
std::string german_decimal(double v, int decimals);

}  // namespace anliegen::domain

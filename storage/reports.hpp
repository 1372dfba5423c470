#pragma once
// The weekly report's figures, read from the database (one set-based query per section), and the
// stored reports: once generated, a week's report is kept as it was sent (weekly_reports), so later
// corrections of the data never change it. Definitions of every figure: docs/reports.md.
#include <optional>
#include <string>
#include <vector>

#include "domain/weekly_report.hpp"
#include "storage/database.hpp"

namespace anliegen::storage {

// Computes the report of `week` as of the database now; `generated_at` is only recorded.
domain::WeeklyReport compute_weekly_report(Tx& tx, domain::IsoWeek week, domain::Timestamp generated_at);

struct StoredReport {
  std::string week;
  domain::Timestamp generated_at{};
  std::string json;  // the report model as JSON
  std::string html;
  bool inserted = false;  // this call stored it (false: it was there already)
};

std::optional<StoredReport> find_weekly_report(Tx& tx, const std::string& week);
// INSERT … ON CONFLICT DO NOTHING, then the stored row: generating twice (or on several instances at
// once) keeps the first report.
StoredReport store_weekly_report(Tx& tx, const std::string& week, const std::string& json, const std::string& html);
void mark_report_notified(Tx& tx, const std::string& week);
// Stored reports that list one of these invitations (by Anliegen reference) among the most supported.
std::vector<StoredReport> stored_reports_listing(Tx& tx, const std::vector<std::string>& invitation_references);
// Replaces a stored report's content (an erasure); when it was generated and notified stays.
void replace_stored_report(Tx& tx, const std::string& week, const std::string& json, const std::string& html);
// Serialises report generation across gateway instances until the transaction ends.
void lock_weekly_reports(Tx& tx);

}  // namespace anliegen::storage

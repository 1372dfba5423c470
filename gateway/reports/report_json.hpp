#pragma once
// The weekly report model as JSON (the machine-readable format, and the form stored in
// weekly_reports.report) and back, so that the CSV of a stored report is rendered from the stored model.
#include <boost/json/value.hpp>

#include <string>

#include "domain/weekly_report.hpp"

namespace anliegen::gateway {

boost::json::object weekly_report_to_json(const domain::WeeklyReport& r);
// Throws std::invalid_argument when the document is not a report this version wrote.
domain::WeeklyReport weekly_report_from_json(const boost::json::value& v);

}  // namespace anliegen::gateway

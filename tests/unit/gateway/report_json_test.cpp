// The weekly report model survives its JSON form: a stored report renders the same CSV and HTML.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include "gateway/reports/report_json.hpp"
#include "gateway/reports/weekly.hpp"

using namespace anliegen;

namespace {

domain::WeeklyReport full_report() {
  domain::WeeklyReport r;
  r.week = {2026, 43};
  const auto w = domain::week_interval(r.week);
  r.from = w.from;
  r.to = w.to;
  r.generated_at = w.to + std::chrono::hours(5);
  r.totals = {7, 5, 3, 9};
  r.previous = {3, 1, 0, 5};
  r.by_channel = {{"whatsapp", {3, 2, 2, 2}}, {"letter", {0, 0, 0, 1}}};
  r.by_kind = {{"message", 5}, {"defect_report", 1}, {"invitation", 1}};
  domain::ReportUnit a{"tiefbau", "Tiefbau", 10, {1, 1, 0, 2}, 1, 10.0, 10.0, std::nullopt};
  domain::ReportUnit b{"ob", "Büro; OB", 5, {4, 2, 2, 5}, 2, 9.25, 16.25, 93.92};
  r.by_unit = {b, a};
  r.by_category = {{"Müll", 2, 1}};
  r.rising_topics = {{"tag", "laerm", 3, 0}};
  r.sprechstunden = {{1, "whatsapp", "Sprechstunde <digital>", "ob", w.from + std::chrono::hours(64),
                      w.from + std::chrono::hours(65), 4, 2, 3, 1, 1, 1, 555.0}};
  r.invitations = {1, 45, 1, 1, 1, 0, {{"LU-12", "Besuch & <Kita>", 40, 40}}};
  r.oldest_open = {{"LU-8", "tiefbau", w.from - std::chrono::hours(24 * 47), 54.6}};
  return r;
}

}  // namespace

TEST_CASE("weekly report JSON round trip keeps every figure and the order of units and kinds") {
  const auto r = full_report();
  const auto json = boost::json::serialize(gateway::weekly_report_to_json(r));
  // Key order does not matter (jsonb reorders keys): re-serialise through a reordered document.
  auto doc = boost::json::parse(json).as_object();
  const auto back = gateway::weekly_report_from_json(doc);
  CHECK(domain::render_weekly_report_csv(back) == domain::render_weekly_report_csv(r));
  CHECK(domain::render_weekly_report_html(back) == domain::render_weekly_report_html(r));
  CHECK(back.by_unit.front().code == "ob");
  CHECK(back.by_kind.front().kind == "message");
  CHECK(boost::json::serialize(gateway::weekly_report_to_json(back)) == json);
}

TEST_CASE("a document that is not a report is refused") {
  CHECK_THROWS_AS(gateway::weekly_report_from_json(boost::json::parse(R"({"week":"2026-W43"})")), std::invalid_argument);
  CHECK_THROWS_AS(gateway::weekly_report_from_json(boost::json::parse("[]")), std::invalid_argument);
}

TEST_CASE("report formats and complete weeks") {
  CHECK(gateway::parse_report_format("csv") == gateway::ReportFormat::csv);
  CHECK_FALSE(gateway::parse_report_format("pdf").has_value());
  const auto w43 = domain::week_interval({2026, 43});
  CHECK(gateway::week_complete({2026, 43}, w43.to));
  CHECK_FALSE(gateway::week_complete({2026, 43}, w43.to - std::chrono::milliseconds(1)));
  CHECK(gateway::last_complete_week(w43.to) == domain::IsoWeek{2026, 43});
  CHECK(gateway::last_complete_week(w43.to - std::chrono::milliseconds(1)) == domain::IsoWeek{2026, 42});
}

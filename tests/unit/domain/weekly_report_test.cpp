// ISO weeks in Berlin time, working-day targets, and the CSV/HTML renderers of the weekly report.
#include <doctest/doctest.h>

#include "domain/weekly_report.hpp"

using namespace anliegen::domain;
using namespace std::chrono;

TEST_CASE("ISO weeks: parsing, formatting and which weeks exist") {
  CHECK(parse_iso_week("2026-W48") == IsoWeek{2026, 48});
  CHECK(format_iso_week({2026, 1}) == "2026-W01");
  CHECK(parse_iso_week("2026-W53").has_value());  // 2026 has 53 weeks (it starts on a Thursday)
  CHECK_FALSE(parse_iso_week("2025-W53").has_value());
  for (const char* bad : {"2026-W00", "2026-W5", "2026W48", "2026-w48", "26-W48", "2026-W48x", "", "2026-W-1"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_iso_week(bad).has_value());
  }
  // 1 January 2027 is a Friday: it belongs to 2026-W53.
  CHECK(iso_week_of_day(sys_days{2027y / January / 1}) == IsoWeek{2026, 53});
  CHECK(iso_week_of_day(sys_days{2027y / January / 4}) == IsoWeek{2027, 1});
  CHECK(previous_week({2027, 1}) == IsoWeek{2026, 53});
  CHECK(previous_week({2026, 48}) == IsoWeek{2026, 47});
}

TEST_CASE("weeks run from Monday 00:00 to Monday 00:00 Berlin time, 167 or 169 hours around DST") {
  const auto w48 = week_interval({2026, 48});
  CHECK(format_utc(w48.from) == "2026-11-22T23:00:00.000Z");
  CHECK(w48.to - w48.from == hours(168));
  const auto autumn = week_interval({2026, 43});  // Sunday 25 October 2026: CEST → CET
  CHECK(format_utc(autumn.from) == "2026-10-18T22:00:00.000Z");
  CHECK(autumn.to - autumn.from == hours(169));
  const auto spring = week_interval({2026, 13});  // Sunday 29 March 2026: CET → CEST
  CHECK(spring.to - spring.from == hours(167));
  // The instant of Monday 00:00 belongs to the new week; one millisecond earlier to the old one.
  CHECK(iso_week_of(autumn.to) == IsoWeek{2026, 44});
  CHECK(iso_week_of(autumn.to - milliseconds(1)) == IsoWeek{2026, 43});
}

TEST_CASE("working-day targets skip weekends (holidays count as working days)") {
  const auto monday = sys_days{2026y / October / 26};
  // 5 working days before Monday 26 Oct: the whole week 19–23 Oct; the weekend before does not count.
  CHECK(format_utc(working_days_cutoff(monday, 5)) == "2026-10-16T22:00:00.000Z");  // Sat 17 Oct 00:00 CEST
  CHECK(format_utc(working_days_cutoff(monday, 3)) == "2026-10-20T22:00:00.000Z");  // Wed 21 Oct 00:00 CEST
  CHECK(format_utc(working_days_cutoff(monday, 10)) == "2026-10-09T22:00:00.000Z");
  CHECK(format_utc(working_days_cutoff(sys_days{2026y / October / 28}, 1)) == "2026-10-26T23:00:00.000Z");
}

namespace {

WeeklyReport sample() {
  WeeklyReport r;
  r.week = {2026, 43};
  const auto w = week_interval(r.week);
  r.from = w.from;
  r.to = w.to;
  r.generated_at = w.to + hours(6);
  r.totals = {7, 5, 3, 9};
  r.previous = {3, 1, 0, 5};
  r.by_channel = {{"whatsapp", {3, 2, 2, 2}}};
  ReportUnit u;
  u.code = "ob";
  u.name = "Büro; \"OB\"";
  u.figures = {4, 2, 2, 5};
  u.over_target = 2;
  u.first_response_median_hours = 9.26;
  u.first_response_p90_hours = 16.25;
  u.close_median_hours = std::nullopt;
  ReportUnit evil;
  evil.code = "x";
  evil.name = "=HYPERLINK(\"http://example.org\")";
  r.by_unit = {u, evil};
  r.by_category = {{"<script>alert(1)</script>", 2, 1}};
  r.oldest_open = {{"LU-1", "ob", w.from, 54.6}};
  return r;
}

}  // namespace

TEST_CASE("CSV: BOM, semicolons, decimal comma, CRLF, quoted fields, no formulas") {
  const auto csv = render_weekly_report_csv(sample());
  REQUIRE(csv.rfind("\xEF\xBB\xBFWoche;Abschnitt;", 0) == 0);
  CHECK(csv.find("\r\n2026-W43;Gesamt;woche;Berichtswoche;7;5;3;9;;;;;\r\n") != std::string::npos);
  CHECK(csv.find("\r\n2026-W43;Gesamt;vorwoche;Vorwoche 2026-W42;3;1;0;5;;;;;\r\n") != std::string::npos);
  CHECK(csv.find("\r\n2026-W43;Kanal;whatsapp;WhatsApp;3;2;2;2;;;;;\r\n") != std::string::npos);
  CHECK(csv.find("\r\n2026-W43;Bereich;ob;\"Büro; \"\"OB\"\"\";4;2;2;5;2;5;9,26;16,25;\r\n") != std::string::npos);
  CHECK(csv.find(";\"'=HYPERLINK(\"\"http") != std::string::npos);
  // Every line ends in CRLF and has the same number of separators outside quotes.
  std::size_t lines = 0;
  for (std::size_t pos = 0; (pos = csv.find("\r\n", pos)) != std::string::npos; pos += 2) ++lines;
  CHECK(lines == 6);
  CHECK(csv.find('\n') == csv.find("\r\n") + 1);
}

TEST_CASE("HTML: one printable page, German, inline SVG, everything escaped") {
  const auto html = render_weekly_report_html(sample());
  CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
  CHECK(html.find("<html lang=\"de\">") != std::string::npos);
  CHECK(html.find("@page { size: A4;") != std::string::npos);
  CHECK(html.find("<svg xmlns=\"http://www.w3.org/2000/svg\"") != std::string::npos);
  CHECK(html.find("<script") == std::string::npos);
  CHECK(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(html.find("Büro; &quot;OB&quot;") != std::string::npos);
  CHECK(html.find("http://example.org") != std::string::npos);  // as text only
  CHECK(html.find("src=") == std::string::npos);
  CHECK(html.find("9,3 h") != std::string::npos);  // 9.26 h, one decimal
  CHECK(html.find("Montag, 19. Oktober 2026 bis Sonntag, 25. Oktober 2026") != std::string::npos);
  CHECK(html.find("54,6 Tage") != std::string::npos);
}

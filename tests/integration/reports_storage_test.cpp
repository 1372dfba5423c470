// The weekly report's queries against a seeded week (tests/fixtures/reports/week_2026_w43.sql): every
// figure, the week boundaries at Monday 00:00 Berlin, the DST week, and storing a report once.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "storage/migrations.hpp"
#include "storage/reports.hpp"
#include "storage/units.hpp"
#include "storage_fixture.hpp"
#include "test_env.hpp"

using namespace anliegen;

namespace {

std::string seed_sql() {
  std::ifstream in(std::string(ANLIEGEN_SOURCE_DIR) + "/tests/fixtures/reports/week_2026_w43.sql");
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct SeededWeek : testing::MigratedDatabase {
  SeededWeek()
      : MigratedDatabase({{"ob", "Büro der Oberbürgermeisterin", "", 5},
                          {"buergerservice", "Bürgerservice", "", 3},
                          {"tiefbau", "Tiefbau", "", 10},
                          {"stadtreinigung", "Stadtreinigung", "", 5},
                          {"ordnung", "Ordnung", "", 5},
                          {"gruen", "Grün", "", 10},
                          {"stadtplanung", "Stadtplanung", "", 15}}) {
    db.scalar(seed_sql());
  }
  domain::WeeklyReport report(const char* week) {
    domain::WeeklyReport r;
    conn->read([&](storage::Tx& tx) {
      r = storage::compute_weekly_report(tx, *domain::parse_iso_week(week), domain::from_unix_ms(0));
    });
    return r;
  }
};

void check_totals(const domain::ReportTotals& t, std::int64_t received, std::int64_t answered, std::int64_t closed,
                  std::int64_t open) {
  CHECK(t.received == received);
  CHECK(t.answered == answered);
  CHECK(t.closed == closed);
  CHECK(t.open_at_end == open);
}

const domain::ReportUnit& unit(const domain::WeeklyReport& r, const std::string& code) {
  for (const auto& u : r.by_unit) {
    if (u.code == code) return u;
  }
  FAIL("no unit " << code);
  throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("weekly report: totals, channels and kinds of the DST week 2026-W43") {
  SeededWeek seeded;
  const auto r = seeded.report("2026-W43");
  CHECK(domain::format_utc(r.from) == "2026-10-18T22:00:00.000Z");
  CHECK(domain::format_utc(r.to) == "2026-10-25T23:00:00.000Z");
  CHECK(r.to - r.from == std::chrono::hours(169));
  check_totals(r.totals, 7, 5, 3, 9);
  check_totals(r.previous, 3, 1, 0, 5);

  REQUIRE(r.by_channel.size() == 7);
  const std::vector<std::string> order{"whatsapp", "facebook", "holdieob", "maengelmelder", "phone", "in_person", "letter"};
  for (std::size_t i = 0; i < order.size(); ++i) CHECK(r.by_channel[i].channel == order[i]);
  check_totals(r.by_channel[0].figures, 3, 2, 2, 2);  // whatsapp
  check_totals(r.by_channel[1].figures, 1, 1, 1, 0);  // facebook
  check_totals(r.by_channel[2].figures, 1, 0, 0, 2);  // holdieob
  check_totals(r.by_channel[3].figures, 1, 1, 0, 1);  // maengelmelder
  check_totals(r.by_channel[4].figures, 1, 1, 0, 2);  // phone
  check_totals(r.by_channel[5].figures, 0, 0, 0, 1);  // in_person
  check_totals(r.by_channel[6].figures, 0, 0, 0, 1);  // letter

  REQUIRE(r.by_kind.size() == 3);
  CHECK(r.by_kind[0].kind == "message");
  CHECK(r.by_kind[0].received == 5);
  CHECK(r.by_kind[1].kind == "defect_report");
  CHECK(r.by_kind[1].received == 1);
  CHECK(r.by_kind[2].kind == "invitation");
  CHECK(r.by_kind[2].received == 1);
}

TEST_CASE("weekly report: units with response times and the target in working days") {
  SeededWeek seeded;
  const auto r = seeded.report("2026-W43");
  REQUIRE(r.by_unit.size() == 7);
  CHECK(r.by_unit[0].code == "buergerservice");
  CHECK(r.by_unit[6].code == "tiefbau");

  const auto& ob = unit(r, "ob");
  check_totals(ob.figures, 4, 2, 2, 5);
  CHECK(ob.over_target == 2);
  CHECK(ob.target_days == 5);
  CHECK(ob.first_response_median_hours == doctest::Approx(9.25));
  CHECK(ob.first_response_p90_hours == doctest::Approx(16.25));
  CHECK(ob.close_median_hours == doctest::Approx(93.92));

  const auto& bs = unit(r, "buergerservice");
  check_totals(bs.figures, 1, 1, 0, 2);
  CHECK(bs.over_target == 1);
  CHECK(bs.first_response_median_hours == doctest::Approx(168.0));
  CHECK(bs.first_response_p90_hours == doctest::Approx(168.0));
  CHECK_FALSE(bs.close_median_hours.has_value());

  const auto& tb = unit(r, "tiefbau");
  check_totals(tb.figures, 1, 1, 0, 2);
  CHECK(tb.over_target == 1);
  CHECK(tb.first_response_median_hours == doctest::Approx(10.0));

  const auto& sr = unit(r, "stadtreinigung");
  check_totals(sr.figures, 1, 1, 1, 0);
  CHECK(sr.over_target == 0);
  CHECK(sr.first_response_median_hours == doctest::Approx(4.0));
  CHECK(sr.close_median_hours == doctest::Approx(24.0));

  const auto& gruen = unit(r, "gruen");
  check_totals(gruen.figures, 0, 0, 0, 0);
  CHECK_FALSE(gruen.first_response_median_hours.has_value());
}

TEST_CASE("weekly report: categories, rising topics, Sprechstunde, invitations, oldest open") {
  SeededWeek seeded;
  const auto r = seeded.report("2026-W43");
  REQUIRE(r.by_category.size() == 4);
  CHECK(r.by_category[0].category == "Müll");
  CHECK(r.by_category[0].received == 2);
  CHECK(r.by_category[0].previous == 1);
  CHECK(r.by_category[1].category == "Verkehr");
  CHECK(r.by_category[2].category == "Parken");
  CHECK(r.by_category[3].category == "Schlagloch");
  CHECK(r.by_category[3].previous == 0);

  REQUIRE(r.rising_topics.size() == 5);
  CHECK(r.rising_topics[0].type == "tag");
  CHECK(r.rising_topics[0].name == "laerm");
  CHECK(r.rising_topics[0].received == 3);
  CHECK(r.rising_topics[0].previous == 0);
  CHECK(r.rising_topics[1].name == "Müll");
  CHECK(r.rising_topics[2].name == "Verkehr");
  CHECK(r.rising_topics[3].name == "Parken");
  CHECK(r.rising_topics[4].name == "Schlagloch");

  REQUIRE(r.sprechstunden.size() == 1);  // the cancelled one and last week's are not counted
  const auto& s = r.sprechstunden[0];
  CHECK(s.id == 1);
  CHECK(s.messages == 4);
  CHECK(s.citizens == 2);
  CHECK(s.anliegen == 3);
  CHECK(s.answered_during == 1);
  CHECK(s.answered_later == 1);
  CHECK(s.unanswered == 1);
  CHECK(s.answer_median_minutes == doctest::Approx(555.0));

  const auto& inv = r.invitations;
  CHECK(inv.created == 1);
  CHECK(inv.supporters_gained == 45);
  CHECK(inv.threshold_reached == 1);
  CHECK(inv.decided == 1);
  CHECK(inv.accepted == 1);
  CHECK(inv.declined == 0);
  REQUIRE(inv.most_supported.size() == 2);
  CHECK(inv.most_supported[0].reference == "LU-2026-0012");
  CHECK(inv.most_supported[0].supporters == 40);
  CHECK(inv.most_supported[0].gained == 40);
  CHECK(inv.most_supported[1].reference == "LU-2026-0013");
  CHECK(inv.most_supported[1].supporters == 35);
  CHECK(inv.most_supported[1].gained == 5);

  REQUIRE(r.oldest_open.size() == 9);
  const std::vector<std::string> refs{"LU-2026-0008", "LU-2026-0011", "LU-2026-0013", "LU-2026-0010", "LU-2026-0004",
                                      "LU-2026-0012", "LU-2026-0001", "LU-2026-0003", "LU-2026-0005"};
  for (std::size_t i = 0; i < refs.size(); ++i) CHECK(r.oldest_open[i].reference == refs[i]);
  CHECK(r.oldest_open[0].unit == "tiefbau");
  CHECK(r.oldest_open[0].age_days == doctest::Approx(54.6));
  CHECK(r.oldest_open[4].age_days == doctest::Approx(7.0));
  CHECK(r.oldest_open[8].age_days == doctest::Approx(0.0));
}

TEST_CASE("weekly report: the next week starts exactly at Monday 00:00 Berlin") {
  SeededWeek seeded;
  const auto next = seeded.report("2026-W44");
  CHECK(next.to - next.from == std::chrono::hours(168));
  CHECK(next.totals.received == 1);  // LU-2026-0006 at 2026-10-26 00:00 CET
  REQUIRE(next.by_channel.size() >= 1);
  CHECK(next.by_channel[0].channel == "email");
  CHECK(next.invitations.supporters_gained == 20);  // 60 observed at Monday 00:00 belongs to W44
  CHECK(next.previous.received == 7);
  CHECK(next.previous.open_at_end == 9);
}

TEST_CASE("a stored weekly report is kept: storing twice keeps the first") {
  SeededWeek seeded;
  storage::StoredReport first, second;
  seeded.conn->transact([&](storage::Tx& tx) {
    storage::lock_weekly_reports(tx);
    first = storage::store_weekly_report(tx, "2026-W43", R"({"week":"2026-W43","n":1})", "<p>1</p>");
  });
  seeded.conn->transact([&](storage::Tx& tx) {
    second = storage::store_weekly_report(tx, "2026-W43", R"({"week":"2026-W43","n":2})", "<p>2</p>");
  });
  CHECK(first.inserted);
  CHECK_FALSE(second.inserted);
  CHECK(second.html == "<p>1</p>");
  CHECK(second.json.find("\"n\": 1") != std::string::npos);
  seeded.conn->transact([&](storage::Tx& tx) { storage::mark_report_notified(tx, "2026-W43"); });
  CHECK(seeded.db.scalar("SELECT notified_at IS NOT NULL FROM weekly_reports") == "t");
  std::optional<storage::StoredReport> none;
  seeded.conn->read([&](storage::Tx& tx) { none = storage::find_weekly_report(tx, "2026-W42"); });
  CHECK_FALSE(none.has_value());
}

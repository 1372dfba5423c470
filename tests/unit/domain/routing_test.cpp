// Unit tests for domain/routing.hpp: folding, keywords, polygons, time windows, decide() and reasons.
#include <doctest/doctest.h>

#include "domain/routing.hpp"

using namespace anliegen::domain;

namespace {

Timestamp ts(std::string_view iso) { return parse_iso8601(iso).value(); }

std::vector<std::string> words(std::string_view s) { return folded_words(s); }

Rule rule(std::string id, std::string unit, Conditions when = {}) {
  Rule r;
  r.id = std::move(id);
  r.name = "Regel " + r.id;
  r.when = std::move(when);
  r.then.unit = std::move(unit);
  return r;
}

RoutingInput text_input(std::string text) {
  RoutingInput in;
  in.channel = Channel::whatsapp;
  in.text = std::move(text);
  in.at = ts("2026-07-06T10:00:00Z");
  return in;
}

Ring square(double x0, double y0, double x1, double y1) { return {{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}, {x0, y0}}; }

// lon 8.40..8.50, lat 49.45..49.50 with a hole lon 8.44..8.46, lat 49.47..49.48
Polygon square_with_hole() { return Polygon{{square(8.40, 49.45, 8.50, 49.50), square(8.44, 49.47, 8.46, 49.48)}}; }

bool in_window(const TimeWindow& w, std::string_view iso) {
  RuleSet rs;
  Conditions c;
  c.time = w;
  rs.rules.push_back(rule("t", "ordnung", c));
  RoutingInput in = text_input("");
  in.at = ts(iso);
  return decide(in, rs).decision.unit == "ordnung";
}

}  // namespace

TEST_CASE("fold_german lower-cases and folds umlauts, ae/oe/ue and ß") {
  CHECK(fold_german("Schlaglöcher") == "schlaglocher");
  CHECK(fold_german("SCHLAGLOECHER") == "schlaglocher");
  CHECK(fold_german("Straße") == "strasse");
  CHECK(fold_german("STRAẞE") == "strasse");
  CHECK(fold_german("Ärger") == fold_german("Aerger"));
  CHECK(fold_german("Übel") == fold_german("UEBEL"));
  CHECK(fold_german("Öl") == fold_german("Oel"));
  CHECK(fold_german("Müll") == "mull");
  CHECK(fold_german("café 😀") == "café 😀");  // other letters and symbols pass through
  CHECK(fold_german("") == "");
  CHECK(fold_german("ab\xC3") == "ab\xC3");  // invalid UTF-8 is kept, never read past the end
}

TEST_CASE("folded_words splits on spaces, punctuation, typographic quotes, dashes and emoji") {
  CHECK(words("„Schlagloch“ – bitte!") == std::vector<std::string>{"schlagloch", "bitte"});
  CHECK(words("Straßen-Laterne, kaputt.") == std::vector<std::string>{"strassen", "laterne", "kaputt"});
  CHECK(words("Müll😀Müll\u00A0B9") == std::vector<std::string>{"mull", "mull", "b9"});
  CHECK(words("   ").empty());
}

TEST_CASE("keywords match whole words or word prefixes, German-aware") {
  CHECK(keyword_matches("Schlagloch", words("Überall Schlaglöcher in der Straße")));
  CHECK(keyword_matches("Schlagloch", words("schlagloecher")));
  CHECK(keyword_matches("Gehweg", words("Der GEHWEG ist kaputt")));
  CHECK(keyword_matches("Müll", words("Muell liegt herum")));
  CHECK(keyword_matches("Straßenlaterne", words("Die Strassenlaterne flackert")));
  CHECK(keyword_matches("Baum", words("Bäume müssen geschnitten werden")));
  CHECK(keyword_matches("Lärm", words("Lärmbelästigung")));
  // not inside another word unless it is a prefix
  CHECK_FALSE(keyword_matches("Baum", words("Der Schlagbaum ist zu")));
  CHECK_FALSE(keyword_matches("Laterne", words("Straßenlaterne")));
  CHECK_FALSE(keyword_matches("Müll", words("Sperrmüll")));
  CHECK_FALSE(keyword_matches("Schlaglöcher", words("Schlagloch")));  // the keyword is longer than the word
  // phrases match consecutive words
  CHECK(keyword_matches("laute Musik", words("sehr LAUTE Musik nebenan")));
  CHECK_FALSE(keyword_matches("laute Musik", words("Musik ist laut")));
  CHECK_FALSE(keyword_matches("!!!", words("!!!")));
  CHECK_FALSE(keyword_matches("Baum", {}));
}

TEST_CASE("polygon with a hole; points on edges count as inside") {
  const Polygon p = square_with_hole();
  CHECK(polygon_contains(p, 8.42, 49.46));
  CHECK_FALSE(polygon_contains(p, 8.55, 49.46));
  CHECK_FALSE(polygon_contains(p, 8.45, 49.40));
  CHECK_FALSE(polygon_contains(p, 8.45, 49.475));  // in the hole
  CHECK(polygon_contains(p, 8.40, 49.47));   // on the outer edge
  CHECK(polygon_contains(p, 8.45, 49.50));   // on the top edge
  CHECK(polygon_contains(p, 8.40, 49.45));   // on a vertex
  CHECK(polygon_contains(p, 8.44, 49.475));  // on the hole's edge
  CHECK(polygon_contains(p, 8.46, 49.48));   // on the hole's vertex
  CHECK_FALSE(polygon_contains(Polygon{}, 8.42, 49.46));
}

TEST_CASE("polygon: diagonal edges and concave shapes") {
  const Polygon triangle{{{{0, 0}, {10, 0}, {0, 10}, {0, 0}}}};
  CHECK(polygon_contains(triangle, 5, 5));  // on the hypotenuse
  CHECK(polygon_contains(triangle, 4.9999, 5));
  CHECK_FALSE(polygon_contains(triangle, 5.0001, 5));
  // a U: the notch between the arms is outside
  const Polygon u{{{{0, 0}, {3, 0}, {3, 3}, {2, 3}, {2, 1}, {1, 1}, {1, 3}, {0, 3}, {0, 0}}}};
  CHECK(polygon_contains(u, 0.5, 2.5));
  CHECK(polygon_contains(u, 2.5, 2.5));
  CHECK_FALSE(polygon_contains(u, 1.5, 2));
  CHECK(polygon_contains(u, 1.5, 1));  // the notch's floor is an edge
}

TEST_CASE("MultiPolygon: inside any of its polygons") {
  Area a;
  a.multi = true;
  a.polygons = {Polygon{{square(0, 0, 1, 1)}}, Polygon{{square(2, 0, 3, 1)}}};
  CHECK(area_contains(a, 0.5, 0.5));
  CHECK(area_contains(a, 2.5, 0.5));
  CHECK_FALSE(area_contains(a, 1.5, 0.5));
  CHECK(area_contains(a, 1, 0.5));  // shared edge of the first
  CHECK_FALSE(area_contains(Area{}, 0, 0));
}

TEST_CASE("parse_hhmm and format_hhmm") {
  CHECK(parse_hhmm("08:00") == 480);
  CHECK(parse_hhmm("23:59") == 1439);
  CHECK(parse_hhmm("00:00") == 0);
  CHECK_FALSE(parse_hhmm("24:00"));
  CHECK(parse_hhmm("24:00", true) == 1440);
  CHECK_FALSE(parse_hhmm("8:00"));
  CHECK_FALSE(parse_hhmm("08:60"));
  CHECK_FALSE(parse_hhmm("25:00", true));
  CHECK_FALSE(parse_hhmm("08-00"));
  CHECK_FALSE(parse_hhmm("08:00 "));
  CHECK(format_hhmm(480) == "08:00");
  CHECK(format_hhmm(1440) == "24:00");
  CHECK(parse_weekday("sun") == Weekday::sun);
  CHECK_FALSE(parse_weekday("Sunday"));
}

TEST_CASE("time window in Berlin local time, winter and summer") {
  const TimeWindow office{{Weekday::mon, Weekday::tue, Weekday::wed, Weekday::thu, Weekday::fri}, 8 * 60, 16 * 60};
  CHECK(in_window(office, "2026-01-05T07:00:00Z"));        // Mon 08:00 CET: from is inclusive
  CHECK_FALSE(in_window(office, "2026-01-05T06:30:00Z"));  // Mon 07:30 CET
  CHECK_FALSE(in_window(office, "2026-01-05T15:00:00Z"));  // Mon 16:00 CET: to is exclusive
  CHECK(in_window(office, "2026-07-06T06:30:00Z"));        // Mon 08:30 CEST
  CHECK(in_window(office, "2026-07-06T13:59:00Z"));        // Mon 15:59 CEST
  CHECK_FALSE(in_window(office, "2026-07-06T14:00:00Z"));  // Mon 16:00 CEST
  CHECK_FALSE(in_window(office, "2026-07-12T08:00:00Z"));  // Sunday
  // the weekday is the local one: Sunday 22:30 UTC is Monday 00:30 in Berlin in summer
  const TimeWindow monday{{Weekday::mon}, std::nullopt, std::nullopt};
  CHECK(in_window(monday, "2026-07-12T22:30:00Z"));
  CHECK_FALSE(in_window(monday, "2026-07-12T21:30:00Z"));
  CHECK(in_window(TimeWindow{}, "2026-07-12T21:30:00Z"));  // an empty window is no condition
}

TEST_CASE("time window on the days the clocks change") {
  const TimeWindow early{{Weekday::sun}, 3 * 60, 4 * 60};
  CHECK_FALSE(in_window(early, "2026-03-29T00:59:00Z"));  // 01:59 CET
  CHECK(in_window(early, "2026-03-29T01:00:00Z"));        // 03:00 CEST, the hour 02:00-03:00 never happens
  // in October 02:00-03:00 happens twice, and both times are in the window
  const TimeWindow twice{{Weekday::sun}, 2 * 60, 3 * 60};
  CHECK_FALSE(in_window(twice, "2026-10-24T23:59:00Z"));  // 01:59 CEST
  CHECK(in_window(twice, "2026-10-25T00:30:00Z"));        // 02:30 CEST
  CHECK(in_window(twice, "2026-10-25T01:30:00Z"));        // 02:30 CET
  CHECK_FALSE(in_window(twice, "2026-10-25T02:00:00Z"));  // 03:00 CET
}

TEST_CASE("time window from > to wraps midnight and belongs to the day it starts") {
  const TimeWindow night{{}, 22 * 60, 6 * 60};
  CHECK(in_window(night, "2026-07-06T21:30:00Z"));        // 23:30
  CHECK(in_window(night, "2026-07-06T03:59:00Z"));        // 05:59
  CHECK_FALSE(in_window(night, "2026-07-06T04:00:00Z"));  // 06:00
  CHECK_FALSE(in_window(night, "2026-07-06T19:59:00Z"));  // 21:59
  CHECK(in_window(night, "2026-07-06T20:00:00Z"));        // 22:00
  const TimeWindow friday_night{{Weekday::fri}, 22 * 60, 6 * 60};
  CHECK(in_window(friday_night, "2026-07-10T21:00:00Z"));        // Fri 23:00
  CHECK(in_window(friday_night, "2026-07-11T01:00:00Z"));        // Sat 03:00, still Friday night
  CHECK_FALSE(in_window(friday_night, "2026-07-11T21:00:00Z"));  // Sat 23:00
  CHECK_FALSE(in_window(friday_night, "2026-07-10T01:00:00Z"));  // Fri 03:00 belongs to Thursday night
  CHECK_FALSE(in_window(friday_night, "2026-07-10T10:00:00Z"));  // Fri 12:00
}

// RFC 5545 writing: escaping, folding at 75 octets (UTF-8 safe), Berlin local times, the whole feed.
#include <doctest/doctest.h>

#include <string>

#include "domain/icalendar.hpp"

using namespace anliegen::domain;

namespace {

Timestamp at(const char* iso) { return *parse_iso8601(iso); }

}  // namespace

TEST_CASE("TEXT values are escaped") {
  CHECK(escape_ical_text("a\\b;c,d\ne\r\nf") == "a\\\\b\\;c\\,d\\ne\\nf");
}

TEST_CASE("long lines are folded at 75 octets without splitting UTF-8") {
  const std::string ascii(200, 'a');
  const auto folded = fold_ical_line(ascii);
  std::size_t pos = 0;
  std::string joined;
  while (pos < folded.size()) {
    const auto end = folded.find("\r\n", pos);
    REQUIRE(end != std::string::npos);
    const auto line = folded.substr(pos, end - pos);
    CHECK(line.size() <= 75);
    joined += pos == 0 ? line : line.substr(1);
    pos = end + 2;
  }
  CHECK(joined == ascii);

  std::string umlauts = "SUMMARY:";
  for (int i = 0; i < 60; ++i) umlauts += "\xC3\xBC";  // ü, two octets each
  const auto f2 = fold_ical_line(umlauts);
  pos = 0;
  while (pos < f2.size()) {
    const auto end = f2.find("\r\n", pos);
    const auto line = f2.substr(pos, end - pos);
    CHECK(line.size() <= 75);
    // A physical line never ends inside a two-octet sequence.
    CHECK(static_cast<unsigned char>(line.back()) != 0xC3);
    pos = end + 2;
  }
  CHECK(fold_ical_line("short") == "short\r\n");
}

TEST_CASE("Berlin local times in winter and summer, UTC stamps") {
  CHECK(ical_berlin_time(at("2026-12-10T13:00:00Z")) == "20261210T140000");
  CHECK(ical_berlin_time(at("2026-07-01T10:30:00Z")) == "20260701T123000");
  CHECK(ical_utc_time(at("2026-11-30T09:05:07.900Z")) == "20261130T090507Z");
}

TEST_CASE("a feed with VTIMEZONE and one event") {
  Calendar cal{.name = "OB, Termine", .prodid = "-//Test//Anliegen//DE", .events = {}};
  cal.events.push_back({.uid = "invitation-1@example.org",
                        .start = at("2026-12-10T14:00:00+01:00"),
                        .end = at("2026-12-10T15:00:00+01:00"),
                        .summary = "Besuch: Sommerfest; Kita",
                        .location = "Marktplatz 1, Ludwigshafen",
                        .description = ""});
  const auto ics = write_icalendar(cal, at("2026-11-30T09:00:00Z"));
  CHECK(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//Anliegen//DE\r\n"));
  CHECK(ics.find("X-WR-CALNAME:OB\\, Termine\r\n") != std::string::npos);
  CHECK(ics.find("METHOD:PUBLISH\r\n") != std::string::npos);
  CHECK(ics.find("BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n") != std::string::npos);
  CHECK(ics.find("DTSTART;TZID=Europe/Berlin:20261210T140000\r\n") != std::string::npos);
  CHECK(ics.find("DTEND;TZID=Europe/Berlin:20261210T150000\r\n") != std::string::npos);
  CHECK(ics.find("DTSTAMP:20261130T090000Z\r\n") != std::string::npos);
  CHECK(ics.find("SUMMARY:Besuch: Sommerfest\\; Kita\r\n") != std::string::npos);
  CHECK(ics.find("LOCATION:Marktplatz 1\\, Ludwigshafen\r\n") != std::string::npos);
  CHECK(ics.find("DESCRIPTION") == std::string::npos);
  CHECK(ics.ends_with("END:VEVENT\r\nEND:VCALENDAR\r\n"));
  // No bare LF anywhere.
  for (std::size_t i = 0; i < ics.size(); ++i) {
    if (ics[i] == '\n') CHECK((i > 0 && ics[i - 1] == '\r'));
  }
}

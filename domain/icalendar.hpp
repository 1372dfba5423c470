#pragma once
// Writing RFC 5545 iCalendar feeds (pure): VCALENDAR with PRODID, VERSION 2.0, CALSCALE, METHOD
// PUBLISH, X-WR-CALNAME, a VTIMEZONE for Europe/Berlin, and VEVENTs with local times in
// Europe/Berlin. Lines end in CRLF and are folded at 75 octets without splitting a UTF-8 sequence;
// TEXT values are escaped (\\ \; \, \n).
//
//   Calendar cal{.name = "OB-Termine", .prodid = "-//Stadt Ludwigshafen//Anliegen//DE"};
//   cal.events.push_back({.uid = "invitation-12@host", .start = t, .end = t + 1h, .summary = "..."});
//   std::string ics = write_icalendar(cal, clock.now());
#include <string>
#include <string_view>
#include <vector>

#include "domain/time.hpp"

namespace anliegen::domain {

struct CalendarEvent {
  std::string uid;  // globally unique and stable, e.g. invitation-12@anliegen.example
  Timestamp start{};
  Timestamp end{};
  std::string summary;
  std::string location;
  std::string description;
};

struct Calendar {
  std::string name;    // X-WR-CALNAME
  std::string prodid;  // PRODID
  std::vector<CalendarEvent> events;
};

// The whole feed; `stamp` becomes every event's DTSTAMP (UTC).
std::string write_icalendar(const Calendar& calendar, Timestamp stamp);

// TEXT escaping of RFC 5545 section 3.3.11 (backslash, semicolon, comma, newline; CR dropped).
std::string escape_ical_text(std::string_view text);
// One content line folded at 75 octets (UTF-8 safe), each physical line ending in CRLF.
std::string fold_ical_line(std::string_view line);
// "20261210T140000": the local date-time in Europe/Berlin (for DTSTART;TZID=Europe/Berlin).
std::string ical_berlin_time(Timestamp t);
// "20261210T130000Z"
std::string ical_utc_time(Timestamp t);

}  // namespace anliegen::domain

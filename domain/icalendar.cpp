#include "domain/icalendar.hpp"

#include <chrono>
#include <cstdio>

namespace anliegen::domain {
namespace {

constexpr std::size_t kMaxOctets = 75;

constexpr std::string_view kBerlinTimezone[] = {
    "BEGIN:VTIMEZONE",         "TZID:Europe/Berlin",
    "X-LIC-LOCATION:Europe/Berlin",
    "BEGIN:DAYLIGHT",          "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",        "TZNAME:CEST",
    "DTSTART:19700329T020000", "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",            "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",      "TZOFFSETTO:+0100",
    "TZNAME:CET",              "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",            "END:VTIMEZONE",
};

std::string compact(std::chrono::sys_seconds t, bool utc) {
  const auto day = std::chrono::floor<std::chrono::days>(t);
  const std::chrono::year_month_day ymd{day};
  const std::chrono::hh_mm_ss hms{t - day};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02uT%02d%02d%02d%s", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()), utc ? "Z" : "");
  return buf;
}

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

void add(std::string& out, std::string_view line) { out += fold_ical_line(line); }

}  // namespace

std::string escape_ical_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case ';': out += "\\;"; break;
      case ',': out += "\\,"; break;
      case '\n': out += "\\n"; break;
      case '\r': break;
      default:
        // Other control characters are not allowed in TEXT values.
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t') break;
        out += c;
    }
  }
  return out;
}

std::string fold_ical_line(std::string_view line) {
  std::string out;
  std::size_t limit = kMaxOctets;  // the first line holds 75 octets, continuations 74 after the space
  while (line.size() > limit) {
    std::size_t cut = limit;
    while (cut > 0 && is_continuation(line[cut])) --cut;  // never split a UTF-8 sequence
    out.append(line.substr(0, cut));
    out += "\r\n ";
    line.remove_prefix(cut);
    limit = kMaxOctets - 1;
  }
  out.append(line);
  out += "\r\n";
  return out;
}

std::string ical_berlin_time(Timestamp t) {
  const auto local = std::chrono::floor<std::chrono::seconds>(t) + berlin_offset(t);
  return compact(local, false);
}

std::string ical_utc_time(Timestamp t) { return compact(std::chrono::floor<std::chrono::seconds>(t), true); }

std::string write_icalendar(const Calendar& cal, Timestamp stamp) {
  std::string out;
  add(out, "BEGIN:VCALENDAR");
  add(out, "VERSION:2.0");
  add(out, "PRODID:" + cal.prodid);
  add(out, "CALSCALE:GREGORIAN");
  add(out, "METHOD:PUBLISH");
  add(out, "X-WR-CALNAME:" + escape_ical_text(cal.name));
  add(out, "X-WR-TIMEZONE:Europe/Berlin");
  for (const auto line : kBerlinTimezone) add(out, line);
  const auto dtstamp = ical_utc_time(stamp);
  for (const auto& e : cal.events) {
    add(out, "BEGIN:VEVENT");
    add(out, "UID:" + e.uid);
    add(out, "DTSTAMP:" + dtstamp);
    add(out, "DTSTART;TZID=Europe/Berlin:" + ical_berlin_time(e.start));
    add(out, "DTEND;TZID=Europe/Berlin:" + ical_berlin_time(e.end));
    add(out, "SUMMARY:" + escape_ical_text(e.summary));
    if (!e.location.empty()) add(out, "LOCATION:" + escape_ical_text(e.location));
    if (!e.description.empty()) add(out, "DESCRIPTION:" + escape_ical_text(e.description));
    add(out, "END:VEVENT");
  }
  add(out, "END:VCALENDAR");
  return out;
}

}  // namespace anliegen::domain

#pragma once
// Time in the model: UTC instants with millisecond precision, ISO 8601 text, and the Europe/Berlin
// civil time that citizens and the OB's office read (EU summer time rules, no tz database needed).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace anliegen::domain {

using Timestamp = std::chrono::sys_time<std::chrono::milliseconds>;

Timestamp from_unix_ms(std::int64_t ms);
std::int64_t to_unix_ms(Timestamp t);

// "2026-11-29T21:13:30.123Z"
std::string format_utc(Timestamp t);
// "2026-11-29T22:13:30+01:00" (seconds precision, Berlin offset), as Open311 and humans like it.
std::string format_berlin(Timestamp t);
// Parses ISO 8601 / RFC 3339 date-times with a mandatory offset ("Z", "+01:00", "+0100"), optional
// fractional seconds. Returns std::nullopt for anything else.
std::optional<Timestamp> parse_iso8601(std::string_view s);
// The same for a value read from a URL query: a client that does not encode '+' sends
// "2026-11-01T00:00:00+01:00" and form decoding turns the '+' into a space. A single space in place of
// the sign of a trailing "+hh:mm" / "+hhmm" offset is read as '+'; everything else as parse_iso8601.
std::optional<Timestamp> parse_iso8601_query(std::string_view s);

// Offset of Europe/Berlin from UTC at instant t: +1 h in winter, +2 h in summer (CEST from the last
// Sunday of March 01:00 UTC to the last Sunday of October 01:00 UTC).
std::chrono::minutes berlin_offset(Timestamp t);
// The calendar year at instant t in Europe/Berlin.
int berlin_year(Timestamp t);

// Civil time in Europe/Berlin, for texts citizens read.
struct BerlinTime {
  int year = 0;
  unsigned month = 1;  // 1..12
  unsigned day = 1;
  unsigned weekday = 0;  // 0 = Sunday .. 6 = Saturday
  int hour = 0;
  int minute = 0;
};
BerlinTime to_berlin(Timestamp t);
// "Mittwoch, 2. Dezember 2026"
std::string german_date(Timestamp t);
// "16:00"
std::string german_time(Timestamp t);

// ISO 8601 weeks (Monday to Sunday; week 1 holds the year's first Thursday) in Europe/Berlin.
struct IsoWeek {
  int year = 0;
  unsigned week = 1;  // 1..52 or 53
  friend bool operator==(const IsoWeek&, const IsoWeek&) = default;
};
// "2026-W48" (exactly this form; the week must exist in that year). std::nullopt for anything else.
std::optional<IsoWeek> parse_iso_week(std::string_view s);
std::string format_iso_week(IsoWeek w);
// The Berlin calendar day (as a day count) of Monday of the week, and the week a Berlin day belongs to.
std::chrono::sys_days iso_week_monday(IsoWeek w);
IsoWeek iso_week_of_day(std::chrono::sys_days berlin_day);
// The week that instant t falls into in Berlin.
IsoWeek iso_week_of(Timestamp t);
IsoWeek previous_week(IsoWeek w);
// 00:00 Berlin time on a Berlin calendar day, as an instant (DST-correct: midnight is never skipped).
Timestamp berlin_midnight(std::chrono::sys_days berlin_day);
// The week as the half-open interval [Monday 00:00, next Monday 00:00) Berlin time: 168 hours,
// 167 or 169 in the weeks of the DST changes.
struct WeekInterval {
  Timestamp from;
  Timestamp to;
};
WeekInterval week_interval(IsoWeek w);
// The latest instant from which at least `working_days` full working days (Monday to Friday, Berlin;
// public holidays count as working days) pass until `end_day` 00:00: an Anliegen received before it
// and still open at `end_day` 00:00 has been open longer than `working_days` working days.
Timestamp working_days_cutoff(std::chrono::sys_days end_day, int working_days);

// An abstract clock so that decisions never read the system clock directly (tests pass a fixed one).
class Clock {
 public:
  virtual ~Clock() = default;
  virtual Timestamp now() const = 0;
};

class SystemClock final : public Clock {
 public:
  Timestamp now() const override;
};

}  // namespace anliegen::domain

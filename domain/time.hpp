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

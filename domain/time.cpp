#include "domain/time.hpp"

#include <charconv>
#include <cstdio>

namespace anliegen::domain {
namespace {

using namespace std::chrono;

sys_days last_sunday(year y, month m) {
  const sys_days final_day{y / m / std::chrono::last};
  const weekday wd{final_day};
  return final_day - (wd - Sunday);
}

bool read_int(std::string_view s, std::size_t pos, std::size_t len, int& out) {
  if (pos + len > s.size()) return false;
  for (std::size_t i = pos; i < pos + len; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  auto r = std::from_chars(s.data() + pos, s.data() + pos + len, out);
  return r.ec == std::errc{};
}

// Writes v as exactly `width` decimal digits (v < 10^width).
char* put_digits(char* p, unsigned v, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return p + width;
}

// "2026-11-30T09:15:00.000Z" (millis, UTC), "2026-11-30T10:15:00+01:00" (no millis, with offset).
// Written digit by digit: the API formats several times per Anliegen, and snprintf was a noticeable
// part of a case list's cost.
std::string format_with_offset(Timestamp t, minutes offset, bool millis) {
  const auto local = t + offset;
  const auto day = floor<days>(local);
  const year_month_day ymd{day};
  const hh_mm_ss hms{floor<milliseconds>(local - day)};
  const int y = static_cast<int>(ymd.year());
  char buf[64];
  char* p = buf;
  if (y >= 0 && y <= 9999) {
    p = put_digits(p, static_cast<unsigned>(y), 4);
  } else {
    p += std::snprintf(buf, 16, "%04d", y);
  }
  *p++ = '-';
  p = put_digits(p, static_cast<unsigned>(ymd.month()), 2);
  *p++ = '-';
  p = put_digits(p, static_cast<unsigned>(ymd.day()), 2);
  *p++ = 'T';
  p = put_digits(p, static_cast<unsigned>(hms.hours().count()), 2);
  *p++ = ':';
  p = put_digits(p, static_cast<unsigned>(hms.minutes().count()), 2);
  *p++ = ':';
  p = put_digits(p, static_cast<unsigned>(hms.seconds().count()), 2);
  if (millis) {
    *p++ = '.';
    p = put_digits(p, static_cast<unsigned>(hms.subseconds().count()), 3);
  }
  if (offset == minutes{0} && millis) {
    *p++ = 'Z';
  } else {
    const auto m = offset.count() < 0 ? -offset.count() : offset.count();
    *p++ = offset.count() < 0 ? '-' : '+';
    p = put_digits(p, static_cast<unsigned>(m / 60 % 100), 2);
    *p++ = ':';
    p = put_digits(p, static_cast<unsigned>(m % 60), 2);
  }
  return std::string(buf, static_cast<std::size_t>(p - buf));
}

}  // namespace

Timestamp from_unix_ms(std::int64_t ms) { return Timestamp{milliseconds{ms}}; }
std::int64_t to_unix_ms(Timestamp t) { return t.time_since_epoch().count(); }

std::string format_utc(Timestamp t) { return format_with_offset(t, minutes{0}, true); }
std::string format_berlin(Timestamp t) { return format_with_offset(t, berlin_offset(t), false); }

std::optional<Timestamp> parse_iso8601(std::string_view s) {
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
  if (!read_int(s, 0, 4, y) || s.size() < 19 || s[4] != '-' || !read_int(s, 5, 2, mo) || s[7] != '-' ||
      !read_int(s, 8, 2, d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !read_int(s, 11, 2, h) ||
      s[13] != ':' || !read_int(s, 14, 2, mi) || s[16] != ':' || !read_int(s, 17, 2, sec)) {
    return std::nullopt;
  }
  std::size_t pos = 19;
  int millis = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 3) millis = millis * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return std::nullopt;
    for (int i = digits; i < 3; ++i) millis *= 10;
  }
  if (pos >= s.size()) return std::nullopt;  // the offset is mandatory
  int offset_minutes = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    const int sign = s[pos] == '-' ? -1 : 1;
    int oh = 0, om = 0;
    if (!read_int(s, pos + 1, 2, oh)) return std::nullopt;
    std::size_t mpos = pos + 3;
    if (mpos < s.size() && s[mpos] == ':') ++mpos;
    if (!read_int(s, mpos, 2, om) || oh > 23 || om > 59) return std::nullopt;
    offset_minutes = sign * (oh * 60 + om);
    pos = mpos + 2;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok() || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  const auto local = sys_days{ymd} + hours{h} + minutes{mi} + seconds{sec} + milliseconds{millis};
  return Timestamp{local - minutes{offset_minutes}};
}

std::optional<Timestamp> parse_iso8601_query(std::string_view s) {
  if (auto t = parse_iso8601(s)) return t;
  // " 01:00" or " 0100" at the end, after at least the 19 characters of date and time.
  for (const std::size_t len : {std::size_t{6}, std::size_t{5}}) {
    if (s.size() < 19 + len) continue;
    const auto pos = s.size() - len;
    if (s[pos] != ' ' || (len == 6 && s[pos + 3] != ':')) continue;
    std::string fixed(s);
    fixed[pos] = '+';
    return parse_iso8601(fixed);
  }
  return std::nullopt;
}

minutes berlin_offset(Timestamp t) {
  const auto day = floor<days>(t);
  const year y = year_month_day{day}.year();
  const auto summer_start = last_sunday(y, March) + hours{1};
  const auto summer_end = last_sunday(y, October) + hours{1};
  return (t >= summer_start && t < summer_end) ? minutes{120} : minutes{60};
}

int berlin_year(Timestamp t) {
  const auto local = t + berlin_offset(t);
  return static_cast<int>(year_month_day{floor<days>(local)}.year());
}

BerlinTime to_berlin(Timestamp t) {
  const auto local = t + berlin_offset(t);
  const auto day = floor<days>(local);
  const year_month_day ymd{day};
  const hh_mm_ss hms{floor<minutes>(local - day)};
  return {static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
          weekday{day}.c_encoding(), static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count())};
}

std::string german_date(Timestamp t) {
  static constexpr const char* kDays[] = {"Sonntag", "Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag"};
  static constexpr const char* kMonths[] = {"Januar", "Februar", "März",      "April",   "Mai",      "Juni",
                                            "Juli",   "August",  "September", "Oktober", "November", "Dezember"};
  const auto b = to_berlin(t);
  return std::string(kDays[b.weekday]) + ", " + std::to_string(b.day) + ". " + kMonths[b.month - 1] + " " +
         std::to_string(b.year);
}

std::string german_time(Timestamp t) {
  const auto b = to_berlin(t);
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", b.hour, b.minute);
  return buf;
}

std::optional<IsoWeek> parse_iso_week(std::string_view s) {
  int y = 0, w = 0;
  if (s.size() != 8 || !read_int(s, 0, 4, y) || s[4] != '-' || s[5] != 'W' || !read_int(s, 6, 2, w)) return std::nullopt;
  if (y < 1970 || w < 1) return std::nullopt;
  const IsoWeek week{y, static_cast<unsigned>(w)};
  // Week 53 exists only in years whose 28 December lies in week 53.
  if (iso_week_of_day(sys_days{year{y} / December / 28}).week < week.week) return std::nullopt;
  return week;
}

std::string format_iso_week(IsoWeek w) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-W%02u", w.year, w.week);
  return buf;
}

sys_days iso_week_monday(IsoWeek w) {
  const sys_days jan4{year{w.year} / January / 4};
  const sys_days week1 = jan4 - (weekday{jan4} - Monday);
  return week1 + days{7 * (static_cast<int>(w.week) - 1)};
}

IsoWeek iso_week_of_day(sys_days day) {
  const sys_days thursday = day - (weekday{day} - Monday) + days{3};
  const int y = static_cast<int>(year_month_day{thursday}.year());
  const sys_days jan1{year{y} / January / 1};
  return {y, static_cast<unsigned>((thursday - jan1).count() / 7 + 1)};
}

IsoWeek iso_week_of(Timestamp t) { return iso_week_of_day(floor<days>(t + berlin_offset(t))); }

IsoWeek previous_week(IsoWeek w) { return iso_week_of_day(iso_week_monday(w) - days{7}); }

Timestamp berlin_midnight(sys_days day) {
  // Midnight is one or two hours earlier in UTC; the right guess is the one whose offset agrees.
  const Timestamp winter{day - hours{1}};
  if (berlin_offset(winter) == minutes{60}) return winter;
  return Timestamp{day - hours{2}};
}

WeekInterval week_interval(IsoWeek w) {
  const auto monday = iso_week_monday(w);
  return {berlin_midnight(monday), berlin_midnight(monday + days{7})};
}

Timestamp working_days_cutoff(sys_days end_day, int working_days) {
  auto is_working = [](sys_days d) { return weekday{d} != Saturday && weekday{d} != Sunday; };
  sys_days d = end_day;
  for (int counted = 0; counted < working_days;) {
    d -= days{1};
    if (is_working(d)) ++counted;
  }
  // Time over a weekend just before those working days does not count either.
  while (!is_working(d - days{1})) d -= days{1};
  return berlin_midnight(d);
}

Timestamp SystemClock::now() const { return floor<milliseconds>(system_clock::now()); }

}  // namespace anliegen::domain

#include <doctest/doctest.h>

#include "domain/reference.hpp"
#include "domain/time.hpp"

using namespace anliegen::domain;

TEST_CASE("ISO 8601 with offsets parses to the same instant") {
  auto a = parse_iso8601("2026-12-02T16:00:00+01:00");
  auto b = parse_iso8601("2026-12-02T15:00:00Z");
  auto c = parse_iso8601("2026-12-02T15:00:00.000+0000");
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(c);
  CHECK(*a == *b);
  CHECK(*b == *c);
  CHECK(format_utc(*a) == "2026-12-02T15:00:00.000Z");
}

TEST_CASE("format_utc pads every field and keeps the milliseconds") {
  CHECK(format_utc(from_unix_ms(0)) == "1970-01-01T00:00:00.000Z");
  CHECK(format_utc(from_unix_ms(-1)) == "1969-12-31T23:59:59.999Z");
  CHECK(format_utc(*parse_iso8601("0999-01-02T03:04:05.006Z")) == "0999-01-02T03:04:05.006Z");
  CHECK(format_utc(*parse_iso8601("2026-03-29T01:59:59.5+00:00")) == "2026-03-29T01:59:59.500Z");
  CHECK(format_berlin(*parse_iso8601("0999-01-02T03:04:05.006Z")) == "0999-01-02T04:04:05+01:00");
}

TEST_CASE("ISO 8601 without offset or malformed is refused") {
  CHECK_FALSE(parse_iso8601("2026-12-02T16:00:00"));
  CHECK_FALSE(parse_iso8601("2026-13-02T16:00:00Z"));
  CHECK_FALSE(parse_iso8601("2026-02-30T16:00:00Z"));
  CHECK_FALSE(parse_iso8601("yesterday"));
  CHECK_FALSE(parse_iso8601("2026-12-02T16:00:00Zjunk"));
  CHECK_FALSE(parse_iso8601(""));
}

TEST_CASE("query date-times: a space in place of the offset's '+' (an unencoded '+' in a URL) is read as '+'") {
  const auto want = parse_iso8601("2026-11-01T00:00:00+01:00");
  REQUIRE(want);
  CHECK(parse_iso8601_query("2026-11-01T00:00:00 01:00") == want);
  CHECK(parse_iso8601_query("2026-11-01T00:00:00 0100") == want);
  CHECK(parse_iso8601_query("2026-11-01 00:00:00 01:00") == want);
  CHECK(parse_iso8601_query("2026-11-01T00:00:00.000 01:00") == want);
  CHECK(parse_iso8601_query("2026-11-01T00:00:00+01:00") == want);
  CHECK(parse_iso8601_query("2026-10-31T23:00:00Z") == want);
  CHECK(parse_iso8601_query("2026-11-01T00:00:00-01:00") == parse_iso8601("2026-11-01T00:00:00-01:00"));
  // Only a single space, only where the offset's sign stands, and only before a complete offset.
  CHECK_FALSE(parse_iso8601("2026-11-01T00:00:00 01:00"));
  CHECK_FALSE(parse_iso8601_query("2026-11-01T00:00:00  01:00"));
  CHECK_FALSE(parse_iso8601_query("2026-11-01T00:00:00 1:00"));
  CHECK_FALSE(parse_iso8601_query("2026-11-01T00:00:00 01:0"));
  CHECK_FALSE(parse_iso8601_query("2026-11-01T00:00:00 01"));
  CHECK_FALSE(parse_iso8601_query("2026-11-01T00:00:00 Z"));
  CHECK_FALSE(parse_iso8601_query("2026-11-01T00:00:00"));
  CHECK_FALSE(parse_iso8601_query("2026-11-01T00:00 01:00"));
  CHECK_FALSE(parse_iso8601_query(" 01:00"));
  CHECK_FALSE(parse_iso8601_query(""));
}

TEST_CASE("fractional seconds are kept to the millisecond") {
  auto t = parse_iso8601("2026-01-01T00:00:00.5Z");
  REQUIRE(t);
  CHECK(to_unix_ms(*t) % 1000 == 500);
}

TEST_CASE("Berlin offset follows EU summer time") {
  // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
  CHECK(berlin_offset(*parse_iso8601("2026-03-29T00:59:59Z")).count() == 60);
  CHECK(berlin_offset(*parse_iso8601("2026-03-29T01:00:00Z")).count() == 120);
  CHECK(berlin_offset(*parse_iso8601("2026-10-25T00:59:59Z")).count() == 120);
  CHECK(berlin_offset(*parse_iso8601("2026-10-25T01:00:00Z")).count() == 60);
  CHECK(format_berlin(*parse_iso8601("2026-07-01T10:00:00Z")) == "2026-07-01T12:00:00+02:00");
  CHECK(format_berlin(*parse_iso8601("2026-12-02T15:00:00Z")) == "2026-12-02T16:00:00+01:00");
}

TEST_CASE("the Berlin year turns at local midnight") {
  CHECK(berlin_year(*parse_iso8601("2026-12-31T23:30:00Z")) == 2027);
  CHECK(berlin_year(*parse_iso8601("2026-12-31T22:59:00Z")) == 2026);
}

TEST_CASE("references are zero-padded") {
  CHECK(format_reference(2026, 123) == "A-2026-000123");
  CHECK(format_reference(2026, 1234567) == "A-2026-1234567");
}

TEST_CASE("German dates and times for citizen texts, in Berlin time") {
  const auto t = *parse_iso8601("2026-12-02T15:00:00Z");
  CHECK(german_date(t) == "Mittwoch, 2. Dezember 2026");
  CHECK(german_time(t) == "16:00");
  const auto summer = *parse_iso8601("2026-03-29T01:30:00Z");  // 03:30 CEST
  CHECK(german_time(summer) == "03:30");
  CHECK(german_date(summer) == "Sonntag, 29. März 2026");
}

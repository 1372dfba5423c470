#pragma once
// Routing rules: which unit (Amt) handles an Anliegen, with which priority and tags.
//
// A RuleSet is an ordered list of rules; `decide` walks it and the FIRST rule whose conditions all hold
// decides. When none matches, the set's default unit (normally `buergerservice`) gets the Anliegen.
// Every condition is optional (an empty list / std::nullopt means "no condition"), so a rule with an
// empty `when` matches everything. The decision names the rule and carries a reason for clerks, e.g.
//   keyword 'Schlagloch' → tiefbau (rule 'Straßenschäden')
//
//   RoutingInput in{.channel = Channel::whatsapp, .kind = Kind::message, .text = "Schlaglöcher!", .at = now};
//   RoutingOutcome out = decide(in, rules);   // out.decision.unit == "tiefbau"
//
// Matching semantics (docs/routing.md has the long version):
//  - keywords: case-insensitive after `fold_german`; a keyword matches a word of the text that it is
//    equal to or a prefix of ("Schlagloch" matches "Schlaglöcher", "Baum" does not match "Schlagbaum").
//    A keyword of several words matches consecutive words, each by prefix.
//  - area: GeoJSON (Multi)Polygon in lon/lat; holes are outside; a point on any edge counts as inside.
//  - time: Europe/Berlin local time; `from` inclusive, `to` exclusive; from > to wraps midnight and the
//    part after midnight belongs to the day the window started on.
// The JSON form lives in config/rules_json.hpp. Pure code: no I/O, no clock, no Boost.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "domain/enums.hpp"
#include "domain/model.hpp"
#include "domain/time.hpp"

namespace anliegen::domain {

enum class Weekday { mon, tue, wed, thu, fri, sat, sun };
std::string_view to_string(Weekday d);
std::optional<Weekday> parse_weekday(std::string_view s);  // "mon".."sun"

// ---- geometry (GeoJSON order: longitude first) ----
struct Position {
  double lon = 0;
  double lat = 0;
  friend bool operator==(const Position&, const Position&) = default;
};
// A closed ring: first position == last position, at least 4 positions (checked by the JSON codec).
using Ring = std::vector<Position>;
struct Polygon {
  std::vector<Ring> rings;  // rings[0] is the outer boundary, the others are holes
  friend bool operator==(const Polygon&, const Polygon&) = default;
};
struct Area {
  bool multi = false;  // written back as "MultiPolygon" (true) or "Polygon" (false, exactly one polygon)
  std::vector<Polygon> polygons;
  friend bool operator==(const Area&, const Area&) = default;
};

// True when (lon, lat) is inside the outer ring and not strictly inside a hole. Points on an edge (outer
// ring or hole, within ~1e-9 degrees) count as inside.
bool polygon_contains(const Polygon& polygon, double lon, double lat);
// True when any polygon of the area contains the point.
bool area_contains(const Area& area, double lon, double lat);

// ---- conditions and actions ----
struct Keywords {
  std::vector<std::string> any;  // at least one must match (no condition when empty)
  std::vector<std::string> all;  // every one must match (no condition when empty)
  bool empty() const { return any.empty() && all.empty(); }
  friend bool operator==(const Keywords&, const Keywords&) = default;
};

struct TimeWindow {
  std::vector<Weekday> days;  // empty: every day
  std::optional<int> from;    // minutes after local midnight, 0..1439 (inclusive); set together with `to`
  std::optional<int> to;      // 1..1440 (exclusive); from > to wraps midnight
  friend bool operator==(const TimeWindow&, const TimeWindow&) = default;
};
// "08:00" → 480. Accepts exactly HH:MM with HH 00..23 and MM 00..59, plus "24:00" when allow_24 is set.
std::optional<int> parse_hhmm(std::string_view s, bool allow_24 = false);
std::string format_hhmm(int minutes);

struct Conditions {
  std::vector<Channel> channels;       // any of
  std::vector<Kind> kinds;             // any of
  std::vector<std::string> categories; // any of, compared case-insensitively (service codes)
  Keywords keywords;
  std::optional<bool> in_sprechstunde;
  std::optional<Area> area;  // needs a location with lat and lon; without one the rule does not match
  std::optional<TimeWindow> time;
  friend bool operator==(const Conditions&, const Conditions&) = default;
};

struct Actions {
  std::string unit;  // required
  Priority priority = Priority::normal;
  std::vector<std::string> tags;
  std::string auto_reply;  // text key of an automatic reply; empty: none
  friend bool operator==(const Actions&, const Actions&) = default;
};

struct Rule {
  std::string id;    // unique, non-empty
  std::string name;  // for people; the reason falls back to the id when empty
  Conditions when;
  Actions then;
  friend bool operator==(const Rule&, const Rule&) = default;
};

struct RuleSet {
  std::string default_unit = "buergerservice";
  std::vector<Rule> rules;
  friend bool operator==(const RuleSet&, const RuleSet&) = default;
};

// ---- deciding ----
struct RoutingInput {
  Channel channel = Channel::phone;
  Kind kind = Kind::message;
  std::string category;  // Open311 service code, may be empty
  std::string text;      // the citizen's text (UTF-8)
  std::optional<Location> location;
  Timestamp at{};  // when the Anliegen came in (UTC)
  bool in_sprechstunde = false;
};

struct RoutingOutcome {
  RoutingDecision decision;  // unit, rule id/name (empty for the default), reason
  Priority priority = Priority::normal;
  std::vector<std::string> tags;
  std::string auto_reply;
};

RoutingOutcome decide(const RoutingInput& input, const RuleSet& rules);

// The routing input for an Anliegen: its channel, kind, category, location and received_at, and the text
// of its inbound messages joined by blank lines.
RoutingInput routing_input_for(const Anliegen& anliegen, bool in_sprechstunde);

// ---- text helpers (exported for tests and the explain endpoint) ----
// Lower-cases ASCII and German letters and folds spellings together: ä/Ä/ae → a, ö/Ö/oe → o,
// ü/Ü/ue → u, ß/ẞ → ss. So "Schlaglöcher", "SCHLAGLOECHER" and "schlaglocher" all fold to
// "schlaglocher", of which "schlagloch" is a prefix. Other bytes pass through unchanged.
std::string fold_german(std::string_view s);
// The folded words of `s`: runs of letters/digits (any non-ASCII letter counts); punctuation, spaces,
// quotes, dashes and emoji separate words.
std::vector<std::string> folded_words(std::string_view s);
// True when `keyword` matches `words` (see the header comment). A keyword without any word never matches.
bool keyword_matches(std::string_view keyword, const std::vector<std::string>& words);

}  // namespace anliegen::domain

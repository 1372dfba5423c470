// decide(): first matching rule wins; builds the decision with its reason. See domain/routing.hpp.
#include "domain/routing.hpp"

#include <array>
#include <chrono>

namespace anliegen::domain {
namespace {

constexpr std::array<std::string_view, 7> kWeekdays = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

bool ascii_iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

template <class T>
bool contains(const std::vector<T>& v, const T& x) {
  for (const T& e : v) {
    if (e == x) return true;
  }
  return false;
}

bool time_matches(const TimeWindow& w, Timestamp at) {
  using namespace std::chrono;
  const auto local = at + berlin_offset(at);
  const auto day = floor<days>(local);
  const int minute = static_cast<int>(duration_cast<minutes>(local - day).count());
  const auto day_ok = [&](sys_days d) {
    if (w.days.empty()) return true;
    const unsigned iso = weekday{d}.iso_encoding();  // 1 = Monday .. 7 = Sunday
    return contains(w.days, static_cast<Weekday>(iso - 1));
  };
  if (!w.from || !w.to) return day_ok(day);
  if (*w.from < *w.to) return minute >= *w.from && minute < *w.to && day_ok(day);
  // Wraps midnight: the early-morning part belongs to the day the window started on.
  return (minute >= *w.from && day_ok(day)) || (minute < *w.to && day_ok(day - days{1}));
}

std::string describe_time(const TimeWindow& w) {
  std::string s;
  for (const Weekday d : w.days) {
    if (!s.empty()) s += ',';
    s += to_string(d);
  }
  if (w.from && w.to) {
    if (!s.empty()) s += ' ';
    s += format_hhmm(*w.from) + "-" + format_hhmm(*w.to);
  }
  return s;
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

// Checks every condition of `when`; on a match returns the description of the most specific matched
// condition (keyword > category > area > Sprechstunde > channel > kind > time), else nullopt.
std::optional<std::string> match(const Conditions& when, const RoutingInput& in,
                                 const std::vector<std::string>& words) {
  if (!when.channels.empty() && !contains(when.channels, in.channel)) return std::nullopt;
  if (!when.kinds.empty() && !contains(when.kinds, in.kind)) return std::nullopt;

  std::string category;
  if (!when.categories.empty()) {
    for (const std::string& c : when.categories) {
      if (!in.category.empty() && ascii_iequal(c, in.category)) {
        category = c;
        break;
      }
    }
    if (category.empty()) return std::nullopt;
  }

  std::vector<std::string> named_keywords;
  if (!when.keywords.any.empty()) {
    for (const std::string& k : when.keywords.any) {
      if (keyword_matches(k, words)) {
        named_keywords.push_back(k);
        break;
      }
    }
    if (named_keywords.empty()) return std::nullopt;
  }
  for (const std::string& k : when.keywords.all) {
    if (!keyword_matches(k, words)) return std::nullopt;
    named_keywords.push_back(k);
  }

  if (when.in_sprechstunde && *when.in_sprechstunde != in.in_sprechstunde) return std::nullopt;

  if (when.area) {
    if (!in.location || !in.location->lat || !in.location->lon) return std::nullopt;
    if (!area_contains(*when.area, *in.location->lon, *in.location->lat)) return std::nullopt;
  }

  if (when.time && !time_matches(*when.time, in.at)) return std::nullopt;

  if (named_keywords.size() == 1) return "keyword " + quoted(named_keywords.front());
  if (!named_keywords.empty()) {
    std::string s = "keywords ";
    for (std::size_t i = 0; i < named_keywords.size(); ++i) s += (i ? " + " : "") + quoted(named_keywords[i]);
    return s;
  }
  if (!category.empty()) return "category " + quoted(category);
  if (when.area) return "location in area";
  if (when.in_sprechstunde && *when.in_sprechstunde) return "Sprechstunde";
  if (!when.channels.empty()) return "channel " + quoted(to_string(in.channel));
  if (!when.kinds.empty()) return "kind " + quoted(to_string(in.kind));
  if (when.time) {
    const std::string t = describe_time(*when.time);
    if (!t.empty()) return "time " + quoted(t);
  }
  if (when.in_sprechstunde) return "outside Sprechstunde";
  return "every Anliegen";
}

}  // namespace

std::string_view to_string(Weekday d) { return kWeekdays.at(static_cast<std::size_t>(d)); }

std::optional<Weekday> parse_weekday(std::string_view s) {
  for (std::size_t i = 0; i < kWeekdays.size(); ++i) {
    if (kWeekdays[i] == s) return static_cast<Weekday>(i);
  }
  return std::nullopt;
}

std::optional<int> parse_hhmm(std::string_view s, bool allow_24) {
  if (s.size() != 5 || s[2] != ':') return std::nullopt;
  for (const std::size_t i : {0u, 1u, 3u, 4u}) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  const int h = (s[0] - '0') * 10 + (s[1] - '0');
  const int m = (s[3] - '0') * 10 + (s[4] - '0');
  if (allow_24 && h == 24 && m == 0) return 24 * 60;
  if (h > 23 || m > 59) return std::nullopt;
  return h * 60 + m;
}

std::string format_hhmm(int minutes) {
  const int h = minutes / 60, m = minutes % 60;
  std::string s(5, ':');
  s[0] = static_cast<char>('0' + h / 10);
  s[1] = static_cast<char>('0' + h % 10);
  s[3] = static_cast<char>('0' + m / 10);
  s[4] = static_cast<char>('0' + m % 10);
  return s;
}

RoutingOutcome decide(const RoutingInput& input, const RuleSet& rules) {
  const std::vector<std::string> words = folded_words(input.text);
  for (const Rule& rule : rules.rules) {
    std::optional<std::string> why = match(rule.when, input, words);
    if (!why) continue;
    RoutingOutcome out;
    out.decision.unit = rule.then.unit;
    out.decision.rule_id = rule.id;
    out.decision.rule_name = rule.name;
    out.decision.reason = *why + " → " + rule.then.unit + " (rule " +
                          quoted(rule.name.empty() ? rule.id : rule.name) + ")";
    out.priority = rule.then.priority;
    out.tags = rule.then.tags;
    out.auto_reply = rule.then.auto_reply;
    return out;
  }
  RoutingOutcome out;
  out.decision.unit = rules.default_unit;
  out.decision.reason = "no rule matched → " + rules.default_unit + " (default unit)";
  return out;
}

RoutingInput routing_input_for(const Anliegen& anliegen, bool in_sprechstunde) {
  RoutingInput in;
  in.channel = anliegen.channel;
  in.kind = anliegen.kind;
  in.category = anliegen.category;
  if (!anliegen.location.empty()) in.location = anliegen.location;
  in.at = anliegen.received_at;
  in.in_sprechstunde = in_sprechstunde;
  for (const Message& m : anliegen.messages) {
    if (m.direction != Direction::inbound || m.text.empty()) continue;
    if (!in.text.empty()) in.text += "\n\n";
    in.text += m.text;
  }
  return in;
}

}  // namespace anliegen::domain

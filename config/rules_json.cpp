// Reading routing rules from JSON with strict validation (see config/rules_json.hpp, docs/routing.md).
#include "config/rules_json.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cmath>
#include <initializer_list>
#include <map>

#include "domain/text.hpp"

namespace anliegen::config {
namespace {

namespace json = boost::json;
using namespace anliegen::domain;

struct Failure {
  RuleError error;
};

std::string join(const std::string& parent, std::string_view key) {
  return parent.empty() ? std::string(key) : parent + "." + std::string(key);
}
std::string at(const std::string& parent, std::size_t i) { return parent + "[" + std::to_string(i) + "]"; }
std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string_view type_name(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "a number";
    case json::kind::string: return "a string";
    case json::kind::array: return "an array";
    case json::kind::object: return "an object";
  }
  return "something else";
}

// Walks one document; `rule_` names the rule being read ("" at the top level). Throws Failure.
class Reader {
 public:
  explicit Reader(const std::vector<std::string>& known_units) : known_units_(known_units) {}

  RuleSet read(const json::value& root) {
    const json::object& o = object(root, "");
    only_keys(o, "", {"default_unit", "rules"});
    RuleSet set;
    set.default_unit = unit(required(o, "", "default_unit"), "default_unit");
    const json::array& rules = array(required(o, "", "rules"), "rules");
    std::map<std::string, std::size_t> ids;
    for (std::size_t i = 0; i < rules.size(); ++i) {
      rule_ = at("rules", i);
      set.rules.push_back(read_rule(rules[i]));
      const auto [it, fresh] = ids.emplace(set.rules.back().id, i);
      if (!fresh) fail("id", "duplicate rule id " + quoted(rule_) + " (also used by " + at("rules", it->second) + ")");
    }
    return set;
  }

 private:
  [[noreturn]] void fail(std::string field, std::string message) const {
    throw Failure{RuleError{rule_, std::move(field), std::move(message)}};
  }

  const json::object& object(const json::value& v, const std::string& f) const {
    if (!v.is_object()) fail(f, "expected an object, got " + std::string(type_name(v)));
    return v.get_object();
  }
  const json::array& array(const json::value& v, const std::string& f) const {
    if (!v.is_array()) fail(f, "expected an array, got " + std::string(type_name(v)));
    return v.get_array();
  }
  std::string string(const json::value& v, const std::string& f) const {
    if (!v.is_string()) fail(f, "expected a string, got " + std::string(type_name(v)));
    return std::string(v.get_string());
  }
  std::string nonblank(const json::value& v, const std::string& f) const {
    std::string s = string(v, f);
    if (is_blank(s)) fail(f, "must not be empty");
    return s;
  }
  bool boolean(const json::value& v, const std::string& f) const {
    if (!v.is_bool()) fail(f, "expected a boolean, got " + std::string(type_name(v)));
    return v.get_bool();
  }
  double number(const json::value& v, const std::string& f) const {
    if (v.is_double()) return v.get_double();
    if (v.is_int64()) return static_cast<double>(v.get_int64());
    if (v.is_uint64()) return static_cast<double>(v.get_uint64());
    fail(f, "expected a number, got " + std::string(type_name(v)));
  }
  const json::value& required(const json::object& o, const std::string& parent, std::string_view key) const {
    const json::value* v = o.if_contains(key);
    if (!v) fail(join(parent, key), "missing");
    return *v;
  }
  void only_keys(const json::object& o, const std::string& parent, std::initializer_list<std::string_view> keys) const {
    for (const auto& kv : o) {
      if (std::find(keys.begin(), keys.end(), kv.key()) != keys.end()) continue;
      std::string allowed;
      for (const std::string_view k : keys) allowed += (allowed.empty() ? "" : ", ") + std::string(k);
      fail(join(parent, kv.key()), "unknown key " + quoted(kv.key()) + " (allowed: " + allowed + ")");
    }
  }
  // Reads an array, calling `each(element, field)` for every element.
  template <class F>
  void each(const json::value& v, const std::string& f, F&& fn) const {
    const json::array& a = array(v, f);
    for (std::size_t i = 0; i < a.size(); ++i) fn(a[i], at(f, i));
  }
  std::string unit(const json::value& v, const std::string& f) const {
    std::string u = nonblank(v, f);
    if (!known_units_.empty() && std::find(known_units_.begin(), known_units_.end(), u) == known_units_.end()) {
      fail(f, "unknown unit " + quoted(u));
    }
    return u;
  }

  Rule read_rule(const json::value& v) {
    const json::object& o = object(v, "");
    Rule r;
    // The id first, so that every later error names the rule by it.
    r.id = nonblank(required(o, "", "id"), "id");
    rule_ = r.id;
    only_keys(o, "", {"id", "name", "when", "then"});
    if (const json::value* name = o.if_contains("name")) r.name = string(*name, "name");
    if (const json::value* when = o.if_contains("when")) r.when = read_when(*when);
    r.then = read_then(required(o, "", "then"));
    return r;
  }

  Conditions read_when(const json::value& v) const {
    const std::string f = "when";
    const json::object& o = object(v, f);
    only_keys(o, f, {"channels", "kinds", "categories", "keywords", "in_sprechstunde", "area", "time"});
    Conditions c;
    if (const json::value* x = o.if_contains("channels")) {
      each(*x, join(f, "channels"), [&](const json::value& e, const std::string& ef) {
        const std::string name = string(e, ef);
        const auto ch = parse_channel(name);
        if (!ch) fail(ef, "unknown channel " + quoted(name));
        c.channels.push_back(*ch);
      });
    }
    if (const json::value* x = o.if_contains("kinds")) {
      each(*x, join(f, "kinds"), [&](const json::value& e, const std::string& ef) {
        const std::string name = string(e, ef);
        const auto k = parse_kind(name);
        if (!k) fail(ef, "unknown kind " + quoted(name));
        c.kinds.push_back(*k);
      });
    }
    if (const json::value* x = o.if_contains("categories")) {
      each(*x, join(f, "categories"),
           [&](const json::value& e, const std::string& ef) { c.categories.push_back(nonblank(e, ef)); });
    }
    if (const json::value* x = o.if_contains("keywords")) c.keywords = read_keywords(*x, join(f, "keywords"));
    if (const json::value* x = o.if_contains("in_sprechstunde")) {
      c.in_sprechstunde = boolean(*x, join(f, "in_sprechstunde"));
    }
    if (const json::value* x = o.if_contains("area")) c.area = read_area(*x, join(f, "area"));
    if (const json::value* x = o.if_contains("time")) c.time = read_time(*x, join(f, "time"));
    return c;
  }

  Keywords read_keywords(const json::value& v, const std::string& f) const {
    const json::object& o = object(v, f);
    only_keys(o, f, {"any", "all"});
    Keywords k;
    const auto read_list = [&](std::string_view key, std::vector<std::string>& out) {
      const json::value* x = o.if_contains(key);
      if (!x) return;
      each(*x, join(f, key), [&](const json::value& e, const std::string& ef) {
        std::string word = nonblank(e, ef);
        if (folded_words(word).empty()) fail(ef, "keyword " + quoted(word) + " has no letters or digits");
        out.push_back(std::move(word));
      });
    };
    read_list("any", k.any);
    read_list("all", k.all);
    return k;
  }

  Position read_position(const json::value& v, const std::string& f) const {
    const json::array& a = array(v, f);
    if (a.size() != 2) fail(f, "expected a position [longitude, latitude]");
    const double lon = number(a[0], at(f, 0));
    const double lat = number(a[1], at(f, 1));
    if (!(lon >= -180 && lon <= 180)) fail(at(f, 0), "longitude out of range [-180, 180]");
    if (!(lat >= -90 && lat <= 90)) fail(at(f, 1), "latitude out of range [-90, 90]");
    return Position{lon, lat};
  }

  Polygon read_polygon(const json::value& v, const std::string& f) const {
    Polygon p;
    each(v, f, [&](const json::value& ring_v, const std::string& rf) {
      Ring ring;
      each(ring_v, rf, [&](const json::value& pos, const std::string& pf) { ring.push_back(read_position(pos, pf)); });
      if (ring.size() < 4) fail(rf, "a ring needs at least 4 positions");
      if (ring.front() != ring.back()) fail(rf, "ring is not closed (first and last position differ)");
      p.rings.push_back(std::move(ring));
    });
    if (p.rings.empty()) fail(f, "a polygon needs at least one ring");
    return p;
  }

  Area read_area(const json::value& v, const std::string& f) const {
    const json::object& o = object(v, f);
    only_keys(o, f, {"type", "coordinates"});
    const std::string type = string(required(o, f, "type"), join(f, "type"));
    const json::value& coords = required(o, f, "coordinates");
    const std::string cf = join(f, "coordinates");
    Area area;
    if (type == "Polygon") {
      area.polygons.push_back(read_polygon(coords, cf));
    } else if (type == "MultiPolygon") {
      area.multi = true;
      each(coords, cf, [&](const json::value& p, const std::string& pf) { area.polygons.push_back(read_polygon(p, pf)); });
      if (area.polygons.empty()) fail(cf, "a MultiPolygon needs at least one polygon");
    } else {
      fail(join(f, "type"), "unsupported type " + quoted(type) + " (use Polygon or MultiPolygon)");
    }
    return area;
  }

  TimeWindow read_time(const json::value& v, const std::string& f) const {
    const json::object& o = object(v, f);
    only_keys(o, f, {"days", "from", "to"});
    TimeWindow w;
    if (const json::value* x = o.if_contains("days")) {
      each(*x, join(f, "days"), [&](const json::value& e, const std::string& ef) {
        const std::string name = string(e, ef);
        const auto d = parse_weekday(name);
        if (!d) fail(ef, "unknown day " + quoted(name) + " (use mon, tue, wed, thu, fri, sat, sun)");
        w.days.push_back(*d);
      });
    }
    const auto read_hhmm = [&](std::string_view key, bool allow_24) -> std::optional<int> {
      const json::value* x = o.if_contains(key);
      if (!x) return std::nullopt;
      const std::string s = string(*x, join(f, key));
      const auto m = parse_hhmm(s, allow_24);
      if (!m) fail(join(f, key), "malformed time " + quoted(s) + " (expected HH:MM, 00:00 to 23:59)");
      return m;
    };
    w.from = read_hhmm("from", false);
    w.to = read_hhmm("to", true);
    if (w.from.has_value() != w.to.has_value()) {
      fail(join(f, w.from ? "to" : "from"), "'from' and 'to' must be given together");
    }
    if (w.from && *w.from == *w.to) fail(join(f, "to"), "'from' and 'to' must differ");
    return w;
  }

  Actions read_then(const json::value& v) const {
    const std::string f = "then";
    const json::object& o = object(v, f);
    only_keys(o, f, {"unit", "priority", "tags", "auto_reply"});
    Actions a;
    a.unit = unit(required(o, f, "unit"), join(f, "unit"));
    if (const json::value* x = o.if_contains("priority")) {
      const std::string name = string(*x, join(f, "priority"));
      const auto p = parse_priority(name);
      if (!p) fail(join(f, "priority"), "unknown priority " + quoted(name) + " (use low, normal, high, urgent)");
      a.priority = *p;
    }
    if (const json::value* x = o.if_contains("tags")) {
      each(*x, join(f, "tags"), [&](const json::value& e, const std::string& ef) { a.tags.push_back(nonblank(e, ef)); });
    }
    if (const json::value* x = o.if_contains("auto_reply")) a.auto_reply = string(*x, join(f, "auto_reply"));
    return a;
  }

  const std::vector<std::string>& known_units_;
  std::string rule_;
};

}  // namespace

std::string to_string(const RuleError& e) {
  std::string s;
  if (!e.rule.empty()) s += "rule " + quoted(e.rule) + ": ";
  if (!e.field.empty()) s += "field " + quoted(e.field) + ": ";
  return s + e.message;
}

std::optional<RuleError> unknown_reply_text(const RuleSet& rules, const std::map<std::string, std::string>& texts) {
  for (const auto& rule : rules.rules) {
    if (rule.then.auto_reply.empty() || texts.contains(rule.then.auto_reply)) continue;
    return RuleError{rule.id, "then.auto_reply", "no text " + quoted(rule.then.auto_reply) + " in the configuration's texts"};
  }
  return std::nullopt;
}

std::variant<RuleSet, RuleError> parse_rule_set(std::string_view text, const std::vector<std::string>& known_units) {
  json::stream_parser parser;
  boost::system::error_code ec;
  const std::size_t used = parser.write(text.data(), text.size(), ec);
  if (!ec) parser.finish(ec);
  if (ec) return RuleError{"", "", "malformed JSON at byte " + std::to_string(used) + ": " + ec.message()};
  const json::value root = parser.release();
  try {
    return Reader(known_units).read(root);
  } catch (const Failure& f) {
    return f.error;
  }
}

}  // namespace anliegen::config

// Writing routing rules as JSON (the inverse of parse_rule_set; see config/rules_json.hpp).
// Hand-written rather than via boost::json::serialize so that coordinates come out as 8.4, not 8.4E0.
#include <charconv>
#include <cstdio>

#include "config/rules_json.hpp"

namespace anliegen::config {
namespace {

using namespace anliegen::domain;

class Writer {
 public:
  std::string take() { return std::move(out_); }

  void rule_set(const RuleSet& rs) {
    out_ += "{\"default_unit\":";
    str(rs.default_unit);
    out_ += ",\"rules\":[";
    for (std::size_t i = 0; i < rs.rules.size(); ++i) {
      if (i) out_ += ',';
      rule(rs.rules[i]);
    }
    out_ += "]}";
  }

 private:
  void str(std::string_view s) {
    out_ += '"';
    for (const char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      if (c == '"' || c == '\\') {
        out_ += '\\';
        out_ += ch;
      } else if (c == '\n') {
        out_ += "\\n";
      } else if (c == '\t') {
        out_ += "\\t";
      } else if (c == '\r') {
        out_ += "\\r";
      } else if (c < 0x20) {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\u%04x", c);
        out_ += buf;
      } else {
        out_ += ch;
      }
    }
    out_ += '"';
  }
  void key(std::string_view k, bool& first) {
    if (!first) out_ += ',';
    first = false;
    str(k);
    out_ += ':';
  }
  template <class T, class F>
  void list(const std::vector<T>& v, F&& item) {
    out_ += '[';
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (i) out_ += ',';
      item(v[i]);
    }
    out_ += ']';
  }
  void strings(const std::vector<std::string>& v) {
    list(v, [&](const std::string& s) { str(s); });
  }
  void number(double d) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, d);  // shortest text that reads back exactly
    out_.append(buf, r.ptr);
  }
  void polygon(const Polygon& p) {
    list(p.rings, [&](const Ring& ring) {
      list(ring, [&](const Position& pos) {
        out_ += '[';
        number(pos.lon);
        out_ += ',';
        number(pos.lat);
        out_ += ']';
      });
    });
  }

  void rule(const Rule& r) {
    bool first = true;
    out_ += '{';
    key("id", first);
    str(r.id);
    if (!r.name.empty()) {
      key("name", first);
      str(r.name);
    }
    key("when", first);
    when(r.when);
    key("then", first);
    then(r.then);
    out_ += '}';
  }

  void when(const Conditions& c) {
    bool first = true;
    out_ += '{';
    if (!c.channels.empty()) {
      key("channels", first);
      list(c.channels, [&](Channel ch) { str(to_string(ch)); });
    }
    if (!c.kinds.empty()) {
      key("kinds", first);
      list(c.kinds, [&](Kind k) { str(to_string(k)); });
    }
    if (!c.categories.empty()) {
      key("categories", first);
      strings(c.categories);
    }
    if (!c.keywords.empty()) {
      key("keywords", first);
      bool kfirst = true;
      out_ += '{';
      if (!c.keywords.any.empty()) {
        key("any", kfirst);
        strings(c.keywords.any);
      }
      if (!c.keywords.all.empty()) {
        key("all", kfirst);
        strings(c.keywords.all);
      }
      out_ += '}';
    }
    if (c.in_sprechstunde) {
      key("in_sprechstunde", first);
      out_ += *c.in_sprechstunde ? "true" : "false";
    }
    if (c.area) {
      key("area", first);
      // One polygon is written as a Polygon unless it was read as a MultiPolygon; several always as a MultiPolygon.
      const bool multi = c.area->multi || c.area->polygons.size() != 1;
      out_ += multi ? "{\"type\":\"MultiPolygon\",\"coordinates\":" : "{\"type\":\"Polygon\",\"coordinates\":";
      if (multi) {
        list(c.area->polygons, [&](const Polygon& p) { polygon(p); });
      } else {
        polygon(c.area->polygons.front());
      }
      out_ += '}';
    }
    if (c.time) {
      key("time", first);
      bool tfirst = true;
      out_ += '{';
      if (!c.time->days.empty()) {
        key("days", tfirst);
        list(c.time->days, [&](Weekday d) { str(to_string(d)); });
      }
      if (c.time->from && c.time->to) {
        key("from", tfirst);
        str(format_hhmm(*c.time->from));
        key("to", tfirst);
        str(format_hhmm(*c.time->to));
      }
      out_ += '}';
    }
    out_ += '}';
  }

  void then(const Actions& a) {
    bool first = true;
    out_ += '{';
    key("unit", first);
    str(a.unit);
    key("priority", first);
    str(to_string(a.priority));
    if (!a.tags.empty()) {
      key("tags", first);
      strings(a.tags);
    }
    if (!a.auto_reply.empty()) {
      key("auto_reply", first);
      str(a.auto_reply);
    }
    out_ += '}';
  }

  std::string out_;
};

}  // namespace

std::string rule_set_to_json(const RuleSet& rules) {
  Writer w;
  w.rule_set(rules);
  return w.take();
}

}  // namespace anliegen::config

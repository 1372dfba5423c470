#include "config/open311_config.hpp"

#include <boost/json.hpp>

#include <regex>
#include <set>

#include "config/rules_json.hpp"

namespace anliegen::config {
namespace {

namespace json = boost::json;

struct Failure {
  ConfigError error;
};

[[noreturn]] void fail(std::string key, std::string message) { throw Failure{{std::move(key), std::move(message)}}; }

void only(const json::object& o, const std::string& path, std::initializer_list<std::string_view> keys) {
  for (const auto& kv : o) {
    bool known = false;
    for (auto k : keys) known = known || kv.key() == k;
    if (!known) fail(path + std::string(kv.key()), "unknown key");
  }
}

const json::object& object_at(const json::value& v, const std::string& path) {
  if (!v.is_object()) fail(path, "must be an object");
  return v.as_object();
}

std::string string_at(const json::object& o, std::string_view key, const std::string& path, bool required,
                      bool non_empty = false) {
  const auto* v = o.if_contains(key);
  if (!v) {
    if (required) fail(path + std::string(key), "is required");
    return {};
  }
  if (!v->is_string()) fail(path + std::string(key), "must be a string");
  std::string s(v->as_string().data(), v->as_string().size());
  if (non_empty && s.empty()) fail(path + std::string(key), "must not be empty");
  return s;
}

bool bool_at(const json::object& o, std::string_view key, const std::string& path, bool fallback) {
  const auto* v = o.if_contains(key);
  if (!v) return fallback;
  if (!v->is_bool()) fail(path + std::string(key), "must be true or false");
  return v->as_bool();
}

const json::array& array_at(const json::object& o, std::string_view key, const std::string& path) {
  static const json::array kEmpty;
  const auto* v = o.if_contains(key);
  if (!v) return kEmpty;
  if (!v->is_array()) fail(path + std::string(key), "must be an array");
  return v->as_array();
}

const std::regex kCode("^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$");

domain::ServiceAttribute read_attribute(const json::value& v, const std::string& path) {
  const auto& o = object_at(v, path);
  const auto p = path + ".";
  only(o, p, {"variable", "code", "datatype", "required", "datatype_description", "order", "description", "values"});
  domain::ServiceAttribute a;
  a.variable = bool_at(o, "variable", p, true);
  a.code = string_at(o, "code", p, true);
  if (!std::regex_match(a.code, kCode)) fail(p + "code", "must be letters, digits, '_', '.' or '-'");
  const auto type = string_at(o, "datatype", p, true);
  const auto parsed = domain::parse_attribute_type(type);
  if (!parsed) fail(p + "datatype", "must be string, number, datetime, text, singlevaluelist or multivaluelist");
  a.datatype = *parsed;
  a.required = bool_at(o, "required", p, false);
  a.datatype_description = string_at(o, "datatype_description", p, false);
  a.description = string_at(o, "description", p, true, true);
  if (const auto* order = o.if_contains("order")) {
    if (!order->is_int64() || order->as_int64() < 1 || order->as_int64() > 1000) {
      fail(p + "order", "must be a whole number from 1 to 1000");
    }
    a.order = static_cast<int>(order->as_int64());
  }
  std::set<std::string> keys;
  std::size_t i = 0;
  for (const auto& e : array_at(o, "values", p)) {
    const auto vp = p + "values[" + std::to_string(i++) + "]";
    const auto& vo = object_at(e, vp);
    only(vo, vp + ".", {"key", "name"});
    domain::ServiceValue sv{string_at(vo, "key", vp + ".", true, true), string_at(vo, "name", vp + ".", true, true)};
    if (!keys.insert(sv.key).second) fail(vp + ".key", "duplicate key '" + sv.key + "'");
    a.values.push_back(std::move(sv));
  }
  const bool list = a.datatype == domain::AttributeType::singlevaluelist ||
                    a.datatype == domain::AttributeType::multivaluelist;
  if (list && a.values.empty()) fail(p + "values", "a list attribute needs at least one value");
  if (!list && !a.values.empty()) fail(p + "values", "only list attributes have values");
  return a;
}

domain::Service read_service(const json::value& v, const std::string& path) {
  const auto& o = object_at(v, path);
  const auto p = path + ".";
  only(o, p, {"code", "name", "description", "group", "keywords", "auto_publish", "attributes"});
  domain::Service s;
  s.code = string_at(o, "code", p, true);
  if (!std::regex_match(s.code, kCode)) fail(p + "code", "must be letters, digits, '_', '.' or '-'");
  s.name = string_at(o, "name", p, true, true);
  s.description = string_at(o, "description", p, false);
  s.group = string_at(o, "group", p, false);
  s.auto_publish = bool_at(o, "auto_publish", p, false);
  std::size_t i = 0;
  for (const auto& k : array_at(o, "keywords", p)) {
    if (!k.is_string() || k.as_string().empty() || k.as_string().find(',') != json::string::npos) {
      fail(p + "keywords[" + std::to_string(i) + "]", "must be a non-empty string without commas");
    }
    s.keywords.emplace_back(k.as_string().data(), k.as_string().size());
    ++i;
  }
  std::set<std::string> codes;
  i = 0;
  for (const auto& a : array_at(o, "attributes", p)) {
    const auto ap = p + "attributes[" + std::to_string(i++) + "]";
    auto attr = read_attribute(a, ap);
    if (!codes.insert(attr.code).second) fail(ap + ".code", "duplicate attribute code '" + attr.code + "'");
    s.attributes.push_back(std::move(attr));
  }
  return s;
}

// The boundary is GeoJSON like a routing rule's area: the rule codec validates it.
domain::Area read_boundary(const json::value& v) {
  const json::object rules{
      {"default_unit", "x"},
      {"rules", json::array{json::object{{"id", "boundary"}, {"when", json::object{{"area", v}}},
                                         {"then", json::object{{"unit", "x"}}}}}}};
  auto parsed = parse_rule_set(json::serialize(rules), {});
  if (auto* err = std::get_if<RuleError>(&parsed)) {
    auto field = err->field;
    if (field.rfind("when.area", 0) == 0) field = field.substr(9);
    fail("boundary" + field, err->message);
  }
  return *std::get<domain::RuleSet>(parsed).rules.at(0).when.area;
}

}  // namespace

std::variant<domain::Open311Config, ConfigError> parse_open311_config(const json::value& value) {
  try {
    const auto& o = object_at(value, "");
    only(o, "", {"duplicate_radius_m", "service_notice", "boundary", "services"});
    domain::Open311Config c;
    if (const auto* r = o.if_contains("duplicate_radius_m")) {
      if (!r->is_number() || r->to_number<double>() < 0 || r->to_number<double>() > 10000) {
        fail("duplicate_radius_m", "must be a number of metres from 0 to 10000");
      }
      c.duplicate_radius_m = r->to_number<double>();
    }
    c.service_notice = string_at(o, "service_notice", "", false);
    if (const auto* b = o.if_contains("boundary")) c.boundary = read_boundary(*b);
    std::set<std::string> codes;
    std::size_t i = 0;
    for (const auto& s : array_at(o, "services", "")) {
      const auto path = "services[" + std::to_string(i++) + "]";
      auto service = read_service(s, path);
      if (!codes.insert(service.code).second) fail(path + ".code", "duplicate service code '" + service.code + "'");
      c.services.push_back(std::move(service));
    }
    return c;
  } catch (const Failure& f) {
    return f.error;
  }
}

}  // namespace anliegen::config

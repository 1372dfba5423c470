#include "channels/open311/service_request.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

#include "channels/crypto.hpp"
#include "domain/text.hpp"
#include "domain/time.hpp"

namespace anliegen::channels::open311 {
namespace {

// Attributes FixMyStreet adds to every request; kept for the clerk, not validated.
constexpr std::string_view kFixMyStreetExtras[] = {"fixmystreet_id", "title",           "description", "report_url",
                                                   "easting",        "northing",        "category",    "closest_address",
                                                   "external_id",    "email_alerts_requested"};

Open311Error bad(std::string description) { return {400, std::move(description)}; }

// A finite decimal number. Blanks around it and a leading '+' are tolerated: clients that build the
// form by hand send `lat=+49.48`, which form decoding turns into " 49.48". "nan" and "inf" are refused.
std::optional<double> parse_number(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  double v = 0;
  const auto* end = s.data() + s.size();
  const auto r = std::from_chars(s.data(), end, v);
  if (r.ec != std::errc{} || r.ptr != end || !std::isfinite(v)) return std::nullopt;
  return v;
}

bool is_web_url(std::string_view u) {
  const bool scheme = u.rfind("http://", 0) == 0 || u.rfind("https://", 0) == 0;
  if (!scheme || u.size() > 2000) return false;
  const auto host = u.substr(u.find("//") + 2);
  return !host.empty() && host.front() != '/' &&
         std::none_of(u.begin(), u.end(), [](char c) { return static_cast<unsigned char>(c) <= ' '; });
}

// "attribute[CODE]" or "attribute[CODE][]" → CODE (multi set for the second form); std::nullopt: no attribute key.
std::optional<std::string> attribute_code(std::string_view key, bool& multi, bool& malformed) {
  constexpr std::string_view kPrefix = "attribute[";
  if (key.rfind(kPrefix, 0) != 0) return std::nullopt;
  key.remove_prefix(kPrefix.size());
  const auto close = key.find(']');
  const auto rest = close == std::string_view::npos ? std::string_view() : key.substr(close + 1);
  multi = rest == "[]";
  malformed = close == std::string_view::npos || close == 0 || !(rest.empty() || multi);
  return std::string(key.substr(0, close == std::string_view::npos ? key.size() : close));
}

std::optional<Open311Error> check_value(const domain::ServiceAttribute& a, const std::string& v) {
  const auto name = "attribute[" + a.code + "]";
  switch (a.datatype) {
    case domain::AttributeType::string:
      if (domain::utf8_length(v) > 1000) return bad(name + " must be at most 1000 characters");
      break;
    case domain::AttributeType::text:
      if (domain::utf8_length(v) > kMaxDescriptionChars) return bad(name + " must be at most 4000 characters");
      break;
    case domain::AttributeType::number:
      if (!parse_number(v)) return bad(name + " must be a number (digits, '.' as decimal separator)");
      break;
    case domain::AttributeType::datetime:
      if (!domain::parse_iso8601(v)) return bad(name + " must be a date-time with offset, e.g. 2026-11-30T09:15:00+01:00");
      break;
    case domain::AttributeType::singlevaluelist:
    case domain::AttributeType::multivaluelist: {
      const bool known = std::any_of(a.values.begin(), a.values.end(), [&](const auto& x) { return x.key == v; });
      if (!known) {
        std::string keys;
        for (const auto& x : a.values) keys += (keys.empty() ? "" : ", ") + x.key;
        return bad(name + " must be one of the keys " + keys);
      }
      break;
    }
  }
  return std::nullopt;
}

std::optional<Open311Error> read_location(const Form& form, const PostRules& rules, ServiceRequestInput& out) {
  const auto lat = first(form, "lat");
  const auto lon = first(form, "long");
  if (lat.has_value() != lon.has_value()) return bad("lat and long must be given together");
  if (lat) {
    out.lat = parse_number(*lat);
    out.lon = parse_number(*lon);
    if (!out.lat || *out.lat < -90 || *out.lat > 90) return bad("lat must be a WGS84 latitude in decimal degrees");
    if (!out.lon || *out.lon < -180 || *out.lon > 180) return bad("long must be a WGS84 longitude in decimal degrees");
    if (rules.config.boundary && !domain::area_contains(*rules.config.boundary, *out.lon, *out.lat)) {
      return bad("the location (lat/long) is outside " + rules.city_name + "; please report it to the city it lies in");
    }
  }
  out.address = first(form, "address_string").value_or("");
  out.address_id = first(form, "address_id").value_or("");
  if (domain::utf8_length(out.address) > 500) return bad("address_string must be at most 500 characters");
  if (out.address_id.size() > 200) return bad("address_id must be at most 200 characters");
  if (!lat && out.address.empty() && out.address_id.empty()) {
    return bad("a location is required: lat and long, address_string or address_id");
  }
  return std::nullopt;
}

std::optional<Open311Error> read_contact(const Form& form, ServiceRequestInput& out) {
  struct Field {
    const char* key;
    std::string* target;
    std::size_t max;
  };
  const Field fields[] = {{"email", &out.email, 254},          {"phone", &out.phone, 50},
                          {"first_name", &out.first_name, 100}, {"last_name", &out.last_name, 100},
                          {"device_id", &out.device_id, 200},   {"account_id", &out.account_id, 200}};
  for (const auto& f : fields) {
    *f.target = first(form, f.key).value_or("");
    if (domain::utf8_length(*f.target) > f.max) {
      return bad(std::string(f.key) + " must be at most " + std::to_string(f.max) + " characters");
    }
  }
  if (!out.email.empty() && (out.email.find('@') == std::string::npos || out.email.find(' ') != std::string::npos)) {
    return bad("email must be an e-mail address");
  }
  return std::nullopt;
}

}  // namespace

std::optional<Open311Error> read_attributes(const Form& form, const domain::Service& service, ServiceRequestInput& out) {
  std::map<std::string, std::vector<std::string>> given;
  std::map<std::string, bool> multi_form;
  for (const auto& [key, value] : form) {
    bool multi = false;
    bool malformed = false;
    auto code = attribute_code(key, multi, malformed);
    if (!code) continue;
    if (malformed) return bad("'" + key + "' is not an attribute parameter (attribute[CODE] or attribute[CODE][])");
    if (value.empty()) continue;  // empty = absent
    given[*code].push_back(value);
    multi_form[*code] = multi_form[*code] || multi;
  }
  for (const auto& a : service.attributes) {
    if (!a.variable) continue;
    auto it = given.find(a.code);
    if (it == given.end()) {
      if (a.required) return bad("attribute[" + a.code + "] is required for service " + service.code);
      continue;
    }
    if (a.datatype != domain::AttributeType::multivaluelist && it->second.size() > 1) {
      return bad("attribute[" + a.code + "] takes one value");
    }
    for (const auto& v : it->second) {
      if (auto e = check_value(a, v)) return e;
    }
    out.attributes.emplace_back(a.code, std::move(it->second));
    given.erase(it);
  }
  for (auto& [code, values] : given) {
    const bool extra = std::find(std::begin(kFixMyStreetExtras), std::end(kFixMyStreetExtras), code) !=
                       std::end(kFixMyStreetExtras);
    const bool informational = std::any_of(service.attributes.begin(), service.attributes.end(),
                                           [&](const auto& a) { return a.code == code; });
    if (informational) continue;  // variable=false: nothing to store
    if (!extra) return bad("attribute[" + code + "] is not an attribute of service " + service.code);
    for (const auto& v : values) {
      if (domain::utf8_length(v) > 4000) return bad("attribute[" + code + "] must be at most 4000 characters");
    }
    out.attributes.emplace_back(code, std::move(values));
  }
  return std::nullopt;
}

std::variant<ServiceRequestInput, Open311Error> read_service_request(const Form& form, const PostRules& rules) {
  const auto key = first(form, "api_key");
  const bool key_ok = key && std::any_of(rules.api_keys.begin(), rules.api_keys.end(),
                                         [&](const std::string& k) { return constant_time_equal(k, *key); });
  if (!key) return Open311Error{403, "api_key is required to create a service request"};
  if (!key_ok) return Open311Error{403, "Invalid api_key received -- can't proceed with create_request."};
  if (const auto j = first(form, "jurisdiction_id"); j && !rules.jurisdiction.empty() && *j != rules.jurisdiction) {
    return Open311Error{404, "jurisdiction_id '" + *j + "' is not served here (this endpoint serves " +
                                 rules.jurisdiction + ")"};
  }
  ServiceRequestInput out;
  const auto code = first(form, "service_code");
  if (!code) return bad("service_code is required");
  const auto* service = domain::find_service(rules.config, *code);
  if (!service) return Open311Error{404, "service_code '" + *code + "' is not a known service (see services.xml)"};
  out.service_code = *code;
  if (auto e = read_location(form, rules, out)) return *e;
  out.description = first(form, "description").value_or("");
  if (domain::utf8_length(out.description) > kMaxDescriptionChars) {
    return bad("description must be at most 4000 characters");
  }
  if (auto e = read_contact(form, out)) return *e;
  out.media_urls = all(form, "media_url");
  if (out.media_urls.size() > kMaxMediaUrls) return bad("at most 5 media_url values are accepted");
  for (const auto& u : out.media_urls) {
    if (!is_web_url(u)) return bad("media_url must be an http or https URL");
  }
  if (auto e = read_attributes(form, *service, out)) return *e;
  return out;
}

}  // namespace anliegen::channels::open311

// GET /api/v1/cases (filters, full-text search, keyset pagination) and GET /api/v1/units.
//
// A clerk's list is always limited to the own unit; asking for another unit with `unit=` gives an
// empty list (the other unit's Anliegen do not exist for the clerk, as GET /cases/{id} answers 404).
#include <boost/json.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

#include <charconv>
#include <set>

#include "domain/text.hpp"
#include "gateway/api/api_helpers.hpp"
#include "gateway/api/case_json.hpp"
#include "gateway/app.hpp"
#include "storage/case_queries.hpp"
#include "storage/units.hpp"

namespace anliegen::gateway {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using domain::Role;


// The cursor is opaque to clients: base64url("d:<received_at µs>:<id>"), "a:" for oldest first.
constexpr std::string_view kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode_cursor(const storage::CaseCursor& c, bool oldest_first) {
  const std::string raw = std::string(oldest_first ? "a:" : "d:") + std::to_string(c.received_us) + ":" +
                          std::to_string(c.id);
  std::string out;
  unsigned bits = 0;
  int n = 0;
  for (unsigned char ch : raw) {
    bits = (bits << 8) | ch;
    n += 8;
    while (n >= 6) out += kB64[(bits >> (n -= 6)) & 63];
  }
  if (n > 0) out += kB64[(bits << (6 - n)) & 63];
  return out;
}

std::optional<storage::CaseCursor> decode_cursor(std::string_view s, bool oldest_first) {
  if (s.empty() || s.size() > 80) return std::nullopt;
  std::string raw;
  unsigned bits = 0;
  int n = 0;
  for (char ch : s) {
    const auto pos = kB64.find(ch);
    if (pos == std::string_view::npos) return std::nullopt;
    bits = (bits << 6) | static_cast<unsigned>(pos);
    n += 6;
    if (n >= 8) raw += static_cast<char>((bits >> (n -= 8)) & 0xff);
  }
  if (raw.size() < 6 || raw.substr(0, 2) != (oldest_first ? "a:" : "d:")) return std::nullopt;
  const auto colon = raw.find(':', 2);
  if (colon == std::string::npos) return std::nullopt;
  storage::CaseCursor c;
  const char* b = raw.data();
  auto r1 = std::from_chars(b + 2, b + colon, c.received_us);
  auto r2 = std::from_chars(b + colon + 1, b + raw.size(), c.id);
  if (r1.ec != std::errc{} || r1.ptr != b + colon || r2.ec != std::errc{} || r2.ptr != b + raw.size() || c.id <= 0) {
    return std::nullopt;
  }
  return c;
}

// "a,b" → parsed enums; an unknown name is reported.
template <class E, class Parse>
std::vector<E> enum_list(const std::string& key, const std::string& value, Parse parse, std::vector<FieldError>& errors) {
  std::vector<E> out;
  std::size_t start = 0;
  while (start <= value.size()) {
    const auto comma = value.find(',', start);
    const auto part = value.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (auto v = parse(part)) {
      out.push_back(*v);
    } else {
      errors.push_back({key, "unknown value '" + part.substr(0, 40) + "'"});
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

// The delivery states a clerk looks for: a reply that did not arrive, or one that waits for the citizen.
std::optional<std::string> delivery_state(const std::string& s) {
  if (s == "failed" || s == "held") return s;
  return std::nullopt;
}

std::optional<storage::CaseFilter> read_filter(const std::string& query, std::vector<FieldError>& errors,
                                               std::string& cursor_text) {
  storage::CaseFilter f;
  auto parsed = boost::urls::parse_query(query);
  if (!parsed) {
    errors.push_back({"(query)", "is not a valid query string"});
    return std::nullopt;
  }
  std::set<std::string> seen;
  for (const auto& p : boost::urls::params_view(query, boost::urls::encoding_opts(true))) {
    const std::string& key = p.key;
    const std::string& value = p.value;
    if (!seen.insert(key).second) {
      errors.push_back({key, "given more than once"});
      continue;
    }
    if (domain::utf8_length(value) > 200 || !domain::is_valid_utf8(value)) {
      errors.push_back({key, "must be valid text of at most 200 characters"});
      continue;
    }
    if (value.empty() && key != "q") {
      errors.push_back({key, "must not be empty"});
      continue;
    }
    if (key == "status") {
      f.statuses = enum_list<domain::Status>(key, value, domain::parse_status, errors);
    } else if (key == "channel") {
      f.channels = enum_list<domain::Channel>(key, value, domain::parse_channel, errors);
    } else if (key == "kind") {
      f.kinds = enum_list<domain::Kind>(key, value, domain::parse_kind, errors);
    } else if (key == "unit") {
      f.unit = value;
    } else if (key == "category") {
      f.category = value;
    } else if (key == "tag") {
      f.tag = value;
    } else if (key == "q") {
      if (!domain::is_blank(value)) f.q = value;
    } else if (key == "received_from" || key == "received_to") {
      auto t = domain::parse_iso8601_query(value);
      if (!t) {
        errors.push_back({key, "must be an ISO 8601 date-time with offset, e.g. 2026-11-30T00:00:00+01:00"});
      } else {
        (key == "received_from" ? f.received_from : f.received_to) = *t;
      }
    } else if (key == "sprechstunde") {
      if (value == "true") {
        f.in_any_sprechstunde = true;
      } else if (auto id = parse_path_id(value)) {
        f.sprechstunde_id = *id;
      } else {
        errors.push_back({key, "must be true or a Sprechstunde id"});
      }
    } else if (key == "delivery") {
      for (const auto& state : enum_list<std::string>(key, value, delivery_state, errors)) {
        (state == "failed" ? f.delivery_failed : f.delivery_held) = true;
      }
    } else if (key == "citizen") {
      if (auto id = parse_path_id(value)) {
        f.citizen_id = *id;
      } else {
        errors.push_back({key, "must be a citizen id"});
      }
    } else if (key == "sort") {
      if (value == "received_at") {
        f.oldest_first = true;
      } else if (value != "-received_at") {
        errors.push_back({key, "must be -received_at (newest first, the default) or received_at"});
      }
    } else if (key == "limit") {
      int n = 0;
      const auto r = std::from_chars(value.data(), value.data() + value.size(), n);
      if (r.ec != std::errc{} || r.ptr != value.data() + value.size() || n < 1 || n > 200) {
        errors.push_back({key, "must be a whole number from 1 to 200"});
      } else {
        f.limit = n;
      }
    } else if (key == "cursor" || key == "next_cursor") {
      // Two names for one parameter: both together are the same parameter given twice.
      if (!cursor_text.empty()) errors.push_back({key, "cursor and next_cursor are the same parameter: give one"});
      cursor_text = value;
    } else {
      errors.push_back({key, "unknown parameter"});
    }
  }
  if (!cursor_text.empty()) {
    f.after = decode_cursor(cursor_text, f.oldest_first);
    if (!f.after) errors.push_back({"cursor", "is not a cursor of this listing (use next_cursor as given)"});
  }
  if (!errors.empty()) return std::nullopt;
  return f;
}

asio::awaitable<Response> list_cases(App& app, RequestContext& ctx) {
  auto auth = co_await app.authorize(ctx, kAnyRole);
  if (auto* refusal = std::get_if<Response>(&auth)) co_return std::move(*refusal);
  const auto& who = std::get<Principal>(auth);
  std::vector<FieldError> errors;
  std::string cursor_text;
  auto filter = read_filter(ctx.query, errors, cursor_text);
  if (!filter) co_return validation_problem(std::move(errors));

  storage::CasePage page;
  const bool foreign_unit = who.role == Role::clerk && filter->unit && *filter->unit != who.unit;
  if (!foreign_unit) {
    if (who.role == Role::clerk) filter->unit = who.unit;
    co_await read_single(app.db(), [&](storage::Tx& tx) { page = storage::list_cases(tx, *filter); });
  }
  // The page's JSON lives in one arena, released at once: a page is thousands of small values.
  json::monotonic_resource arena(64 * 1024);
  json::value body(json::object_kind, &arena);
  auto& items = body.as_object()["items"].emplace_array();
  items.reserve(page.items.size());
  for (const auto& s : page.items) items.emplace_back(case_summary_to_json(s.anliegen, &arena));
  body.as_object()["next_cursor"] =
      page.next ? json::value(encode_cursor(*page.next, filter->oldest_first)) : json::value(nullptr);
  co_return json_response(http::status::ok, body);
}

asio::awaitable<Response> list_units(App& app, RequestContext& ctx) {
  auto auth = co_await app.authorize(ctx, kAnyRole);
  if (auto* refusal = std::get_if<Response>(&auth)) co_return std::move(*refusal);
  std::vector<storage::UnitWithCounts> units;
  co_await app.db().read([&](storage::Tx& tx) { units = storage::list_units(tx); });
  json::array out;
  for (const auto& u : units) {
    out.push_back(json::object{{"code", u.unit.code},
                               {"name", u.unit.name},
                               {"contact", u.unit.contact},
                               {"target_days", u.unit.target_days},
                               {"active", u.active},
                               {"open", u.open}});
  }
  co_return json_response(http::status::ok, out);
}

}  // namespace

void register_case_list_routes(App& app) {
  app.router().add(http::verb::get, "/api/v1/cases", [&app](RequestContext& ctx) { return list_cases(app, ctx); });
  app.router().add(http::verb::get, "/api/v1/units", [&app](RequestContext& ctx) { return list_units(app, ctx); });
}

}  // namespace anliegen::gateway

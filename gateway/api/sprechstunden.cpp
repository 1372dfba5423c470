// Sprechstunden: POST /api/v1/sprechstunden (announce), GET (list), DELETE /{id} (cancel).
#include <boost/json.hpp>
#include <boost/url/parse_query.hpp>

#include <charconv>

#include "gateway/api/api_helpers.hpp"
#include "gateway/api/validation.hpp"
#include "gateway/app.hpp"
#include "storage/cases.hpp"
#include "storage/sprechstunden.hpp"
#include "storage/units.hpp"

namespace anliegen::gateway {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using domain::Role;

// Role lists live outside the coroutines: GCC 12 cannot keep a braced list alive across co_await.

json::object to_json(const storage::Sprechstunde& s) {
  return json::object{{"id", s.id},
                      {"channel", domain::to_string(s.channel)},
                      {"starts_at", domain::format_berlin(s.starts_at)},
                      {"ends_at", domain::format_berlin(s.ends_at)},
                      {"host_unit", s.host_unit},
                      {"title", s.title},
                      {"created_at", domain::format_utc(s.created_at)},
                      {"cancelled", s.cancelled_at.has_value()}};
}

std::optional<domain::Timestamp> read_time(FieldReader& r, std::string_view key) {
  auto text = r.text(key, 40, true);
  if (!text) return std::nullopt;
  auto t = domain::parse_iso8601(*text);
  if (!t) r.fail(key, "must be an ISO 8601 date-time with offset, e.g. 2026-12-02T16:00:00+01:00");
  return t;
}

// `include_past=true|false` (default false); std::nullopt for any other query.
std::optional<bool> include_past(const std::string& query) {
  if (query.empty()) return false;
  auto params = boost::urls::parse_query(query);
  if (!params) return std::nullopt;
  std::optional<bool> value;
  for (const auto& p : *params) {
    if (p.key != "include_past" || value || (p.value != "true" && p.value != "false")) return std::nullopt;
    value = p.value == "true";
  }
  return value.value_or(false);
}

Response bad_query() {
  return validation_problem({{"include_past", "the only query parameter is include_past=true|false"}});
}

Response unknown_unit(const std::string& unit) {
  return validation_problem({{"host_unit", "unknown unit '" + unit + "'"}});
}

// Reads and checks the announcement; std::nullopt with the problems in `r`.
std::optional<storage::Sprechstunde> read_sprechstunde(FieldReader& r) {
  r.only({"channel", "starts_at", "ends_at", "host_unit", "title"});
  storage::Sprechstunde s;
  if (auto c = r.text("channel", 20, true)) {
    auto parsed = domain::parse_channel(*c);
    if (!parsed || domain::is_offline_channel(*parsed) || *parsed == domain::Channel::maengelmelder ||
        *parsed == domain::Channel::holdieob) {
      r.fail("channel", "must be a chat channel: whatsapp, facebook, instagram or x");
    } else {
      s.channel = *parsed;
    }
  }
  const auto starts = read_time(r, "starts_at");
  const auto ends = read_time(r, "ends_at");
  if (starts && ends) {
    if (*ends <= *starts) r.fail("ends_at", "must be after starts_at");
    if (*ends - *starts > std::chrono::hours(12)) r.fail("ends_at", "a Sprechstunde lasts at most 12 hours");
    s.starts_at = *starts;
    s.ends_at = *ends;
  }
  s.host_unit = r.text("host_unit", 64).value_or("ob");
  s.title = r.text("title", 200).value_or("Sprechstunde");
  if (!r.ok()) return std::nullopt;
  return s;
}

asio::awaitable<Response> create(App& app, RequestContext& ctx) {
  auto auth = co_await app.authorize(ctx, kOfficeOrAdmin);
  if (auto* refusal = std::get_if<Response>(&auth)) co_return std::move(*refusal);
  const auto& who = std::get<Principal>(auth);
  auto body = parse_json_object(ctx.request);
  if (auto* refusal = std::get_if<Response>(&body)) co_return std::move(*refusal);
  FieldReader r(std::get<json::object>(body));
  auto s = read_sprechstunde(r);
  if (!s) co_return validation_problem(std::move(r.errors()));
  s->created_by = who.actor();
  bool unit_ok = true;
  co_await app.db().transact([&](storage::Tx& tx) {
    unit_ok = storage::unit_exists(tx, s->host_unit);
    if (!unit_ok) return;
    s->id = storage::insert_sprechstunde(tx, *s);
    s = storage::get_sprechstunde(tx, s->id);
  });
  if (!unit_ok) co_return unknown_unit(s->host_unit);
  auto res = json_response(http::status::created, to_json(*s));
  res.set(http::field::location, "/api/v1/sprechstunden/" + std::to_string(s->id));
  co_return res;
}

asio::awaitable<Response> list(App& app, RequestContext& ctx) {
  auto auth = co_await app.authorize(ctx, kAnyRole);
  if (auto* refusal = std::get_if<Response>(&auth)) co_return std::move(*refusal);
  const auto all = include_past(ctx.query);
  if (!all) co_return bad_query();
  std::vector<storage::Sprechstunde> hours;
  const auto now = app.clock().now();
  co_await app.db().read([&](storage::Tx& tx) {
    hours = storage::list_sprechstunden(tx, *all ? std::nullopt : std::optional(now), *all);
  });
  json::array items;
  for (const auto& s : hours) items.push_back(to_json(s));
  co_return json_response(http::status::ok, json::object{{"items", std::move(items)}});
}

asio::awaitable<Response> cancel(App& app, RequestContext& ctx) {
  auto auth = co_await app.authorize(ctx, kOfficeOrAdmin);
  if (auto* refusal = std::get_if<Response>(&auth)) co_return std::move(*refusal);
  const auto text = ctx.params.get("id");
  std::int64_t id = 0;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), id);
  if (r.ec != std::errc{} || r.ptr != text.data() + text.size() || id <= 0) {
    co_return problem(http::status::not_found, "no Sprechstunde with this id");
  }
  bool cancelled = false;
  co_await app.db().transact([&](storage::Tx& tx) { cancelled = storage::cancel_sprechstunde(tx, id); });
  if (!cancelled) co_return problem(http::status::not_found, "no announced Sprechstunde with this id");
  Response res{http::status::no_content, 11};
  co_return res;
}

}  // namespace

void register_sprechstunden_routes(App& app) {
  app.router().add(http::verb::post, "/api/v1/sprechstunden", [&app](RequestContext& c) { return create(app, c); });
  app.router().add(http::verb::get, "/api/v1/sprechstunden", [&app](RequestContext& c) { return list(app, c); });
  app.router().add(http::verb::delete_, "/api/v1/sprechstunden/{id}",
                   [&app](RequestContext& c) { return cancel(app, c); });
}

}  // namespace anliegen::gateway

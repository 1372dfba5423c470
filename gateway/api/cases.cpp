// The case API's first slice: POST /api/v1/cases (a concern taken by phone, letter, e-mail or in
// person) and GET /api/v1/cases/{id} (the Anliegen with its thread).
#include <boost/json.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>

#include "channels/crypto.hpp"
#include "domain/routing.hpp"
#include "domain/text.hpp"
#include "gateway/api/api_helpers.hpp"
#include "gateway/api/case_json.hpp"
#include "gateway/api/validation.hpp"
#include "gateway/app.hpp"
#include "storage/cases.hpp"

namespace anliegen::gateway {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using domain::Role;


std::optional<domain::AnliegenId> parse_id(std::string_view s) {
  if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  if (v <= 0) return std::nullopt;
  return domain::AnliegenId{v};
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// Reads and validates the body of POST /api/v1/cases. Returns std::nullopt with errors in `r`.
std::optional<storage::NewCase> read_new_case(FieldReader& r, const App& app) {
  r.only({"channel", "kind", "text", "citizen", "category", "location", "received_at", "priority", "tags"});
  storage::NewCase c;
  if (auto ch = r.text("channel", 20, true)) {
    auto parsed = domain::parse_channel(*ch);
    if (!parsed || !domain::is_offline_channel(*parsed)) {
      r.fail("channel", "must be one of phone, letter, email, in_person (platform channels arrive by webhook)");
    } else {
      c.channel = *parsed;
    }
  }
  if (auto k = r.text("kind", 20)) {
    auto parsed = domain::parse_kind(*k);
    if (!parsed || (*parsed != domain::Kind::message && *parsed != domain::Kind::defect_report)) {
      r.fail("kind", "must be message or defect_report");
    } else {
      c.kind = *parsed;
    }
  }
  if (auto t = r.text("text", domain::kMaxMessageChars, true)) c.text = *t;
  if (auto cat = r.text("category", 100)) c.category = *cat;
  if (auto p = r.text("priority", 10)) {
    auto parsed = domain::parse_priority(*p);
    if (!parsed) {
      r.fail("priority", "must be low, normal, high or urgent");
    } else {
      c.priority = *parsed;
    }
  }
  if (auto tags = r.string_list("tags", 20, 50)) c.tags = *tags;
  if (const auto* cit = r.object("citizen")) {
    auto cr = r.nested(*cit, "citizen");
    cr.only({"name", "phone", "email"});
    c.citizen.display_name = cr.text("name", domain::kMaxNameChars).value_or("");
    c.citizen.phone = cr.text("phone", 50).value_or("");
    c.citizen.email = cr.text("email", 254).value_or("");
    if (!c.citizen.email.empty() && c.citizen.email.find('@') == std::string::npos) {
      cr.fail("email", "must be an e-mail address");
    }
  }
  if (const auto* loc = r.object("location")) {
    auto lr = r.nested(*loc, "location");
    lr.only({"lat", "lon", "address"});
    c.location.lat = lr.number("lat", -90, 90);
    c.location.lon = lr.number("lon", -180, 180);
    c.location.address = lr.text("address", 500).value_or("");
    if (c.location.lat.has_value() != c.location.lon.has_value()) {
      lr.fail(c.location.lat ? "lon" : "lat", "lat and lon must be given together");
    }
  }
  const auto now = app.clock().now();
  c.received_at = now;
  if (auto at = r.text("received_at", 40)) {
    auto parsed = domain::parse_iso8601(*at);
    if (!parsed) {
      r.fail("received_at", "must be an ISO 8601 date-time with offset, e.g. 2026-11-30T09:15:00+01:00");
    } else if (*parsed > now + std::chrono::minutes(5)) {
      r.fail("received_at", "must not be in the future");
    } else {
      c.received_at = *parsed;
    }
  }
  if (!r.ok()) return std::nullopt;
  // One citizen record per channel identity: the address for e-mail and phone, otherwise this case.
  c.citizen.channel = c.channel;
  if (c.channel == domain::Channel::email && !c.citizen.email.empty()) {
    c.citizen.external_id = lower(c.citizen.email);
  } else if (c.channel == domain::Channel::phone && !c.citizen.phone.empty()) {
    c.citizen.external_id = c.citizen.phone;
  } else {
    c.citizen.external_id = "offline-" + channels::random_token(12);
  }
  return c;
}

asio::awaitable<Response> create_case(App& app, RequestContext& ctx) {
  auto auth = co_await app.authorize(ctx, kAnyRole);
  if (auto* refusal = std::get_if<Response>(&auth)) co_return std::move(*refusal);
  const auto& who = std::get<Principal>(auth);

  auto body = parse_json_object(ctx.request);
  if (auto* refusal = std::get_if<Response>(&body)) co_return std::move(*refusal);
  FieldReader reader(std::get<json::object>(body));
  auto input = read_new_case(reader, app);
  if (!input) co_return validation_problem(std::move(reader.errors()));

  domain::RoutingInput routing_input{.channel = input->channel,
                                     .kind = input->kind,
                                     .category = input->category,
                                     .text = input->text,
                                     .location = input->location.empty() ? std::nullopt
                                                                         : std::optional(input->location),
                                     .at = input->received_at,
                                     .in_sprechstunde = false};
  input->actor = who.actor();

  std::optional<domain::Anliegen> created;
  co_await app.db().transact([&](storage::Tx& tx) {
    // The rules in force now (they may have been changed on any instance); decided on a copy of the input.
    const auto outcome = domain::decide(routing_input, *app.rules().current(tx));
    auto routed = *input;
    routed.routing = outcome.decision;
    if (routed.priority == domain::Priority::normal) routed.priority = outcome.priority;
    // The request's tags and the rule's, each once.
    routed.tags.clear();
    const auto add_once = [&](const std::vector<std::string>& tags) {
      for (const auto& tag : tags) {
        if (std::find(routed.tags.begin(), routed.tags.end(), tag) == routed.tags.end()) routed.tags.push_back(tag);
      }
    };
    add_once(input->tags);
    add_once(outcome.tags);
    const auto ids = storage::create_case(tx, routed);
    created = storage::get_case(tx, ids.id);
  });
  ctx.anliegen_id = created->id.value;
  auto res = json_response(http::status::created, case_to_json(*created, who.role));
  res.set(http::field::location, "/api/v1/cases/" + std::to_string(created->id.value));
  res.set(http::field::etag, "\"" + std::to_string(created->version) + "\"");
  co_return res;
}

asio::awaitable<Response> get_case(App& app, RequestContext& ctx) {
  auto auth = co_await app.authorize(ctx, kAnyRole);
  if (auto* refusal = std::get_if<Response>(&auth)) co_return std::move(*refusal);
  const auto& who = std::get<Principal>(auth);

  const auto id = parse_id(ctx.params.get("id"));
  if (!id) co_return problem(http::status::not_found, "no Anliegen with this id");
  std::optional<domain::Anliegen> found;
  co_await read_single(app.db(), [&](storage::Tx& tx) { found = storage::get_case(tx, *id); });
  // A clerk sees only the own unit's Anliegen; others do not exist for them.
  if (!found || (who.role == Role::clerk && found->unit != who.unit)) {
    co_return problem(http::status::not_found, "no Anliegen with this id");
  }
  ctx.anliegen_id = found->id.value;
  json::monotonic_resource arena(16 * 1024);
  auto res = json_response(http::status::ok, case_to_json(*found, who.role, &arena));
  res.set(http::field::etag, "\"" + std::to_string(found->version) + "\"");
  co_return res;
}

}  // namespace

void register_case_routes(App& app) {
  app.router().add(http::verb::post, "/api/v1/cases",
                   [&app](RequestContext& ctx) { return create_case(app, ctx); });
  app.router().add(http::verb::get, "/api/v1/cases/{id}",
                   [&app](RequestContext& ctx) { return get_case(app, ctx); });
}

}  // namespace anliegen::gateway

// The routing admin API: GET/PUT /api/v1/routing/rules (the rule set in force, shared by every instance
// through the database) and POST /api/v1/routing/explain (the decision for a sample Anliegen; stores
// nothing).
#include <boost/json.hpp>

#include "config/rules_json.hpp"
#include "domain/routing.hpp"
#include "domain/text.hpp"
#include "gateway/api/api_helpers.hpp"
#include "gateway/api/validation.hpp"
#include "gateway/app.hpp"
#include "storage/routing_rules.hpp"

namespace anliegen::gateway {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using domain::Role;

// Named lists: gcc 12 cannot keep a braced initializer_list alive across co_await.

struct RulesView {
  std::int64_t version = 0;
  std::string json;  // the rule set
  std::string actor;
  std::optional<domain::Timestamp> updated_at;
};

// Reads the stored set, or describes the configuration's set (version 0) when none is stored.
RulesView read_rules(App& app, storage::Tx& tx) {
  if (auto stored = storage::load_rules(tx)) return {stored->version, stored->json, stored->actor, stored->updated_at};
  return {0, config::rule_set_to_json(app.rules().from_config()), "", std::nullopt};
}

Response rules_response(const RulesView& v) {
  json::object o{{"version", v.version},
                 {"updated_at", v.updated_at ? json::value(domain::format_utc(*v.updated_at)) : json::value(nullptr)},
                 {"updated_by", v.actor.empty() ? json::value(nullptr) : json::value(v.actor)},
                 {"rule_set", json::parse(v.json)}};
  auto res = json_response(http::status::ok, o);
  res.set(http::field::etag, etag_for(v.version));
  return res;
}

// 422 for an invalid rule set: the field names rule and path ("rules[strassenschaeden].when.channels[1]").
Response rule_error_response(const config::RuleError& e) {
  std::string field;
  if (e.rule.empty()) {
    field = e.field.empty() ? "(body)" : e.field;
  } else {
    field = e.rule.starts_with("rules[") ? e.rule : "rules[" + e.rule + "]";
    if (!e.field.empty()) field += "." + e.field;
  }
  json::object body{{"type", "urn:anliegen:problem:validation-failed"},
                    {"title", "Unprocessable Entity"},
                    {"status", 422},
                    {"detail", config::to_string(e)},
                    {"errors", json::array{json::object{{"field", field}, {"message", e.message}}}}};
  return text_response(http::status::unprocessable_entity, json::serialize(body), "application/problem+json");
}

asio::awaitable<Response> get_rules(App& app, RequestContext& ctx) {
  auto auth = co_await app.authorize(ctx, kAdmin);
  if (auto* refusal = std::get_if<Response>(&auth)) co_return std::move(*refusal);
  RulesView view;
  co_await app.db().read([&](storage::Tx& tx) { view = read_rules(app, tx); });
  co_return rules_response(view);
}

asio::awaitable<Response> put_rules(App& app, RequestContext& ctx) {
  auto auth = co_await app.authorize(ctx, kAdmin);
  if (auto* refusal = std::get_if<Response>(&auth)) co_return std::move(*refusal);
  const auto& who = std::get<Principal>(auth);
  auto body = parse_json_object(ctx.request);  // 400/415/422 before the rules codec sees it
  if (auto* refusal = std::get_if<Response>(&body)) co_return std::move(*refusal);
  auto parsed = config::parse_rule_set(ctx.request.body(), app.rules().unit_codes());
  if (auto* err = std::get_if<config::RuleError>(&parsed)) co_return rule_error_response(*err);
  if (const auto err = config::unknown_reply_text(std::get<domain::RuleSet>(parsed), app.settings().city.texts)) {
    co_return rule_error_response(*err);
  }
  const auto normalised = config::rule_set_to_json(std::get<domain::RuleSet>(parsed));
  const auto header = ctx.request[http::field::if_match];
  const auto if_match = parse_if_match(std::string_view(header.data(), header.size()));

  bool stale = false;
  RulesView view;
  co_await app.db().transact([&](storage::Tx& tx) {
    if (if_match.present && !if_match.matches(storage::current_rules_version(tx))) {
      stale = true;
      return;
    }
    storage::save_rules(tx, normalised, who.actor());
    view = read_rules(app, tx);
  });
  if (stale) co_return problem(http::status::precondition_failed, "the rules were changed since you read them");
  co_return rules_response(view);
}

asio::awaitable<Response> explain(App& app, RequestContext& ctx) {
  auto auth = co_await app.authorize(ctx, kOfficeOrAdmin);
  if (auto* refusal = std::get_if<Response>(&auth)) co_return std::move(*refusal);
  auto body = parse_json_object(ctx.request);
  if (auto* refusal = std::get_if<Response>(&body)) co_return std::move(*refusal);
  const auto& object = std::get<json::object>(body);
  FieldReader r(object);
  r.only({"channel", "kind", "category", "text", "location", "at", "in_sprechstunde"});
  domain::RoutingInput in;
  if (auto ch = r.text("channel", 20, true)) {
    if (auto p = domain::parse_channel(*ch)) {
      in.channel = *p;
    } else {
      r.fail("channel", "unknown channel");
    }
  }
  if (auto k = r.text("kind", 20)) {
    if (auto p = domain::parse_kind(*k)) {
      in.kind = *p;
    } else {
      r.fail("kind", "must be message, defect_report, invitation or comment");
    }
  }
  in.category = r.text("category", 100).value_or("");
  in.text = r.text("text", domain::kMaxMessageChars).value_or("");
  if (const auto* loc = r.object("location")) {
    auto lr = r.nested(*loc, "location");
    lr.only({"lat", "lon"});
    domain::Location l;
    l.lat = lr.number("lat", -90, 90, true);
    l.lon = lr.number("lon", -180, 180, true);
    in.location = l;
  }
  in.at = app.clock().now();
  if (auto at = r.text("at", 40)) {
    if (auto p = domain::parse_iso8601(*at)) {
      in.at = *p;
    } else {
      r.fail("at", "must be an ISO 8601 date-time with offset, e.g. 2026-11-30T09:15:00+01:00");
    }
  }
  in.in_sprechstunde = read_bool(r, object, "in_sprechstunde").value_or(false);
  if (!r.ok()) co_return validation_problem(std::move(r.errors()));

  RulesProvider::Snapshot rules;
  co_await app.db().read([&](storage::Tx& tx) { rules = app.rules().snapshot(tx); });
  const auto out = domain::decide(in, *rules.rules);
  json::array tags;
  for (const auto& t : out.tags) tags.emplace_back(t);
  auto or_null = [](const std::string& s) { return s.empty() ? json::value(nullptr) : json::value(s); };
  co_return json_response(http::status::ok, json::object{{"unit", out.decision.unit},
                                                         {"rule_id", or_null(out.decision.rule_id)},
                                                         {"rule_name", or_null(out.decision.rule_name)},
                                                         {"reason", out.decision.reason},
                                                         {"priority", domain::to_string(out.priority)},
                                                         {"tags", std::move(tags)},
                                                         {"auto_reply", or_null(out.auto_reply)},
                                                         {"rules_version", rules.version}});
}

}  // namespace

void register_routing_routes(App& app) {
  app.router().add(http::verb::get, "/api/v1/routing/rules", [&app](RequestContext& ctx) { return get_rules(app, ctx); });
  app.router().add(http::verb::put, "/api/v1/routing/rules", [&app](RequestContext& ctx) { return put_rules(app, ctx); });
  app.router().add(http::verb::post, "/api/v1/routing/explain",
                   [&app](RequestContext& ctx) { return explain(app, ctx); });
}

}  // namespace anliegen::gateway

// Working an Anliegen: PATCH /api/v1/cases/{id} (status, forward to another unit, assignee, priority,
// tags; If-Match), POST /api/v1/cases/{id}/notes (internal notes) and GET /api/v1/cases/{id}/events
// (the audit trail). Each request is one transaction; every change is one audit event.
#include <boost/json.hpp>

#include "domain/status_machine.hpp"
#include "domain/text.hpp"
#include "gateway/api/api_helpers.hpp"
#include "gateway/api/case_json.hpp"
#include "gateway/api/publication.hpp"
#include "gateway/app.hpp"
#include "storage/case_updates.hpp"
#include "storage/cases.hpp"
#include "storage/units.hpp"

namespace anliegen::gateway {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using domain::Role;


struct Patch {
  std::optional<domain::Status> status;
  std::optional<std::string> unit;
  std::optional<std::string> reason;
  std::optional<std::string> assignee;
  std::optional<domain::Priority> priority;
  std::optional<std::vector<std::string>> tags;
  PublicationPatch publication;  // "public", "expected_at" (publication.hpp)
};

std::optional<Patch> read_patch(FieldReader& r, const json::object& body) {
  r.only({"status", "unit", "reason", "assignee", "priority", "tags", "public", "expected_at"});
  Patch p;
  if (auto s = r.text("status", 20)) {
    if (!(p.status = domain::parse_status(*s))) r.fail("status", "must be new, in_progress, answered, closed or rejected");
  }
  p.unit = r.text("unit", 63);
  if (p.unit && p.unit->empty()) r.fail("unit", "must not be empty");
  p.reason = r.text("reason", 1000, p.unit.has_value());
  if (p.reason && !p.unit) r.fail("reason", "is only used together with unit (forwarding)");
  p.assignee = r.text("assignee", domain::kMaxNameChars);
  if (auto s = r.text("priority", 10)) {
    if (!(p.priority = domain::parse_priority(*s))) r.fail("priority", "must be low, normal, high or urgent");
  }
  p.tags = r.string_list("tags", 20, 50);
  p.publication = read_publication_patch(r, body);
  if (r.ok() && !p.status && !p.unit && !p.assignee && !p.priority && !p.tags && p.publication.empty()) {
    r.fail("(body)", "names no field to change");
  }
  if (!r.ok()) return std::nullopt;
  return p;
}

json::array to_array(const std::vector<std::string>& v) {
  json::array a;
  for (const auto& s : v) a.emplace_back(s);
  return a;
}

asio::awaitable<Response> patch_case(App& app, RequestContext& ctx) {
  auto start = co_await begin_change(app, ctx, kAnyRole, "no Anliegen with this id");
  if (auto* refusal = std::get_if<Response>(&start)) co_return std::move(*refusal);
  const auto& [who, raw_id, body] = std::get<ChangeRequest>(start);
  const domain::AnliegenId id{raw_id};
  FieldReader reader(body);
  const auto patch = read_patch(reader, body);
  if (!patch) co_return validation_problem(std::move(reader.errors()));
  const auto header = ctx.request[http::field::if_match];
  const auto if_match = parse_if_match(std::string_view(header.data(), header.size()));

  enum class Outcome { done, not_found, stale, conflict, bad_unit, not_releasable } outcome = Outcome::done;
  std::string refusal;
  std::optional<domain::Anliegen> result;
  co_await app.db().transact([&](storage::Tx& tx) {
    const auto cur = storage::lock_case(tx, id);
    if (!cur || !may_see_unit(who, cur->fields.unit)) {
      outcome = Outcome::not_found;
      return;
    }
    if (!if_match.matches(cur->version)) {
      outcome = Outcome::stale;
      return;
    }
    if (auto why = release_refusal(patch->publication, cur->kind)) {
      outcome = Outcome::not_releasable;
      refusal = *why;
      return;
    }
    auto next = cur->fields;
    json::object changes;
    auto note = [&](const char* field, json::value from, json::value to) {
      changes[field] = json::object{{"old", std::move(from)}, {"new", std::move(to)}};
    };
    if (patch->status && *patch->status != cur->fields.status) {
      if (auto why = domain::check_transition(cur->fields.status, *patch->status)) {
        outcome = Outcome::conflict;
        refusal = why->reason;
        return;
      }
      next.status = *patch->status;
      note("status", json::value(domain::to_string(cur->fields.status)), json::value(domain::to_string(next.status)));
    }
    const bool forwarded = patch->unit && *patch->unit != cur->fields.unit;
    if (forwarded) {
      if (!storage::unit_exists(tx, *patch->unit)) {
        outcome = Outcome::bad_unit;
        return;
      }
      next.unit = *patch->unit;
      next.assignee.clear();  // the assignee belonged to the previous unit
      note("unit", json::value(cur->fields.unit), json::value(next.unit));
      changes["reason"] = *patch->reason;
    }
    if (patch->assignee) next.assignee = *patch->assignee;
    if (next.assignee != cur->fields.assignee) note("assignee", json::value(cur->fields.assignee), json::value(next.assignee));
    if (patch->priority && *patch->priority != cur->fields.priority) {
      next.priority = *patch->priority;
      note("priority", json::value(domain::to_string(cur->fields.priority)), json::value(domain::to_string(next.priority)));
    }
    if (patch->tags && *patch->tags != cur->fields.tags) {
      next.tags = *patch->tags;
      note("tags", to_array(cur->fields.tags), to_array(next.tags));
    }
    if (next != cur->fields) {
      // The row is locked, so the version still matches; the check guards the invariant anyway.
      if (!storage::update_case_fields(tx, id, cur->version, next)) throw std::logic_error("version moved under lock");
      if (forwarded) {
        storage::record_routing_decision(
            tx, id,
            {next.unit, "", "", "forwarded " + cur->fields.unit + " → " + next.unit + " by " + who.name + ": " + *patch->reason},
            who.actor());
      }
      storage::record_event(tx, id, who.actor(), forwarded ? "forwarded" : "updated", json::serialize(changes));
    }
    apply_publication_patch(tx, id, patch->publication, who);
    result = storage::get_case(tx, id);
  });
  ctx.anliegen_id = id.value;
  switch (outcome) {
    case Outcome::not_found: co_return problem(http::status::not_found, "no Anliegen with this id");
    case Outcome::stale:
      co_return problem(http::status::precondition_failed, "the Anliegen was changed since you read it (If-Match)");
    case Outcome::conflict: co_return problem(http::status::conflict, refusal);
    case Outcome::bad_unit: co_return validation_problem({{"unit", "no active unit with this code"}});
    case Outcome::not_releasable: co_return validation_problem({{"public", refusal}});
    case Outcome::done: break;
  }
  auto res = json_response(http::status::ok, case_to_json(*result, who.role));
  res.set(http::field::etag, etag_for(result->version));
  co_return res;
}

asio::awaitable<Response> add_note(App& app, RequestContext& ctx) {
  auto start = co_await begin_change(app, ctx, kAnyRole, "no Anliegen with this id");
  if (auto* refusal = std::get_if<Response>(&start)) co_return std::move(*refusal);
  const auto& [who, raw_id, body] = std::get<ChangeRequest>(start);
  const domain::AnliegenId id{raw_id};
  FieldReader r(body);
  r.only({"text"});
  const auto text = r.text("text", domain::kMaxMessageChars, true);
  if (!r.ok()) co_return validation_problem(std::move(r.errors()));

  std::optional<domain::Message> note;
  co_await app.db().transact([&](storage::Tx& tx) {
    const auto cur = storage::lock_case(tx, id);
    if (!cur || !may_see_unit(who, cur->fields.unit)) return;
    note = storage::add_note(tx, id, *text, who.name.empty() ? who.actor() : who.name);
    storage::record_event(tx, id, who.actor(), "note_added",
                          json::serialize(json::object{{"message_id", note->id.value}}));
  });
  if (!note) co_return problem(http::status::not_found, "no Anliegen with this id");
  ctx.anliegen_id = id.value;
  co_return json_response(http::status::created, message_to_json(*note));
}

asio::awaitable<Response> list_events(App& app, RequestContext& ctx) {
  auto auth = co_await app.authorize(ctx, kAnyRole);
  if (auto* refusal = std::get_if<Response>(&auth)) co_return std::move(*refusal);
  const auto& who = std::get<Principal>(auth);
  const auto raw_id = parse_path_id(ctx.params.get("id"));
  if (!raw_id) co_return problem(http::status::not_found, "no Anliegen with this id");
  const domain::AnliegenId id{*raw_id};
  bool visible = false;
  std::vector<storage::AuditEvent> events;
  co_await app.db().read([&](storage::Tx& tx) {
    const auto unit = storage::case_unit(tx, id);
    if (!unit || !may_see_unit(who, *unit)) return;
    visible = true;
    events = storage::list_events(tx, id);
  });
  if (!visible) co_return problem(http::status::not_found, "no Anliegen with this id");
  ctx.anliegen_id = id.value;
  json::array out;
  for (const auto& e : events) {
    out.push_back(json::object{{"id", e.id},
                               {"at", domain::format_utc(e.at)},
                               {"actor", e.actor},
                               {"type", e.type},
                               {"data", json::parse(e.data_json)}});
  }
  co_return json_response(http::status::ok, out);
}

}  // namespace

void register_case_api_routes(App& app) {
  register_case_list_routes(app);
  app.router().add(http::verb::patch, "/api/v1/cases/{id}", [&app](RequestContext& ctx) { return patch_case(app, ctx); });
  app.router().add(http::verb::post, "/api/v1/cases/{id}/notes",
                   [&app](RequestContext& ctx) { return add_note(app, ctx); });
  app.router().add(http::verb::get, "/api/v1/cases/{id}/events",
                   [&app](RequestContext& ctx) { return list_events(app, ctx); });
}

}  // namespace anliegen::gateway

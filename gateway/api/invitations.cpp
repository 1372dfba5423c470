// holdieob invitations for the OB's office:
//   GET  /api/v1/invitations?month=YYYY-MM   the month's invitations (created in that month, Europe/Berlin)
//                                            ranked by supporters, then by creation; office and admin.
//   POST /api/v1/cases/{id}/decision         accept (with visit_at) or decline an invitation: recorded on
//                                            the invitation, an audit event and an outbound message, the
//                                            Anliegen closed, and the signed invitation.decided callback
//                                            queued in the outbox — all in one transaction (202).
#include <boost/json.hpp>
#include <boost/url/parse_query.hpp>

#include <charconv>

#include "channels/holdieob/events.hpp"
#include "gateway/api/api_helpers.hpp"
#include "gateway/api/case_json.hpp"
#include "gateway/app.hpp"
#include "gateway/ingest/invitation_ingest.hpp"
#include "storage/cases.hpp"
#include "storage/invitations.hpp"
#include "storage/outbox.hpp"
#include "storage/replies.hpp"

namespace anliegen::gateway {
namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using domain::Role;

// Outside the coroutines: GCC 12 cannot keep a braced list alive across co_await.

struct Month {
  domain::Timestamp from{};
  domain::Timestamp to{};
};

// Midnight at the start of `ym` in Europe/Berlin (never on a summer-time switch), as an instant.
domain::Timestamp berlin_month_start(std::chrono::year_month ym) {
  const std::chrono::sys_days day{ym / std::chrono::day{1}};
  const domain::Timestamp local{std::chrono::duration_cast<std::chrono::milliseconds>(day.time_since_epoch())};
  return local - domain::berlin_offset(local - std::chrono::hours(2));
}

std::optional<Month> parse_month(const std::string& query, std::string& error) {
  std::optional<std::string> month;
  auto params = boost::urls::parse_query(query);
  if (!params && !query.empty()) {
    error = "the query is not valid; use month=YYYY-MM";
    return std::nullopt;
  }
  if (!query.empty()) {
    for (const auto& p : *params) {
      if (p.key != "month" || month) {
        error = "the only query parameter is month=YYYY-MM (once)";
        return std::nullopt;
      }
      month = p.value.decode();
    }
  }
  if (!month) {
    error = "month is required, e.g. month=2026-11";
    return std::nullopt;
  }
  const auto& m = *month;
  int year = 0;
  unsigned mon = 0;
  const bool shape = m.size() == 7 && m[4] == '-' &&
                     std::from_chars(m.data(), m.data() + 4, year).ptr == m.data() + 4 &&
                     std::from_chars(m.data() + 5, m.data() + 7, mon).ptr == m.data() + 7;
  if (!shape || year < 2000 || year > 9999 || mon < 1 || mon > 12) {
    error = "month must be YYYY-MM with a month from 01 to 12, e.g. 2026-11";
    return std::nullopt;
  }
  const std::chrono::year_month ym{std::chrono::year{year}, std::chrono::month{mon}};
  return Month{berlin_month_start(ym), berlin_month_start(ym + std::chrono::months{1})};
}

json::object summary_json(const storage::InvitationSummary& s, int rank) {
  return json::object{{"rank", rank},
                      {"anliegen_id", s.anliegen.value},
                      {"reference", s.reference},
                      {"external_id", s.external_id},
                      {"title", s.title},
                      {"created_at", domain::format_berlin(s.created_at)},
                      {"supporters", s.supporters},
                      {"threshold_reached", s.threshold_reached},
                      {"withdrawn", s.withdrawn},
                      {"status", domain::to_string(s.status)},
                      {"decision", s.decision.empty() ? json::value(nullptr) : json::value(s.decision)}};
}

asio::awaitable<Response> list(App& app, RequestContext& ctx) {
  auto auth = co_await app.authorize(ctx, kOfficeOrAdmin);
  if (auto* refusal = std::get_if<Response>(&auth)) co_return std::move(*refusal);
  std::string error;
  const auto month = parse_month(ctx.query, error);
  if (!month) co_return validation_problem({{"month", error}});
  std::vector<storage::InvitationSummary> rows;
  co_await app.db().read([&](storage::Tx& tx) { rows = storage::list_invitations(tx, month->from, month->to); });
  json::array items;
  for (std::size_t i = 0; i < rows.size(); ++i) items.push_back(summary_json(rows[i], static_cast<int>(i) + 1));
  co_return json_response(http::status::ok, json::object{{"threshold", app.settings().holdieob.support_threshold},
                                                         {"items", std::move(items)}});
}

struct DecisionBody {
  std::string decision;
  std::optional<domain::Timestamp> visit_at;
  std::string message;
};

std::optional<DecisionBody> read_decision(FieldReader& r) {
  r.only({"decision", "visit_at", "message"});
  DecisionBody d;
  if (auto v = r.text("decision", 20, true)) {
    if (*v != "accepted" && *v != "declined") r.fail("decision", "must be accepted or declined");
    d.decision = *v;
  }
  if (auto v = r.text("visit_at", 40)) {
    d.visit_at = domain::parse_iso8601(*v);
    if (!d.visit_at) r.fail("visit_at", "must be an ISO 8601 date-time with offset, e.g. 2026-12-10T14:00:00+01:00");
  }
  if (d.decision == "accepted" && !d.visit_at && r.ok()) r.fail("visit_at", "is required when the decision is accepted");
  if (d.decision == "declined" && d.visit_at) r.fail("visit_at", "is only allowed when the decision is accepted");
  d.message = r.text("message", 4000).value_or("");
  if (!r.ok()) return std::nullopt;
  return d;
}

// What the thread shows: the office's message, or a short German note when it wrote none.
std::string thread_text(const DecisionBody& d) {
  if (!d.message.empty()) return d.message;
  if (d.decision == "declined") return "Die Einladung wurde abgesagt.";
  return "Die Einladung wurde angenommen: Besuch am " + domain::german_date(*d.visit_at) + " um " +
         domain::german_time(*d.visit_at) + " Uhr.";
}

enum class Refusal { none, not_found, not_invitation, withdrawn, decided, not_connected };

Refusal apply_decision(storage::Tx& tx, App& app, const Principal& who, domain::AnliegenId id, const DecisionBody& d,
               std::optional<domain::Anliegen>& after) {
  const auto c = storage::get_case(tx, id);
  if (!c) return Refusal::not_found;
  if (c->kind != domain::Kind::invitation || !c->invitation) return Refusal::not_invitation;
  if (!app.settings().holdieob.enabled) return Refusal::not_connected;
  if (c->invitation->withdrawn_at) return Refusal::withdrawn;
  const auto now = app.clock().now();
  if (!storage::record_decision(tx, id, {d.decision, now, d.visit_at, d.message})) return Refusal::decided;
  const auto message = storage::insert_outbound(
      tx, {id, domain::Channel::holdieob, thread_text(d), who.name, "queued", "", now, {"decision"}, true});
  const auto body = channels::holdieob::render_decided(c->invitation->external_id, d.decision, d.visit_at, d.message, now);
  storage::enqueue_outbox(tx, {"holdieob", "callback", json::serialize(json::object{{"body", body}}), message, id,
                               std::nullopt, false});
  storage::mark_answered(tx, id, now);
  json::object data{{"decision", d.decision}, {"message_id", message.value}};
  data["visit_at"] = d.visit_at ? json::value(domain::format_utc(*d.visit_at)) : json::value(nullptr);
  data["closed"] = close_if_open(tx, id);
  storage::record_event(tx, id, who.actor(), "invitation_decided", json::serialize(data));
  after = storage::get_case(tx, id);
  return Refusal::none;
}

asio::awaitable<Response> post_decision(App& app, RequestContext& ctx) {
  auto start = co_await begin_change(app, ctx, kOfficeOrAdmin, "no Anliegen with this id");
  if (auto* refusal = std::get_if<Response>(&start)) co_return std::move(*refusal);
  const auto& [who, raw_id, body] = std::get<ChangeRequest>(start);
  const domain::AnliegenId id{raw_id};
  FieldReader r(body);
  const auto decision = read_decision(r);
  if (!decision) co_return validation_problem(std::move(r.errors()));
  Refusal refusal = Refusal::none;
  std::optional<domain::Anliegen> after;
  co_await app.db().transact([&](storage::Tx& tx) {
    after.reset();
    refusal = apply_decision(tx, app, who, id, *decision, after);
  });
  switch (refusal) {
    case Refusal::not_found:
      co_return problem(http::status::not_found, "no Anliegen with this id");
    case Refusal::not_invitation:
      co_return problem(http::status::conflict, "only invitations (kind invitation, from holdieob) can be decided");
    case Refusal::not_connected:
      co_return problem(http::status::conflict,
                        "holdieob is not connected (HOLDIEOB_SECRET and HOLDIEOB_CALLBACK_URL), so the decision "
                        "could not be sent back; nothing was recorded");
    case Refusal::withdrawn:
      co_return problem(http::status::conflict, "the invitation was withdrawn on holdieob");
    case Refusal::decided:
      co_return problem(http::status::conflict, "the invitation was decided before; a decision cannot be changed");
    case Refusal::none:
      break;
  }
  ctx.anliegen_id = id.value;
  app.notify_outbox();
  auto res = json_response(http::status::accepted, case_to_json(*after, who.role));
  res.set(http::field::etag, etag_for(after->version));
  co_return res;
}

}  // namespace

void register_invitation_routes(App& app) {
  app.router().add(http::verb::get, "/api/v1/invitations", [&app](RequestContext& c) { return list(app, c); });
  app.router().add(http::verb::post, "/api/v1/cases/{id}/decision",
                   [&app](RequestContext& c) { return post_decision(app, c); });
}

}  // namespace anliegen::gateway

// GET /api/v1/calendar/ob.ics: the OB's appointments as an RFC 5545 feed that Outlook and Thunderbird
// can subscribe to — accepted holdieob visits (one hour from visit_at) and announced, not cancelled
// Sprechstunden. No citizen data: the summary is the invitation's title, the location its address.
// Office and admin tokens, as `Authorization: Bearer` or as the password of HTTP Basic (what Thunderbird
// sends); never in the query string, which would end up in proxy and server logs (docs/channels/holdieob.md).
#include "domain/icalendar.hpp"
#include "gateway/api/api_helpers.hpp"
#include "gateway/app.hpp"
#include "gateway/http/responses.hpp"
#include "storage/invitations.hpp"
#include "storage/sprechstunden.hpp"

namespace anliegen::gateway {
namespace {

namespace asio = boost::asio;
using domain::Role;

constexpr auto kVisitLength = std::chrono::hours(1);

std::string channel_label(domain::Channel c) {
  switch (c) {
    case domain::Channel::whatsapp: return "WhatsApp";
    case domain::Channel::facebook: return "Facebook";
    case domain::Channel::instagram: return "Instagram";
    case domain::Channel::x: return "X";
    default: return std::string(domain::to_string(c));
  }
}

domain::Calendar build(const std::vector<storage::AcceptedVisit>& visits,
                       const std::vector<storage::Sprechstunde>& hours, const std::string& host) {
  domain::Calendar cal{.name = "Oberbürgermeisterin: Termine", .prodid = "-//Stadt Ludwigshafen//Anliegen//DE",
                       .events = {}};
  for (const auto& v : visits) {
    cal.events.push_back({.uid = "invitation-" + std::to_string(v.anliegen.value) + "@" + host,
                          .start = v.visit_at,
                          .end = v.visit_at + kVisitLength,
                          .summary = "Besuch: " + v.title,
                          .location = v.address,
                          .description = "Einladung über holdieob"});
  }
  for (const auto& h : hours) {
    cal.events.push_back({.uid = "sprechstunde-" + std::to_string(h.id) + "@" + host,
                          .start = h.starts_at,
                          .end = h.ends_at,
                          .summary = h.title + " (" + channel_label(h.channel) + ")",
                          .location = "",
                          .description = "Sprechstunde auf " + channel_label(h.channel)});
  }
  return cal;
}

asio::awaitable<Response> feed(App& app, RequestContext& ctx) {
  auto auth = co_await app.authorize(ctx, kOfficeOrAdmin);
  if (auto* refusal = std::get_if<Response>(&auth)) co_return std::move(*refusal);
  std::vector<storage::AcceptedVisit> visits;
  std::vector<storage::Sprechstunde> hours;
  co_await app.db().read([&](storage::Tx& tx) {
    visits = storage::accepted_visits(tx);
    hours = storage::list_sprechstunden(tx, std::nullopt, false);
  });
  const auto cal = build(visits, hours, app.settings().holdieob.calendar_host);
  auto res = text_response(http::status::ok, domain::write_icalendar(cal, app.clock().now()),
                           "text/calendar; charset=utf-8");
  res.set(http::field::cache_control, "private, max-age=300");
  res.set(http::field::content_disposition, "inline; filename=\"ob.ics\"");
  co_return res;
}

}  // namespace

void register_calendar_routes(App& app) {
  app.router().add(http::verb::get, "/api/v1/calendar/ob.ics", [&app](RequestContext& c) { return feed(app, c); });
}

}  // namespace anliegen::gateway

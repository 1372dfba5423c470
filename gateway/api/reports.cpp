// GET /api/v1/reports/weekly/{week}: the weekly report for the OB's office (office and admin) as JSON,
// CSV or HTML (?format= or the Accept header). A stored report is served as it was sent.
#include <boost/url/parse_query.hpp>

#include "gateway/api/api_helpers.hpp"
#include "gateway/app.hpp"
#include "gateway/http/responses.hpp"
#include "gateway/reports/weekly.hpp"

namespace anliegen::gateway {
namespace {

namespace asio = boost::asio;
using domain::Role;


// ?format=json|csv|html wins; otherwise the Accept header; JSON by default. std::nullopt: bad query.
std::optional<ReportFormat> wanted_format(const RequestContext& ctx) {
  if (!ctx.query.empty()) {
    auto params = boost::urls::parse_query(ctx.query);
    if (!params) return std::nullopt;
    std::optional<ReportFormat> format;
    for (const auto& p : *params) {
      if (p.key != "format" || format) return std::nullopt;
      format = parse_report_format(p.value);
      if (!format) return std::nullopt;
    }
    if (format) return format;
  }
  const auto accept = ctx.request[http::field::accept];
  const std::string_view a(accept.data(), accept.size());
  if (a.find("text/csv") != std::string_view::npos) return ReportFormat::csv;
  if (a.find("text/html") != std::string_view::npos) return ReportFormat::html;
  return ReportFormat::json;
}

Response report_response(ReportFormat format, std::string body, const std::string& week) {
  auto res = text_response(http::status::ok, std::move(body), content_type(format));
  if (format == ReportFormat::csv) {
    res.set(http::field::content_disposition, "attachment; filename=\"wochenbericht-" + week + ".csv\"");
    res.prepare_payload();
  }
  res.set(http::field::vary, "Accept");
  return res;
}

asio::awaitable<Response> weekly(App& app, RequestContext& ctx) {
  auto auth = co_await app.authorize(ctx, kOfficeOrAdmin);
  if (auto* refusal = std::get_if<Response>(&auth)) co_return std::move(*refusal);
  const auto format = wanted_format(ctx);
  if (!format) co_return problem(http::status::bad_request, "the only query parameter is format=json|csv|html");
  const std::string text(ctx.params.get("week"));
  const auto week = domain::parse_iso_week(text);
  if (!week) {
    co_return problem(http::status::bad_request,
                      "the week must be an ISO week like 2026-W48 (year, 'W', two-digit week that exists in that year)");
  }
  const auto now = app.clock().now();
  if (!week_complete(*week, now)) {
    co_return problem(http::status::not_found, "the week " + text + " has not ended yet; reports cover complete weeks only");
  }
  std::string body;
  co_await app.db().read([&](storage::Tx& tx) {
    if (auto stored = storage::find_weekly_report(tx, text)) {
      body = render_stored_report(*stored, *format);
    } else {
      body = render_weekly_report(storage::compute_weekly_report(tx, *week, now), *format);
    }
  });
  co_return report_response(*format, std::move(body), text);
}

}  // namespace

void register_report_routes(App& app) {
  app.router().add(http::verb::get, "/api/v1/reports/weekly/{week}", [&app](RequestContext& c) { return weekly(app, c); });
}

}  // namespace anliegen::gateway

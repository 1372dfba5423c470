#include "gateway/app.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <chrono>

#include "gateway/http/responses.hpp"
#include "gateway/log.hpp"
#include "storage/errors.hpp"

namespace anliegen::gateway {

namespace asio = boost::asio;

App::App(Settings settings, const domain::Clock& clock)
    : settings_(std::move(settings)),
      clock_(clock),
      db_(std::make_unique<DbPool>(storage::with_connection_defaults(settings_.database_url, 3),
                                   settings_.db_pool_size, 10000,
                                   static_cast<std::size_t>(settings_.db_group_max))),
      auth_(std::make_unique<Authenticator>(*db_)),
      rules_(std::make_unique<RulesProvider>(settings_.city.rules, [this] {
        std::vector<std::string> codes;
        for (const auto& u : settings_.city.units) codes.push_back(u.code);
        return codes;
      }())) {
  metrics_.gauge("db_pool_connections", "Database connections (threads) in the pool.",
                 [this] { return static_cast<double>(db_->size()); });
  metrics_.gauge("db_pool_in_use", "Database connections busy with a job right now.",
                 [this] { return static_cast<double>(db_->in_use()); });
  metrics_.gauge("db_queue_depth", "Jobs waiting for a database connection.",
                 [this] { return static_cast<double>(db_->queued()); });
}

App::~App() { stop(); }

void App::stop() { db_->stop(); }

Response App::refused(http::status refusal, std::string_view detail, std::string_view path) {
  auto response = error(path, refusal, detail);
  const int status = static_cast<int>(response.result_int());
  metrics_.observe_request("(refused)", "-", status, 0);
  log::info("request", {{"route", "(refused)"}, {"status", status}});
  return response;
}

namespace {

// "GET, POST" for a 405's Allow header; HEAD is answered wherever GET is (the server drops the body).
std::string allow_header(const std::vector<http::verb>& allowed) {
  std::string allow;
  for (auto v : allowed) allow += (allow.empty() ? "" : ", ") + std::string(http::to_string(v));
  const auto has = [&](http::verb v) { return std::find(allowed.begin(), allowed.end(), v) != allowed.end(); };
  if (has(http::verb::get) && !has(http::verb::head)) allow += ", HEAD";
  return allow;
}

}  // namespace

Response App::error(std::string_view path, http::status status, std::string_view reason) const {
  for (const auto& [prefix, respond] : error_responders_) {
    if (path.starts_with(prefix)) return respond(path, status, reason);
  }
  return problem(status, reason);
}

asio::awaitable<Response> App::dispatch(const Request& request) {
  const auto started = std::chrono::steady_clock::now();
  Response res;
  std::string_view route = "(unmatched)";
  std::int64_t anliegen_id = 0;
  auto parsed = boost::urls::parse_origin_form(request.target());
  if (!parsed) {
    const auto target = request.target();
    res = error(std::string_view(target.data(), target.size()).substr(0, target.find('?')), http::status::bad_request,
                "the URL is not valid: every '%' must be followed by two hex digits, and spaces and other "
                "reserved characters must be percent-encoded");
  } else {
    std::string path = parsed->path();
    auto match = router_.match(request.method(), path);
    if (!match.handler) {
      if (match.allowed.empty()) {
        res = error(path, http::status::not_found, "there is no resource at this path");
      } else {
        route = match.pattern;
        res = error(path, http::status::method_not_allowed, "this resource does not support the method");
        res.set(http::field::allow, allow_header(match.allowed));
      }
    } else {
      route = match.pattern;
      RequestContext ctx{request, std::move(match.params), route, std::move(path), std::string(parsed->encoded_query()),
                         0};
      try {
        res = co_await (*match.handler)(ctx);
      } catch (const storage::Unavailable& e) {
        log::warn("database_unavailable", {{"route", route}, {"error", e.what()}});
        res = error(ctx.path, http::status::service_unavailable, "the database is not reachable; please retry shortly");
        res.set(http::field::retry_after, "5");
      } catch (const storage::Transient& e) {
        log::warn("database_conflict", {{"route", route}, {"error", e.what()}});
        res = error(ctx.path, http::status::service_unavailable, "the database was busy; please retry");
        res.set(http::field::retry_after, "1");
      } catch (const std::exception& e) {
        // The type only: what() may quote a request's or a row's content.
        log::error("handler_failed", {{"route", route}, {"error_class", log::exception_class(e)}});
        res = error(ctx.path, http::status::internal_server_error, "an internal error occurred; it has been logged");
      }
      anliegen_id = ctx.anliegen_id;
    }
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const int status = static_cast<int>(res.result_int());
  const std::string method(http::to_string(request.method()));
  metrics_.observe_request(std::string(route), method, status, seconds);
  boost::json::object fields{{"method", method},
                             {"route", route},
                             {"status", status},
                             {"duration_us", static_cast<std::int64_t>(seconds * 1e6)}};
  if (anliegen_id) fields["anliegen_id"] = anliegen_id;
  log::info("request", std::move(fields));
  co_return res;
}

asio::awaitable<App::AuthOutcome> App::authorize(const RequestContext& ctx,
                                                 std::initializer_list<domain::Role> roles) {
  const auto header = ctx.request[http::field::authorization];
  auto principal = co_await auth_->authenticate(std::string_view(header.data(), header.size()));
  if (!principal) {
    auto res = problem(http::status::unauthorized, "a valid API token is required (Authorization: Bearer <token>)");
    res.set(http::field::www_authenticate, "Bearer realm=\"anliegen\", Basic realm=\"anliegen\", charset=\"UTF-8\"");
    co_return res;
  }
  for (auto r : roles) {
    if (principal->role == r) co_return *principal;
  }
  co_return problem(http::status::forbidden, "this token's role may not use this resource");
}

namespace {

// `application/json`, with any parameters (`; charset=utf-8`), in any letter case (RFC 9110 §8.3.1).
bool is_json_media_type(std::string_view content_type) {
  auto type = content_type.substr(0, content_type.find(';'));
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  return boost::beast::iequals(type, "application/json");
}

}  // namespace

JsonBody parse_json_object(const Request& request) {
  const auto type = request[http::field::content_type];
  if (!is_json_media_type(std::string_view(type.data(), type.size()))) {
    return problem(http::status::unsupported_media_type, "the body must be JSON (Content-Type: application/json)");
  }
  boost::system::error_code ec;
  auto value = boost::json::parse(request.body(), ec);
  if (ec) return problem(http::status::bad_request, "the body is not valid JSON: " + ec.message());
  if (!value.is_object()) {
    return validation_problem({{"(body)", "must be a JSON object"}});
  }
  return std::move(value.as_object());
}

}  // namespace anliegen::gateway

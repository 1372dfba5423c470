#pragma once
// The running gateway: settings, database pool, metrics, authentication and the route table, plus
// the dispatch function the HTTP server calls for every request (routing, error mapping, metrics,
// the per-request log line). Route groups register themselves from gateway/api/*.cpp.
#include <boost/asio/io_context.hpp>
#include <boost/json/object.hpp>

#include <initializer_list>
#include <memory>
#include <optional>
#include <variant>

#include "domain/time.hpp"
#include "gateway/auth.hpp"
#include "gateway/db_pool.hpp"
#include "gateway/http/router.hpp"
#include "gateway/http/types.hpp"
#include "gateway/metrics.hpp"
#include "gateway/settings.hpp"

namespace anliegen::gateway {

class App {
 public:
  App(Settings settings, const domain::Clock& clock);
  ~App();

  const Settings& settings() const { return settings_; }
  const domain::Clock& clock() const { return clock_; }
  DbPool& db() { return *db_; }
  Metrics& metrics() { return metrics_; }
  Router& router() { return router_; }

  boost::asio::awaitable<Response> dispatch(const Request& request);
  // Counts and logs a request the server refused before dispatch (413, 431, 400).
  void record_refusal(const Response& response);

  // Authentication and role check for API handlers: a Principal, or the 401/403 response to send.
  using AuthOutcome = std::variant<Principal, Response>;
  boost::asio::awaitable<AuthOutcome> authorize(const RequestContext& ctx, std::initializer_list<domain::Role> roles);

  void stop();

 private:
  Settings settings_;
  const domain::Clock& clock_;
  std::unique_ptr<DbPool> db_;
  Metrics metrics_;
  std::unique_ptr<Authenticator> auth_;
  Router router_;
};

// JSON request bodies: the parsed object, or the 400/415/422 response to send.
using JsonBody = std::variant<boost::json::object, Response>;
JsonBody parse_json_object(const Request& request);

// Route groups.
void register_health_routes(App& app);
void register_case_routes(App& app);

}  // namespace anliegen::gateway

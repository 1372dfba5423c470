// GET /healthz (process up), GET /readyz (database reachable and schema current), GET /metrics.
#include <boost/json.hpp>

#include "gateway/app.hpp"
#include "gateway/http/responses.hpp"
#include "storage/errors.hpp"
#include "storage/migrations.hpp"

namespace anliegen::gateway {

namespace asio = boost::asio;

void register_health_routes(App& app) {
  app.router().add(http::verb::get, "/healthz", [](RequestContext&) -> asio::awaitable<Response> {
    co_return json_response(http::status::ok, boost::json::object{{"status", "ok"}});
  });

  app.router().add(http::verb::get, "/readyz", [&app](RequestContext&) -> asio::awaitable<Response> {
    int version = 0;
    std::string problem_text;
    try {
      co_await app.db().read([&](storage::Tx& tx) { version = storage::current_schema_version(tx); });
    } catch (const storage::StorageError&) {
      problem_text = "database not reachable";
    }
    const int expected = storage::latest_schema_version();
    // Older or newer: a newer one was migrated by a newer binary (an update), whose instances take over.
    if (problem_text.empty() && version != expected) {
      problem_text = "schema version " + std::to_string(version) + ", expected " + std::to_string(expected);
    }
    if (!problem_text.empty()) {
      auto res = json_response(http::status::service_unavailable,
                               boost::json::object{{"status", "unavailable"}, {"reason", problem_text}});
      res.set(http::field::retry_after, "5");
      co_return res;
    }
    co_return json_response(http::status::ok, boost::json::object{{"status", "ready"}, {"schema_version", version}});
  });

  app.router().add(http::verb::get, "/metrics", [&app](RequestContext&) -> asio::awaitable<Response> {
    co_return text_response(http::status::ok, app.metrics().render(), "text/plain; version=0.0.4; charset=utf-8");
  });
}

}  // namespace anliegen::gateway

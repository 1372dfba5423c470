// `anliegen serve`: wires settings, database, routes and the HTTP server, and runs until a signal.
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>

#include <iostream>
#include <thread>

#include "gateway/app.hpp"
#include "gateway/cli.hpp"
#include "gateway/http/server.hpp"
#include "gateway/log.hpp"
#include "storage/errors.hpp"
#include "storage/migrations.hpp"
#include "storage/units.hpp"

namespace anliegen::gateway {

namespace asio = boost::asio;

int serve() {
  auto settings = load_settings(process_environment());
  log::init(settings.log_level);
  const auto dsn = storage::with_connection_defaults(settings.database_url, 5);

  const auto migrated = storage::migrate(dsn);
  for (const auto& name : migrated.applied) log::info("migration_applied", {{"name", name}});
  {
    auto conn = storage::Connection::open(dsn);
    conn->transact([&](storage::Tx& tx) { storage::sync_units(tx, settings.city.units); });
  }

  asio::ip::tcp::endpoint endpoint;
  try {
    endpoint = {asio::ip::make_address(settings.listen_host), settings.listen_port};
  } catch (const std::exception&) {
    throw SettingsError("ANLIEGEN_LISTEN", "'" + settings.listen_host + "' is not an IP address");
  }

  static domain::SystemClock clock;
  asio::io_context ioc(settings.io_threads);
  App app(settings, clock);
  register_health_routes(app);
  register_case_routes(app);

  Server server(
      ioc, ServerLimits{.max_body_bytes = settings.max_body_bytes,
                        .read_timeout = std::chrono::seconds(settings.request_timeout_seconds),
                        .idle_timeout = std::chrono::seconds(settings.idle_timeout_seconds)},
      [&app](const Request& req) { return app.dispatch(req); }, [&app](const Response& res) { app.record_refusal(res); });
  try {
    server.listen(endpoint);
  } catch (const boost::system::system_error& e) {
    std::cerr << "anliegen: cannot listen on " << settings.listen_host << ":" << settings.listen_port << ": "
              << e.code().message() << "\n";
    return 1;
  }

  asio::signal_set signals(ioc, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int sig) {
    if (ec) return;
    log::info("shutdown", {{"signal", sig}});
    server.stop();
  });

  const auto bound = server.local_endpoint();
  log::info("listening", {{"address", bound.address().to_string()}, {"port", bound.port()},
                          {"schema_version", migrated.version}, {"units", settings.city.units.size()}});

  std::vector<std::thread> threads;
  for (int i = 1; i < settings.io_threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();
  app.stop();
  log::info("stopped");
  return 0;
}

}  // namespace anliegen::gateway

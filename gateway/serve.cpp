// `anliegen serve`: wires settings, database, routes and the HTTP server, and runs until a signal.
#include <boost/asio/ip/address.hpp>
#include <boost/asio/signal_set.hpp>

#include <iostream>
#include <thread>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "config/rules_json.hpp"
#include "gateway/app.hpp"
#include "gateway/channel_wiring.hpp"
#include "gateway/cli.hpp"
#include "gateway/http/server.hpp"
#include "gateway/log.hpp"
#include "gateway/workers/media_fetcher.hpp"
#include "gateway/workers/report_scheduler.hpp"
#include "storage/errors.hpp"
#include "storage/migrations.hpp"
#include "storage/routing_rules.hpp"
#include "storage/units.hpp"

namespace anliegen::gateway {

namespace asio = boost::asio;

namespace {

// Every request allocates and frees some 100 KB (database result, JSON, response) on the I/O and
// database threads. glibc hands a thread arena's free top back to the kernel as soon as it exceeds
// 128 KB, so the next request faulted the same pages in again and every trim flushed the TLBs of all
// cores: a third of the gateway's CPU time for a case list. Trimming from 8 MB on keeps the pages.
void keep_freed_memory() {
#if defined(__GLIBC__)
  mallopt(M_MMAP_THRESHOLD, 1024 * 1024);  // setting one turns off glibc's own adjustment of both
  mallopt(M_TRIM_THRESHOLD, 8 * 1024 * 1024);
#endif
}

}  // namespace

int serve() {
  keep_freed_memory();
  auto settings = load_settings(process_environment());
  log::init(settings.log_level);
  const auto dsn = storage::with_connection_defaults(settings.database_url, 5);

  const auto migrated = storage::migrate(dsn);
  for (const auto& name : migrated.applied) log::info("migration_applied", {{"name", name}});
  {
    auto conn = storage::Connection::open(dsn);
    conn->transact([&](storage::Tx& tx) { storage::sync_units(tx, settings.city.units); });
    // The configuration's rules seed the database once; from then on PUT /api/v1/routing/rules changes them.
    conn->transact([&](storage::Tx& tx) {
      if (storage::seed_rules_if_empty(tx, config::rule_set_to_json(settings.city.rules), "config")) {
        log::info("routing_rules_seeded", {{"rules", settings.city.rules.rules.size()}});
      }
    });
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
  auto channel_workers = wire_channels(app);
  register_case_api_routes(app);
  register_routing_routes(app);
  register_attachment_routes(app);
  register_open311_routes(app);
  register_defect_report_routes(app);
  register_report_routes(app);
  MediaFetcher media_fetcher(app.db(), media_fetcher_options(app.settings(), process_environment()), &app.metrics());
  app.set_media_notifier([&media_fetcher] { media_fetcher.notify(); });
  const auto reports_settings = report_settings(process_environment());
  if (!reports_settings.webhook_url.empty()) {
    channel_workers.outbox->add_sender(std::string(kReportNoticeChannel),
                                       make_report_webhook_sender(reports_settings, app.db()));
  }
  ReportScheduler report_scheduler(app.db(), clock, reports_settings, [&app] { app.notify_outbox(); });

  Server server(
      ioc, ServerLimits{.max_body_bytes = settings.max_body_bytes,
                        .read_timeout = std::chrono::seconds(settings.request_timeout_seconds),
                        .idle_timeout = std::chrono::seconds(settings.idle_timeout_seconds)},
      [&app](const Request& req) { return app.dispatch(req); }, [&app](http::status status, std::string_view detail, std::string_view path) {
        return app.refused(status, detail, path);
      });
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

  channel_workers.start();
  media_fetcher.start();
  report_scheduler.start();
  std::vector<std::thread> threads;
  for (int i = 1; i < settings.io_threads; ++i) threads.emplace_back([&ioc] { ioc.run(); });
  ioc.run();
  for (auto& t : threads) t.join();
  channel_workers.stop();
  media_fetcher.stop();
  report_scheduler.stop();
  app.stop();
  log::info("stopped");
  return 0;
}

}  // namespace anliegen::gateway

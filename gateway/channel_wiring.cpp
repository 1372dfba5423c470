#include "gateway/channel_wiring.hpp"

#include <unistd.h>

#include "channels/whatsapp/adapter.hpp"
#include "gateway/webhooks/webhook_routes.hpp"
#include "gateway/workers/whatsapp_sender.hpp"
#include "storage/outbox.hpp"

namespace anliegen::gateway {
namespace {

std::string worker_id() {
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return std::string(host) + ":" + std::to_string(getpid());
}

IngestEnvironment ingest_environment(App& app, int thread_window_hours) {
  IngestEnvironment env;
  env.city = &app.settings().city;
  env.clock = &app.clock();
  env.rules = [&app](storage::Tx& tx) { return app.rules().current(tx); };
  env.thread_window_hours = thread_window_hours;
  return env;
}

}  // namespace

void ChannelWorkers::start() {
  if (outbox) outbox->start();
}

void ChannelWorkers::stop() {
  if (outbox) outbox->stop();
}

ChannelWorkers wire_channels(App& app) {
  const auto& settings = app.settings();
  ChannelWorkers workers;
  OutboxOptions options;
  options.retry_base = std::chrono::milliseconds(settings.outbox_retry_base_ms);
  options.worker_id = worker_id();
  workers.outbox = std::make_unique<OutboxDispatcher>(app.db(), app.metrics(), options);
  auto* dispatcher = workers.outbox.get();
  app.set_outbox_notifier([dispatcher] { dispatcher->notify(); });
  app.metrics().gauge("outbox_depth", "Outgoing messages waiting to be sent (pending, sending, held).", [&app] {
    std::int64_t depth = 0;
    app.db().run_blocking([&](storage::Connection& c) {
      c.read([&](storage::Tx& tx) { depth = storage::outbox_depth(tx); });
    });
    return static_cast<double>(depth);
  });

  if (settings.whatsapp.enabled) {
    const auto& wa = settings.whatsapp;
    std::shared_ptr<const channels::Adapter> adapter = channels::whatsapp::make_whatsapp_adapter(
        {wa.app_secrets, wa.verify_token, wa.access_token, wa.graph_url});
    WebhookWiring wiring;
    wiring.channel = domain::Channel::whatsapp;
    wiring.adapter = adapter;
    wiring.environment = ingest_environment(app, wa.thread_window_hours);
    wiring.on_outbox = [dispatcher] { dispatcher->notify(); };
    wiring.on_media = [&app] { app.notify_media(); };
    register_webhook_routes(app, std::move(wiring));
    workers.outbox->add_sender("whatsapp", make_whatsapp_sender(wa, adapter));
  }

  register_sprechstunden_routes(app);
  register_reply_routes(app);
  return workers;
}

}  // namespace anliegen::gateway

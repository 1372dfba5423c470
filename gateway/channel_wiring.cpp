#include "gateway/channel_wiring.hpp"

#include <unistd.h>

#include <stdexcept>

#include "channels/facebook/adapter.hpp"
#include "channels/instagram/adapter.hpp"
#include "channels/whatsapp/adapter.hpp"
#include "channels/x/adapter.hpp"
#include "gateway/webhooks/holdieob_routes.hpp"
#include "gateway/webhooks/webhook_routes.hpp"
#include "gateway/workers/graph_sender.hpp"
#include "gateway/workers/holdieob_sender.hpp"
#include "gateway/workers/whatsapp_sender.hpp"
#include "gateway/workers/x_sender.hpp"
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

void register_channel(App& app, domain::Channel channel, std::shared_ptr<const channels::Adapter> adapter,
                      int thread_window_hours, OutboxDispatcher* dispatcher) {
  WebhookWiring wiring;
  wiring.channel = channel;
  wiring.adapter = std::move(adapter);
  wiring.environment = ingest_environment(app, thread_window_hours);
  wiring.on_outbox = [dispatcher] { dispatcher->notify(); };
  wiring.on_media = [&app] { app.notify_media(); };
  register_webhook_routes(app, std::move(wiring));
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
  options.workers = settings.outbox_workers;
  options.worker_id = worker_id();
  options.retention = {settings.retention_days, settings.retention_channel_days};
  workers.outbox = std::make_unique<OutboxDispatcher>(app.db(), app.metrics(), options);
  auto* dispatcher = workers.outbox.get();
  app.set_outbox_notifier([dispatcher] { dispatcher->notify(); });
  // Read every 10 s by the dispatcher: a scrape runs on an I/O thread and must not wait for the database.
  app.metrics().gauge("outbox_depth", "Outgoing messages waiting to be sent (pending, sending, held).", [dispatcher] {
    const auto depth = dispatcher->depth();
    if (!depth) throw std::runtime_error("outbox depth not known yet");  // left out of this scrape
    return static_cast<double>(*depth);
  });

  if (settings.whatsapp.enabled) {
    const auto& wa = settings.whatsapp;
    std::shared_ptr<const channels::Adapter> adapter = channels::whatsapp::make_whatsapp_adapter(
        {wa.app_secrets, wa.verify_token, wa.access_token, wa.graph_url});
    WebhookWiring wiring;
    wiring.channel = domain::Channel::whatsapp;
    wiring.adapter = adapter;
    wiring.environment = ingest_environment(app, wa.thread_window_hours);
    wiring.environment.reply_template = wa.reply_template;
    wiring.environment.template_language = wa.template_language;
    wiring.on_outbox = [dispatcher] { dispatcher->notify(); };
    wiring.on_media = [&app] { app.notify_media(); };
    register_webhook_routes(app, std::move(wiring));
    workers.outbox->add_sender("whatsapp", make_whatsapp_sender(wa, adapter));
  }

  if (settings.meta.enabled) {
    const auto& meta = settings.meta;
    std::shared_ptr<const channels::Adapter> fb = channels::facebook::make_facebook_adapter(
        {meta.app_secrets, meta.verify_token, meta.page_token, meta.graph_url});
    register_channel(app, domain::Channel::facebook, fb, meta.thread_window_hours, dispatcher);
    workers.outbox->add_sender("facebook", make_graph_sender(meta.graph_url, bearer_authorizer(meta.page_token), fb,
                                                             &channels::facebook::render_message,
                                                             std::chrono::milliseconds(meta.send_timeout_ms)));

    std::shared_ptr<const channels::Adapter> ig = channels::instagram::make_instagram_adapter(
        {meta.app_secrets, meta.verify_token, meta.instagram_token, meta.graph_url});
    register_channel(app, domain::Channel::instagram, ig, meta.thread_window_hours, dispatcher);
    workers.outbox->add_sender("instagram",
                               make_graph_sender(meta.graph_url, bearer_authorizer(meta.instagram_token), ig,
                                                 &channels::instagram::render_message,
                                                 std::chrono::milliseconds(meta.send_timeout_ms)));
  }

  if (settings.x.enabled) {
    const auto& xs = settings.x;
    std::shared_ptr<const channels::Adapter> x =
        channels::x::make_x_adapter({xs.consumer_secret, xs.previous_consumer_secret, xs.user_token, xs.api_url, xs.own_user_id});
    register_channel(app, domain::Channel::x, x, xs.thread_window_hours, dispatcher);
    workers.outbox->add_sender("x", make_x_sender(xs, x));
  }

  if (settings.holdieob.enabled) {
    register_holdieob_webhook(app);
    workers.outbox->add_sender("holdieob", make_holdieob_sender(settings.holdieob));
  }

  register_sprechstunden_routes(app);
  register_reply_routes(app);
  register_invitation_routes(app);
  register_calendar_routes(app);
  return workers;
}

}  // namespace anliegen::gateway

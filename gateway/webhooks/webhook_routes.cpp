#include "gateway/webhooks/webhook_routes.hpp"

#include <boost/json.hpp>

#include "channels/crypto.hpp"
#include "gateway/http/responses.hpp"
#include "gateway/log.hpp"
#include "storage/errors.hpp"
#include "storage/inbox.hpp"

namespace anliegen::gateway {
namespace {

namespace asio = boost::asio;

Response ok_response() { return text_response(http::status::ok, "OK", "text/plain; charset=utf-8"); }

asio::awaitable<Response> handle_get(const WebhookWiring& w, RequestContext& ctx) {
  const auto reply = w.adapter->handshake(raw_request(ctx.request));
  co_return text_response(static_cast<http::status>(reply.status), reply.body, reply.content_type);
}

asio::awaitable<Response> handle_post(App& app, const WebhookWiring& w, RequestContext& ctx) {
  const auto raw = raw_request(ctx.request);
  const std::string channel(domain::to_string(w.channel));
  if (auto rejection = w.adapter->verify(raw)) {
    app.metrics().count_signature_failure(channel);
    log::warn("webhook_signature_refused", {{"channel", channel}, {"reason", rejection->message}});
    co_return problem(static_cast<http::status>(rejection->status),
                      "the request signature is missing or does not match");
  }
  const auto parsed = w.adapter->parse(raw);
  const std::string key = "sha256:" + channels::to_hex(channels::sha256(ctx.request.body()));
  IngestSummary summary;
  bool duplicate = false;
  std::exception_ptr error;
  try {
    // Grouped: deliveries arriving together share one commit (see DbPool::transact_grouped) and are
    // stored together just before it (IngestBatch). A group that fails is retried one delivery at a
    // time, so what fails here failed on its own.
    co_await app.db().transact_grouped([&](storage::Tx& tx) {
      summary = {};
      duplicate = false;
      tx.deferred<IngestBatch>().add(
          {w.channel, key, &ctx.request.body(), &parsed, &w.environment, &summary, &duplicate});
    });
  } catch (...) {
    error = std::current_exception();
  }
  if (error) co_return co_await acknowledge_failed_delivery(app, channel, key, ctx.request.body(), processing_failure(error));
  if (!parsed.parse_error.empty()) {
    app.metrics().count("webhook_dead_letters_total", "channel", channel);
    // The channel only: the reason (kept in the inbox row) may quote the body.
    log::warn("webhook_dead_letter", {{"channel", channel}});
  } else if (duplicate) {
    app.metrics().count("webhook_duplicate_deliveries_total", "channel", channel);
  } else {
    app.metrics().count("webhook_messages_total", "channel", channel, summary.messages);
    app.metrics().count("webhook_duplicate_events_total", "channel", channel, summary.duplicates);
    app.metrics().count("webhook_receipts_total", "channel", channel, summary.receipts);
    if (summary.platform_errors) app.metrics().count("webhook_platform_errors_total", "channel", channel,
                                                     summary.platform_errors);
    if (!summary.anliegen.empty()) ctx.anliegen_id = summary.anliegen.front();
    if (summary.outbox_written && w.on_outbox) w.on_outbox();
    if (summary.media_pending && w.on_media) w.on_media();
  }
  co_return ok_response();
}

}  // namespace

std::string processing_failure(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const storage::Unavailable&) {
    throw;
  } catch (const storage::Transient&) {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

asio::awaitable<Response> acknowledge_failed_delivery(App& app, const std::string& channel, const std::string& key,
                                                      const std::string& body, const std::string& failure) {
  // The signature was valid, so the platform would send this delivery again and again and fail the
  // same way: keep the raw delivery for the operators and acknowledge it.
  co_await app.db().transact([&](storage::Tx& tx) {
    storage::insert_inbox(tx, channel, key, body, storage::InboxState::dead_letter,
                          "processing failed: " + failure.substr(0, 500));
  });
  app.metrics().count("webhook_dead_letters_total", "channel", channel);
  log::error("webhook_processing_failed", {{"channel", channel}});
  co_return ok_response();
}

channels::RawRequest raw_request(const Request& request) {
  channels::RawRequest raw;
  raw.method = std::string_view(request.method_string().data(), request.method_string().size());
  raw.target = std::string_view(request.target().data(), request.target().size());
  raw.body = request.body();
  for (const auto& field : request) {
    raw.headers.emplace_back(std::string_view(field.name_string().data(), field.name_string().size()),
                             std::string_view(field.value().data(), field.value().size()));
  }
  return raw;
}

void register_webhook_routes(App& app, WebhookWiring wiring) {
  auto w = std::make_shared<const WebhookWiring>(std::move(wiring));
  const std::string channel(domain::to_string(w->channel));
  app.metrics().declare_signature_failures(channel);
  for (const char* name : {"webhook_messages_total", "webhook_dead_letters_total", "webhook_duplicate_deliveries_total",
                           "webhook_duplicate_events_total", "webhook_receipts_total", "webhook_platform_errors_total"}) {
    app.metrics().declare(name, "channel", channel);
  }
  const std::string path = "/webhooks/" + std::string(domain::to_string(w->channel));
  app.router().add(http::verb::get, path, [w](RequestContext& ctx) { return handle_get(*w, ctx); });
  app.router().add(http::verb::post, path, [&app, w](RequestContext& ctx) { return handle_post(app, *w, ctx); });
}

}  // namespace anliegen::gateway

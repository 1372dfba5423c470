#pragma once
// The webhook endpoints of chat channels (GET handshake, POST deliveries) for one adapter:
//
//   POST /webhooks/<channel>: verify the signature over the raw bytes (401, nothing stored, counted in
//   /metrics) → parse → one transaction: inbox row (the exact body, so a retried delivery is
//   recognised) + every event applied → COMMIT → 200. A signed body that cannot be understood is kept
//   as a dead letter and still answered 200, so the platform does not retry it for days; so is one whose
//   processing fails for another reason than a lost or busy database (503: the platform retries).
#include <functional>
#include <memory>

#include "channels/adapter.hpp"
#include "gateway/app.hpp"
#include "gateway/ingest/chat_ingest.hpp"

namespace anliegen::gateway {

struct WebhookWiring {
  domain::Channel channel = domain::Channel::whatsapp;
  std::shared_ptr<const channels::Adapter> adapter;
  IngestEnvironment environment;
  std::function<void()> on_outbox;  // wakes the outbox dispatcher after a commit that queued replies
  std::function<void()> on_media;   // wakes the media fetcher after a commit that queued downloads
};

void register_webhook_routes(App& app, WebhookWiring wiring);

// The raw request as adapters see it (views into `request`).
channels::RawRequest raw_request(const Request& request);

// Why the processing of a delivery failed (the exception's text). Rethrows when the database was lost
// or busy: then the delivery was not stored, and the platform should retry (503).
std::string processing_failure(std::exception_ptr error);

// Keeps a signed delivery whose processing failed as a dead letter (in a transaction of its own),
// counts and logs it (channel only: the error may quote the citizen), and returns the 200 to send.
boost::asio::awaitable<Response> acknowledge_failed_delivery(App& app, const std::string& channel,
                                                             const std::string& key, const std::string& body,
                                                             const std::string& failure);

}  // namespace anliegen::gateway

#include "gateway/webhooks/holdieob_routes.hpp"

#include "channels/crypto.hpp"
#include "channels/holdieob/events.hpp"
#include "gateway/http/responses.hpp"
#include "gateway/ingest/invitation_ingest.hpp"
#include "gateway/log.hpp"
#include "gateway/webhooks/webhook_routes.hpp"
#include "storage/inbox.hpp"

namespace anliegen::gateway {
namespace {

namespace asio = boost::asio;
namespace hb = channels::holdieob;

const std::string kChannel = "holdieob";

std::string request_header(const Request& request, std::string_view name) {
  const auto it = request.find(boost::beast::string_view(name.data(), name.size()));
  return it == request.end() ? std::string() : std::string(it->value());
}

asio::awaitable<Response> handle_post(App& app, const InvitationEnvironment& env, RequestContext& ctx) {
  const auto& body = ctx.request.body();
  const auto verdict =
      hb::verify_signature(body, request_header(ctx.request, hb::kSignatureHeader), app.settings().holdieob.secrets);
  if (verdict != hb::SignatureResult::ok) {
    app.metrics().count_signature_failure(kChannel);
    log::warn("webhook_signature_refused", {{"channel", kChannel}, {"reason", std::string(hb::to_string(verdict))}});
    co_return problem(http::status::unauthorized, "the request signature is missing or does not match");
  }
  const auto parsed = hb::parse_event(body);
  std::string dead_letter = parsed.error;
  if (parsed.event) {
    if (const auto* unknown = std::get_if<hb::UnknownEvent>(&*parsed.event)) {
      dead_letter = "unknown event type '" + unknown->type.substr(0, 100) + "'";
    }
  }
  const std::string key = "sha256:" + channels::to_hex(channels::sha256(body));
  InvitationOutcome outcome;
  bool duplicate = false;
  std::exception_ptr error;
  try {
    co_await app.db().transact([&](storage::Tx& tx) {
      outcome = {};
      duplicate = false;
      if (!dead_letter.empty()) {
        storage::insert_inbox(tx, kChannel, key, body, storage::InboxState::dead_letter, dead_letter);
        return;
      }
      if (!storage::insert_inbox(tx, kChannel, key, body)) {
        duplicate = true;  // the very same delivery again: it was applied before
        return;
      }
      outcome = apply_invitation_event(tx, *parsed.event, env);
    });
  } catch (...) {
    error = std::current_exception();
  }
  if (error) co_return co_await acknowledge_failed_delivery(app, kChannel, key, body, processing_failure(error));
  if (!dead_letter.empty()) {
    app.metrics().count("webhook_dead_letters_total", "channel", kChannel);
    // The channel only: the reason (kept in the inbox row) may quote the body.
    log::warn("webhook_dead_letter", {{"channel", kChannel}});
  } else if (duplicate || outcome.duplicate) {
    app.metrics().count("webhook_duplicate_deliveries_total", "channel", kChannel);
  } else {
    app.metrics().count("webhook_messages_total", "channel", kChannel);
    if (outcome.anliegen) ctx.anliegen_id = *outcome.anliegen;
    if (outcome.early) log::info("holdieob_event_kept_until_created", {{"channel", kChannel}});
  }
  co_return text_response(http::status::ok, "OK", "text/plain; charset=utf-8");
}

}  // namespace

void register_holdieob_webhook(App& app) {
  InvitationEnvironment env;
  env.clock = &app.clock();
  env.rules = [&app](storage::Tx& tx) { return app.rules().current(tx); };
  env.support_threshold = app.settings().holdieob.support_threshold;
  auto shared = std::make_shared<const InvitationEnvironment>(std::move(env));
  app.metrics().declare_signature_failures(std::string(kChannel));
  for (const char* name : {"webhook_messages_total", "webhook_dead_letters_total", "webhook_duplicate_deliveries_total"}) {
    app.metrics().declare(name, "channel", std::string(kChannel));
  }
  app.router().add(http::verb::post, "/webhooks/holdieob",
                   [&app, shared](RequestContext& ctx) { return handle_post(app, *shared, ctx); });
}

}  // namespace anliegen::gateway

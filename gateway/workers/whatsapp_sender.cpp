#include "gateway/workers/whatsapp_sender.hpp"

#include <boost/json.hpp>

#include "channels/whatsapp/outbound.hpp"
#include "gateway/net/http_client.hpp"
#include "gateway/workers/outbox_payload.hpp"

namespace anliegen::gateway {
namespace {

namespace json = boost::json;

class WhatsAppSender final : public OutboxSender {
 public:
  WhatsAppSender(WhatsAppSettings settings, std::shared_ptr<const channels::Adapter> adapter)
      : settings_(std::move(settings)), adapter_(std::move(adapter)) {}

  channels::SendOutcome send(const storage::OutboxItem& item) override {
    channels::OutboundRequest request;
    // A payload that cannot be rendered (e.g. emptied by an erasure while queued) never will be: a
    // permanent failure, not twenty retries.
    try {
      request = render(item);
    } catch (const std::exception& e) {
      return {channels::SendOutcome::Kind::permanent_failure, "", "render", e.what()};
    }
    if (request.path.empty()) {
      return {channels::SendOutcome::Kind::permanent_failure, "", "", "unknown outbox kind '" + item.kind + "'"};
    }
    net::OutgoingRequest out;
    out.method = request.method;
    out.url = settings_.graph_url + request.path;
    out.headers = {{"Authorization", "Bearer " + settings_.access_token},
                   {"Content-Type", request.content_type}};
    out.body = request.body;
    out.timeout = std::chrono::milliseconds(settings_.send_timeout_ms);
    try {
      const auto res = net::fetch(out);
      auto outcome = adapter_->interpret_send_response(res.status, res.body);
      if (item.kind == "reject_call" && outcome.kind == channels::SendOutcome::Kind::accepted) {
        outcome.platform_message_id.clear();
      }
      return outcome;
    } catch (const net::FetchError& e) {
      return {channels::SendOutcome::Kind::retry, "", "network", e.what()};
    }
  }

  // 131047: the 24-hour window closed between the clerk's reply and its send (a late retry, a long
  // queue). With a reply template configured the reply waits for the citizen like one written after
  // the window (protocol brief §1.8, trap 17).
  std::optional<Reopening> reopening_for(const storage::OutboxItem& item,
                                         const channels::SendOutcome& outcome) const override {
    if (item.kind != "reply" || outcome.error_code != "131047" || settings_.reply_template.empty()) {
      return std::nullopt;
    }
    return Reopening{settings_.reply_template, settings_.template_language};
  }

 private:
  // The platform request for a row; an empty path for a kind this sender does not know.
  static channels::OutboundRequest render(const storage::OutboxItem& item) {
    const auto payload = json::parse(item.payload_json).as_object();
    namespace wa = channels::whatsapp;
    if (item.kind == "reply") return wa::render_text(payload_target(payload), payload_string(payload, "text"));
    if (item.kind == "template") {
      std::vector<std::string> params;
      if (const auto* p = payload.if_contains("params"); p && p->is_array()) {
        for (const auto& e : p->as_array()) {
          if (e.is_string()) params.emplace_back(e.as_string().c_str());
        }
      }
      return wa::render_template(payload_target(payload), payload_string(payload, "template"),
                                 payload_string(payload, "language"), params);
    }
    if (item.kind == "reject_call") {
      return wa::render_reject_call(payload_string(payload, "account_id"), payload_string(payload, "call_id"));
    }
    return {};
  }

  WhatsAppSettings settings_;
  std::shared_ptr<const channels::Adapter> adapter_;
};

}  // namespace

std::shared_ptr<OutboxSender> make_whatsapp_sender(const WhatsAppSettings& settings,
                                                   std::shared_ptr<const channels::Adapter> adapter) {
  return std::make_shared<WhatsAppSender>(settings, std::move(adapter));
}

}  // namespace anliegen::gateway

#include "gateway/workers/holdieob_sender.hpp"

#include <boost/json.hpp>

#include "channels/holdieob/events.hpp"
#include "gateway/net/http_client.hpp"

namespace anliegen::gateway {
namespace {

namespace json = boost::json;
using Kind = channels::SendOutcome::Kind;

class HoldieobSender final : public OutboxSender {
 public:
  explicit HoldieobSender(HoldieobSettings settings) : settings_(std::move(settings)) {}

  bool retries_until_accepted() const override { return true; }

  channels::SendOutcome send(const storage::OutboxItem& item) override {
    if (item.kind != "callback") return {Kind::permanent_failure, "", "", "unknown outbox kind '" + item.kind + "'"};
    std::string body;
    try {
      body = std::string(json::parse(item.payload_json).as_object().at("body").as_string());
    } catch (const std::exception& e) {
      return {Kind::permanent_failure, "", "render", e.what()};
    }
    net::OutgoingRequest out;
    out.method = "POST";
    out.url = settings_.callback_url;
    out.headers = {{"Content-Type", "application/json"},
                   {std::string(channels::holdieob::kSignatureHeader),
                    channels::holdieob::sign(settings_.secrets.front(), body)}};
    out.body = std::move(body);
    out.timeout = std::chrono::milliseconds(settings_.send_timeout_ms);
    try {
      const auto res = net::fetch(out);
      return classify_callback_status(res.status, res.body);
    } catch (const net::FetchError& e) {
      return {Kind::retry, "", "network", e.what()};
    }
  }

 private:
  HoldieobSettings settings_;
};

}  // namespace

channels::SendOutcome classify_callback_status(int status, std::string_view body) {
  if (status >= 200 && status < 300) return {Kind::accepted, "", "", ""};
  // Whatever holdieob answers (a 401 while it rotates its secret, a 404 while it deploys, 5xx), the
  // decision must reach it; the body is idempotent (id + decided_at), so sending it again is safe.
  const std::string text = "HTTP " + std::to_string(status) + ": " + std::string(body.substr(0, 200));
  return {Kind::retry, "", std::to_string(status), text};
}

std::shared_ptr<OutboxSender> make_holdieob_sender(const HoldieobSettings& settings) {
  return std::make_shared<HoldieobSender>(settings);
}

}  // namespace anliegen::gateway

#include "gateway/workers/graph_sender.hpp"

#include <boost/json.hpp>

#include <stdexcept>

#include "gateway/net/http_client.hpp"
#include "gateway/workers/outbox_payload.hpp"

namespace anliegen::gateway {
namespace {

namespace json = boost::json;

class GraphSender final : public OutboxSender {
 public:
  GraphSender(std::string base_url, Authorizer authorize, std::shared_ptr<const channels::Adapter> adapter,
              RenderMessage render, std::chrono::milliseconds timeout)
      : base_url_(std::move(base_url)),
        authorize_(std::move(authorize)),
        adapter_(std::move(adapter)),
        render_(std::move(render)),
        timeout_(timeout) {}

  channels::SendOutcome send(const storage::OutboxItem& item) override {
    if (item.kind != "reply") {
      return {channels::SendOutcome::Kind::permanent_failure, "", "", "unknown outbox kind '" + item.kind + "'"};
    }
    channels::OutboundRequest request;
    try {
      const auto payload = json::parse(item.payload_json).as_object();
      request = render_(payload_target(payload), payload_string(payload, "text"), payload_flag(payload, "human_agent"));
    } catch (const std::exception& e) {
      return {channels::SendOutcome::Kind::permanent_failure, "", "render", e.what()};
    }
    net::OutgoingRequest out;
    out.method = request.method;
    out.url = base_url_ + request.path;
    out.headers = {{"Authorization", authorize_(out.method, out.url)},
                   {"Content-Type", request.content_type}};
    out.body = request.body;
    out.timeout = timeout_;
    try {
      const auto res = net::fetch(out);
      return adapter_->interpret_send_response(res.status, res.body);
    } catch (const net::FetchError& e) {
      return {channels::SendOutcome::Kind::retry, "", "network", e.what()};
    }
  }

 private:
  std::string base_url_;
  Authorizer authorize_;
  std::shared_ptr<const channels::Adapter> adapter_;
  RenderMessage render_;
  std::chrono::milliseconds timeout_;
};

}  // namespace

std::shared_ptr<OutboxSender> make_graph_sender(std::string base_url, Authorizer authorize,
                                                std::shared_ptr<const channels::Adapter> adapter,
                                                RenderMessage render, std::chrono::milliseconds timeout) {
  return std::make_shared<GraphSender>(std::move(base_url), std::move(authorize), std::move(adapter), std::move(render),
                                       timeout);
}

}  // namespace anliegen::gateway

#include "gateway/workers/x_sender.hpp"

#include "gateway/workers/graph_sender.hpp"

namespace anliegen::gateway {

std::shared_ptr<OutboxSender> make_x_sender(const XChannelSettings& settings,
                                            std::shared_ptr<const channels::Adapter> adapter) {
  auto* raw = adapter.get();
  return make_graph_sender(settings.api_url, x_authorizer(settings), std::move(adapter),
                           [raw](const channels::ReplyTarget& target, std::string_view text, bool) {
                             return raw->render_reply(target, text);
                           },
                           std::chrono::milliseconds(settings.send_timeout_ms));
}

}  // namespace anliegen::gateway

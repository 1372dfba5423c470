#include "channels/meta/meta_adapter.hpp"

#include <utility>

#include "channels/meta/handshake.hpp"
#include "channels/meta/messaging.hpp"
#include "channels/meta/signature.hpp"

namespace anliegen::channels::meta {

MetaAdapter::MetaAdapter(std::string name, std::vector<std::string> app_secrets, std::string verify_token)
    : name_(std::move(name)), app_secrets_(std::move(app_secrets)), verify_token_(std::move(verify_token)) {}

HttpReply MetaAdapter::handshake(const RawRequest& request) const {
  return meta_handshake(request.target, verify_token_);
}

std::optional<Rejection> MetaAdapter::verify(const RawRequest& request) const {
  const auto result = verify_meta_signature(request.body, request.header(kSignatureHeader), app_secrets_);
  if (result == SignatureResult::ok) return std::nullopt;
  return Rejection{401, std::string(to_string(result))};
}

SendOutcome MetaAdapter::interpret_send_response(int http_status, std::string_view body) const {
  return interpret_graph_send_response(http_status, body);
}

OutboundRequest render_meta_reply(const ReplyTarget& target, std::string_view text, bool human_agent_tag,
                                  std::string_view comment_edge) {
  if (target.is_public) {
    const std::string& comment = target.thread_key.empty() ? target.reply_to_id : target.thread_key;
    if (target.private_reply) return render_private_reply(comment, text);
    return render_comment_reply(comment, comment_edge, text);
  }
  return render_send_api_text(target.recipient_key, text,
                              human_agent_tag ? MessagingType::human_agent : MessagingType::response);
}

}  // namespace anliegen::channels::meta

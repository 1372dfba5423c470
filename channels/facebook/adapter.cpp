#include "channels/facebook/adapter.hpp"

#include <utility>

#include "channels/meta/handshake.hpp"
#include "channels/meta/messaging.hpp"
#include "channels/meta/signature.hpp"

namespace anliegen::channels::facebook {
namespace {

class FacebookAdapter final : public Adapter {
 public:
  explicit FacebookAdapter(FacebookSettings settings) : settings_(std::move(settings)) {}

  std::string_view name() const override { return "facebook"; }

  HttpReply handshake(const RawRequest& request) const override {
    return meta::meta_handshake(request.target, settings_.verify_token);
  }

  std::optional<Rejection> verify(const RawRequest& request) const override {
    const auto result =
        meta::verify_meta_signature(request.body, request.header(meta::kSignatureHeader), settings_.app_secrets);
    if (result == meta::SignatureResult::ok) return std::nullopt;
    return Rejection{401, std::string(meta::to_string(result))};
  }

  ParseResult parse(const RawRequest& request) const override { return parse_facebook(request.body); }

  OutboundRequest render_reply(const ReplyTarget& target, std::string_view text) const override {
    return render_message(target, text, false);
  }

  SendOutcome interpret_send_response(int http_status, std::string_view body) const override {
    return meta::interpret_graph_send_response(http_status, body);
  }

 private:
  FacebookSettings settings_;
};

}  // namespace

std::unique_ptr<Adapter> make_facebook_adapter(FacebookSettings settings) {
  return std::make_unique<FacebookAdapter>(std::move(settings));
}

OutboundRequest render_message(const ReplyTarget& target, std::string_view text, bool human_agent_tag) {
  if (target.is_public) {
    const std::string& comment = target.thread_key.empty() ? target.reply_to_id : target.thread_key;
    if (target.private_reply) return meta::render_private_reply(comment, text);
    return meta::render_comment_reply(comment, "comments", text);
  }
  return meta::render_send_api_text(target.recipient_key, text,
                                    human_agent_tag ? meta::MessagingType::human_agent : meta::MessagingType::response);
}

}  // namespace anliegen::channels::facebook

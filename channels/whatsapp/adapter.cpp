#include "channels/whatsapp/adapter.hpp"

#include <utility>

#include "channels/meta/handshake.hpp"
#include "channels/meta/signature.hpp"
#include "channels/whatsapp/outbound.hpp"

namespace anliegen::channels::whatsapp {
namespace {

class WhatsAppAdapter final : public Adapter {
 public:
  explicit WhatsAppAdapter(WhatsAppSettings settings) : settings_(std::move(settings)) {}

  std::string_view name() const override { return "whatsapp"; }

  HttpReply handshake(const RawRequest& request) const override {
    return meta::meta_handshake(request.target, settings_.verify_token);
  }

  std::optional<Rejection> verify(const RawRequest& request) const override {
    const auto result =
        meta::verify_meta_signature(request.body, request.header(meta::kSignatureHeader), settings_.app_secrets);
    if (result == meta::SignatureResult::ok) return std::nullopt;
    return Rejection{401, std::string(meta::to_string(result))};
  }

  ParseResult parse(const RawRequest& request) const override { return parse_whatsapp(request.body); }

  OutboundRequest render_reply(const ReplyTarget& target, std::string_view text) const override {
    return render_text(target, text);
  }

  SendOutcome interpret_send_response(int http_status, std::string_view body) const override {
    return whatsapp::interpret_send_response(http_status, body);
  }

 private:
  WhatsAppSettings settings_;
};

}  // namespace

std::unique_ptr<Adapter> make_whatsapp_adapter(WhatsAppSettings settings) {
  return std::make_unique<WhatsAppAdapter>(std::move(settings));
}

}  // namespace anliegen::channels::whatsapp

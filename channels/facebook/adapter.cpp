#include "channels/facebook/adapter.hpp"

#include <utility>

#include "channels/meta/meta_adapter.hpp"

namespace anliegen::channels::facebook {
namespace {

class FacebookAdapter final : public meta::MetaAdapter {
 public:
  explicit FacebookAdapter(FacebookSettings settings)
      : MetaAdapter("facebook", std::move(settings.app_secrets), std::move(settings.verify_token)) {}

  ParseResult parse(const RawRequest& request) const override { return parse_facebook(request.body); }

  OutboundRequest render_reply(const ReplyTarget& target, std::string_view text) const override {
    return render_message(target, text, false);
  }
};

}  // namespace

std::unique_ptr<Adapter> make_facebook_adapter(FacebookSettings settings) {
  return std::make_unique<FacebookAdapter>(std::move(settings));
}

OutboundRequest render_message(const ReplyTarget& target, std::string_view text, bool human_agent_tag) {
  return meta::render_meta_reply(target, text, human_agent_tag, "comments");
}

}  // namespace anliegen::channels::facebook

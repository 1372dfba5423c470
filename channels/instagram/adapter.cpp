#include "channels/instagram/adapter.hpp"

#include <utility>

#include "channels/meta/meta_adapter.hpp"

namespace anliegen::channels::instagram {
namespace {

class InstagramAdapter final : public meta::MetaAdapter {
 public:
  explicit InstagramAdapter(InstagramSettings settings)
      : MetaAdapter("instagram", std::move(settings.app_secrets), std::move(settings.verify_token)) {}

  ParseResult parse(const RawRequest& request) const override { return parse_instagram(request.body); }

  OutboundRequest render_reply(const ReplyTarget& target, std::string_view text) const override {
    return render_message(target, text, false);
  }
};

}  // namespace

std::unique_ptr<Adapter> make_instagram_adapter(InstagramSettings settings) {
  return std::make_unique<InstagramAdapter>(std::move(settings));
}

OutboundRequest render_message(const ReplyTarget& target, std::string_view text, bool human_agent_tag) {
  return meta::render_meta_reply(target, text, human_agent_tag, "replies");
}

}  // namespace anliegen::channels::instagram

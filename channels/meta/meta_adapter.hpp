#pragma once
// What Messenger and Instagram adapters share: Meta's webhook handshake, the X-Hub-Signature-256 check
// (with secret rotation), the Graph send-response classification, and the choice between a Send API
// message and a comment reply. A concrete adapter adds its name, its parser and its comment edge.
#include <string>
#include <string_view>
#include <vector>

#include "channels/adapter.hpp"

namespace anliegen::channels::meta {

class MetaAdapter : public Adapter {
 public:
  MetaAdapter(std::string name, std::vector<std::string> app_secrets, std::string verify_token);

  std::string_view name() const override { return name_; }
  HttpReply handshake(const RawRequest& request) const override;
  std::optional<Rejection> verify(const RawRequest& request) const override;
  SendOutcome interpret_send_response(int http_status, std::string_view body) const override;

 private:
  std::string name_;
  std::vector<std::string> app_secrets_;
  std::string verify_token_;
};

// A reply for Messenger/Instagram: public comments are answered under the comment (`comment_edge`:
// "comments" on Facebook, "replies" on Instagram) or privately; conversations through the Send API,
// as RESPONSE or, between 24 hours and 7 days, with the HUMAN_AGENT tag.
OutboundRequest render_meta_reply(const ReplyTarget& target, std::string_view text, bool human_agent_tag,
                                  std::string_view comment_edge);

}  // namespace anliegen::channels::meta

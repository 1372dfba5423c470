#include "gateway/workers/outbox_payload.hpp"

#include <boost/json.hpp>

namespace anliegen::gateway {

std::string payload_string(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string().data(), v->as_string().size()) : std::string();
}

bool payload_flag(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_bool() && v->as_bool();
}

channels::ReplyTarget payload_target(const boost::json::object& payload) {
  channels::ReplyTarget t;
  const auto* v = payload.if_contains("target");
  if (!v || !v->is_object()) return t;
  const auto& o = v->as_object();
  t.account_id = payload_string(o, "account_id");
  t.recipient_key = payload_string(o, "recipient_key");
  t.recipient_phone = payload_string(o, "recipient_phone");
  t.reply_to_id = payload_string(o, "reply_to_id");
  t.thread_key = payload_string(o, "thread_key");
  t.is_public = payload_flag(o, "is_public");
  t.private_reply = payload_flag(o, "private_reply");
  return t;
}

}  // namespace anliegen::gateway

// Messenger Platform Send API and comment replies (Facebook and Instagram): rendering and the
// classification of Graph API answers. Paths are relative to the configured Graph URL; the gateway adds
// `Authorization: Bearer <page token>`.
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "channels/meta/messaging.hpp"
#include "channels/url_encoding.hpp"

namespace anliegen::channels::meta {
namespace {

// Throttling and transient Graph errors: 1 unknown, 2 service, 4 app rate limit, 17 user rate limit,
// 32 page rate limit, 613 calls per time.
constexpr std::int64_t kRetryCodes[] = {1, 2, 4, 17, 32, 613};
constexpr std::int64_t kOutsideWindowCode = 10;
constexpr std::int64_t kOutsideWindowSubcode = 2018278;

OutboundRequest post(std::string path, const json::object& body) {
  OutboundRequest r;
  r.method = "POST";
  r.path = std::move(path);
  r.body = json::serialize(body);
  return r;
}

SendOutcome outcome(SendOutcome::Kind kind, std::string code, std::string text) {
  SendOutcome o;
  o.kind = kind;
  o.error_code = std::move(code);
  o.error_text = std::move(text);
  return o;
}

}  // namespace

OutboundRequest render_send_api_text(std::string_view recipient_id, std::string_view text, MessagingType type) {
  if (recipient_id.empty()) throw std::invalid_argument("Send API message without recipient");
  json::object body;
  body["recipient"] = json::object{{"id", recipient_id}};
  if (type == MessagingType::human_agent) {
    body["messaging_type"] = "MESSAGE_TAG";
    body["tag"] = "HUMAN_AGENT";
  } else {
    body["messaging_type"] = "RESPONSE";
  }
  body["message"] = json::object{{"text", text}};
  return post("/me/messages", body);
}

OutboundRequest render_private_reply(std::string_view comment_id, std::string_view text) {
  if (comment_id.empty()) throw std::invalid_argument("private reply without comment id");
  json::object body;
  body["recipient"] = json::object{{"comment_id", comment_id}};
  body["message"] = json::object{{"text", text}};
  return post("/me/messages", body);
}

OutboundRequest render_comment_reply(std::string_view comment_id, std::string_view edge, std::string_view text) {
  if (comment_id.empty()) throw std::invalid_argument("comment reply without comment id");
  return post("/" + percent_encode(comment_id) + "/" + std::string(edge), json::object{{"message", text}});
}

SendOutcome interpret_graph_send_response(int http_status, std::string_view body) {
  boost::system::error_code ec;
  const json::value doc = json::parse(body, ec);
  const json::object* root = ec ? nullptr : doc.if_object();

  if (http_status >= 200 && http_status < 300) {
    SendOutcome ok;
    ok.kind = SendOutcome::Kind::accepted;
    if (root) {
      ok.platform_message_id = str(*root, "message_id");
      if (ok.platform_message_id.empty()) ok.platform_message_id = str(*root, "id");
    }
    return ok;
  }

  const json::object* error = root ? obj(*root, "error") : nullptr;
  const std::optional<std::int64_t> code = error ? integer(*error, "code") : std::nullopt;
  const std::optional<std::int64_t> subcode = error ? integer(*error, "error_subcode") : std::nullopt;
  std::string text = error ? str(*error, "message") : std::string{};
  if (text.empty()) text = "HTTP " + std::to_string(http_status);

  if (code == kOutsideWindowCode || subcode == kOutsideWindowSubcode) {
    return outcome(SendOutcome::Kind::permanent_failure, "10", text);
  }
  const std::string code_text = code ? std::to_string(*code) : "http_" + std::to_string(http_status);
  if (code && std::find(std::begin(kRetryCodes), std::end(kRetryCodes), *code) != std::end(kRetryCodes)) {
    return outcome(SendOutcome::Kind::retry, code_text, text);
  }
  if (http_status == 429 || http_status >= 500 || http_status <= 0) {
    return outcome(SendOutcome::Kind::retry, code_text, text);
  }
  return outcome(SendOutcome::Kind::permanent_failure, code_text, text);
}

}  // namespace anliegen::channels::meta

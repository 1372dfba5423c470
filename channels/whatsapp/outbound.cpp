#include "channels/whatsapp/outbound.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cctype>
#include <span>
#include <stdexcept>

#include "channels/meta/json_access.hpp"
#include "channels/url_encoding.hpp"

namespace anliegen::channels::whatsapp {
namespace {

using namespace meta;

// Graph error codes worth another attempt. 130429/131056 are from the protocol brief; 1, 2, 4, 80007,
// 131000 and 131016 are Meta's generic "unknown", "service unavailable" and throttling codes.
constexpr std::int64_t kRetryCodes[] = {130429, 131056, 1, 2, 4, 80007, 131000, 131016};
// Final whatever the HTTP status: 131047 = 24-hour window closed (the caller switches to a template).
constexpr std::int64_t kPermanentCodes[] = {131047, 131049, 131026, 131048, 132001, 190, 100,
                                            131008, 131009, 131051, 131052, 131053};

bool contains(std::span<const std::int64_t> codes, std::optional<std::int64_t> code) {
  return code && std::find(codes.begin(), codes.end(), *code) != codes.end();
}


bool looks_like_phone(std::string_view s) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

json::object message_base(const ReplyTarget& target) {
  if (target.account_id.empty()) throw std::invalid_argument("WhatsApp send without phone_number_id");
  json::object body;
  body["messaging_product"] = "whatsapp";
  body["recipient_type"] = "individual";
  if (!target.recipient_phone.empty()) {
    body["to"] = target.recipient_phone;
  } else if (looks_like_phone(target.recipient_key)) {  // the key fell back to wa_id
    body["to"] = target.recipient_key;
  } else if (!target.recipient_key.empty()) {
    body["recipient"] = target.recipient_key;
  } else {
    throw std::invalid_argument("WhatsApp send without recipient");
  }
  return body;
}

OutboundRequest post(std::string_view account, std::string_view edge, const json::object& body) {
  OutboundRequest r;
  r.method = "POST";
  r.path = "/" + percent_encode(account) + "/" + std::string(edge);
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

OutboundRequest render_text(const ReplyTarget& target, std::string_view text) {
  json::object body = message_base(target);
  body["type"] = "text";
  if (!target.reply_to_id.empty()) body["context"] = json::object{{"message_id", target.reply_to_id}};
  body["text"] = json::object{{"preview_url", false}, {"body", text}};
  return post(target.account_id, "messages", body);
}

OutboundRequest render_template(const ReplyTarget& target, std::string_view template_name,
                                std::string_view language_code, const std::vector<std::string>& body_params) {
  json::object body = message_base(target);
  body["type"] = "template";
  json::object tpl;
  tpl["name"] = template_name;
  tpl["language"] = json::object{{"code", language_code}};
  if (!body_params.empty()) {
    json::array params;
    for (const auto& p : body_params) params.push_back(json::object{{"type", "text"}, {"text", p}});
    tpl["components"] = json::array{json::object{{"type", "body"}, {"parameters", std::move(params)}}};
  }
  body["template"] = std::move(tpl);
  return post(target.account_id, "messages", body);
}

OutboundRequest render_reject_call(std::string_view phone_number_id, std::string_view call_id) {
  return post(phone_number_id, "calls",
              json::object{{"messaging_product", "whatsapp"}, {"call_id", call_id}, {"action", "reject"}});
}

OutboundRequest render_mark_read(std::string_view phone_number_id, std::string_view message_id,
                                 bool typing_indicator) {
  json::object body{{"messaging_product", "whatsapp"}, {"status", "read"}, {"message_id", message_id}};
  if (typing_indicator) body["typing_indicator"] = json::object{{"type", "text"}};
  return post(phone_number_id, "messages", body);
}

OutboundRequest render_media_lookup(std::string_view media_id, std::string_view phone_number_id) {
  OutboundRequest r;
  r.method = "GET";
  r.content_type.clear();
  r.path = "/" + percent_encode(media_id);
  if (!phone_number_id.empty()) r.path += "?phone_number_id=" + percent_encode(phone_number_id);
  return r;
}

std::optional<MediaInfo> parse_media_lookup(std::string_view body) {
  boost::system::error_code ec;
  const json::value doc = json::parse(body, ec);
  const auto* o = ec ? nullptr : doc.if_object();
  if (!o) return std::nullopt;
  MediaInfo info;
  info.id = str(*o, "id");
  info.url = str(*o, "url");
  info.mime_type = str(*o, "mime_type");
  info.sha256_base64 = str(*o, "sha256");
  info.file_size = integer(*o, "file_size").value_or(0);
  const auto* url = o->if_contains("url");
  if (!url || !url->is_string() || info.url.empty()) return std::nullopt;
  return info;
}

SendOutcome interpret_send_response(int http_status, std::string_view body) {
  boost::system::error_code ec;
  const json::value doc = json::parse(body, ec);
  const json::object* root = ec ? nullptr : doc.if_object();

  if (http_status >= 200 && http_status < 300) {
    SendOutcome ok;
    ok.kind = SendOutcome::Kind::accepted;
    if (const auto* messages = root ? arr(*root, "messages") : nullptr; messages && !messages->empty()) {
      if (const auto* first = as_obj(messages->front())) ok.platform_message_id = str(*first, "id");
    }
    return ok;
  }

  const json::object* error = root ? obj(*root, "error") : nullptr;
  const std::optional<std::int64_t> code = error ? integer(*error, "code") : std::nullopt;
  std::string text = error ? str(*error, "message") : std::string{};
  if (const auto* data = error ? obj(*error, "error_data") : nullptr) {
    if (const std::string details = str(*data, "details"); !details.empty()) {
      text += text.empty() ? details : ": " + details;
    }
  }
  const std::string code_text = code ? std::to_string(*code) : "http_" + std::to_string(http_status);
  if (text.empty()) text = "HTTP " + std::to_string(http_status);

  if (contains(kRetryCodes, code)) return outcome(SendOutcome::Kind::retry, code_text, text);
  if (contains(kPermanentCodes, code)) return outcome(SendOutcome::Kind::permanent_failure, code_text, text);
  if (http_status == 429 || http_status >= 500 || http_status <= 0) {
    return outcome(SendOutcome::Kind::retry, code_text, text);
  }
  return outcome(SendOutcome::Kind::permanent_failure, code_text, text);
}

}  // namespace anliegen::channels::whatsapp

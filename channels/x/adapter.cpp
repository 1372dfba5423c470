// X adapter: CRC handshake, signature check and outbound rendering. Parsing lives in parser.cpp.
#include "channels/x/adapter.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <stdexcept>
#include <utility>

#include "channels/crypto.hpp"
#include "channels/meta/handshake.hpp"
#include "channels/meta/json_access.hpp"
#include "channels/meta/messaging.hpp"
#include "channels/url_encoding.hpp"

namespace anliegen::channels::x {
namespace {

namespace json = boost::json;
using meta::str;

HttpReply plain(int status, std::string body) {
  HttpReply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

class XAdapter final : public Adapter {
 public:
  explicit XAdapter(XSettings settings) : settings_(std::move(settings)) {}

  std::string_view name() const override { return "x"; }

  HttpReply handshake(const RawRequest& request) const override {
    const auto token = meta::query_param(request.target, "crc_token");
    if (!token || token->empty()) return plain(400, "crc_token missing");
    if (settings_.consumer_secret.empty()) return plain(503, "X channel not configured");
    HttpReply r;
    r.status = 200;
    r.content_type = "application/json";
    r.body = json::serialize(json::object{{"response_token", x_signature(settings_.consumer_secret, *token)}});
    return r;
  }

  std::optional<Rejection> verify(const RawRequest& request) const override {
    const std::string_view got = request.header(kSignatureHeader);
    if (got.empty()) return Rejection{401, "missing"};
    // An empty key would make the signature forgeable.
    if (settings_.consumer_secret.empty()) return Rejection{401, "mismatch"};
    for (const auto* key : {&settings_.consumer_secret, &settings_.previous_consumer_secret}) {
      if (!key->empty() && constant_time_equal(got, x_signature(*key, request.body))) return std::nullopt;
    }
    return Rejection{401, "mismatch"};
  }

  ParseResult parse(const RawRequest& request) const override { return parse_x(request.body, settings_.own_user_id); }

  OutboundRequest render_reply(const ReplyTarget& target, std::string_view text) const override {
    return render_x_reply(target, text);
  }

  SendOutcome interpret_send_response(int http_status, std::string_view body) const override {
    return interpret_x_response(http_status, body);
  }

 private:
  XSettings settings_;
};

SendOutcome outcome(SendOutcome::Kind kind, std::string code, std::string text) {
  SendOutcome o;
  o.kind = kind;
  o.error_code = std::move(code);
  o.error_text = std::move(text);
  return o;
}

}  // namespace

std::unique_ptr<Adapter> make_x_adapter(XSettings settings) { return std::make_unique<XAdapter>(std::move(settings)); }

std::string x_signature(std::string_view consumer_secret, std::string_view message) {
  return "sha256=" + to_base64(hmac_sha256(consumer_secret, message));
}

OutboundRequest render_x_reply(const ReplyTarget& target, std::string_view text) {
  OutboundRequest r;
  r.method = "POST";
  json::object body{{"text", text}};
  if (target.is_public) {
    const std::string& tweet = target.thread_key.empty() ? target.reply_to_id : target.thread_key;
    if (tweet.empty()) throw std::invalid_argument("X public reply without a post to answer");
    body["reply"] = json::object{{"in_reply_to_tweet_id", tweet}};
    r.path = "/2/tweets";
  } else {
    if (target.recipient_key.empty()) throw std::invalid_argument("X DM without participant");
    r.path = "/2/dm_conversations/with/" + percent_encode(target.recipient_key) + "/messages";
  }
  r.body = json::serialize(body);
  return r;
}

SendOutcome interpret_x_response(int http_status, std::string_view body) {
  boost::system::error_code ec;
  const json::value doc = json::parse(body, ec);
  const json::object* root = ec ? nullptr : doc.if_object();
  if (http_status >= 200 && http_status < 300) {
    SendOutcome ok;
    ok.kind = SendOutcome::Kind::accepted;
    if (const auto* data = root ? meta::obj(*root, "data") : nullptr) {
      ok.platform_message_id = str(*data, "dm_event_id");
      if (ok.platform_message_id.empty()) ok.platform_message_id = str(*data, "id");
    }
    return ok;
  }
  // v2 problem ({title, detail, type, status}) or v1.1-style {errors:[{code, message}]}.
  std::string code;
  std::string text;
  if (root) {
    text = str(*root, "detail");
    if (text.empty()) text = str(*root, "title");
    if (const auto* errors = meta::arr(*root, "errors"); errors && !errors->empty()) {
      if (const auto* first = meta::as_obj(errors->front())) {
        code = str(*first, "code");
        if (text.empty()) text = str(*first, "message");
      }
    }
    if (code.empty()) code = str(*root, "type");
  }
  if (code.empty()) code = "http_" + std::to_string(http_status);
  if (text.empty()) text = "HTTP " + std::to_string(http_status);
  if (http_status == 429 || http_status >= 500 || http_status <= 0) {
    return outcome(SendOutcome::Kind::retry, std::move(code), std::move(text));
  }
  return outcome(SendOutcome::Kind::permanent_failure, std::move(code), std::move(text));
}

}  // namespace anliegen::channels::x

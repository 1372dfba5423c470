// WhatsApp outbound rendering (text, template, reject call, mark read, media lookup) and the
// classification of Graph API answers.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <stdexcept>

#include "channels/whatsapp/adapter.hpp"
#include "channels/whatsapp/outbound.hpp"

using namespace anliegen::channels;
using namespace anliegen::channels::whatsapp;
namespace json = boost::json;

namespace {

json::object body_of(const OutboundRequest& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  REQUIRE_FALSE(ec);
  REQUIRE(v.is_object());
  return v.as_object();
}

ReplyTarget target() {
  ReplyTarget t;
  t.account_id = "410000000000002";
  t.recipient_key = "DE.1000000000001";
  t.recipient_phone = "4915112345678";
  t.reply_to_id = "wamid.ANL-TEST-0001";
  return t;
}

using Kind = SendOutcome::Kind;

}  // namespace

TEST_CASE("reply text to a known phone number, quoting the citizen's message") {
  const auto adapter = make_whatsapp_adapter({.app_secrets = {"s"}});
  const auto r = adapter->render_reply(target(), "Danke! Ihr Anliegen hat die Nummer A-2026-000123. \"Gruß\"");
  CHECK(r.method == "POST");
  CHECK(r.path == "/410000000000002/messages");
  CHECK(r.content_type == "application/json");
  const auto b = body_of(r);
  CHECK(b.at("messaging_product") == "whatsapp");
  CHECK(b.at("recipient_type") == "individual");
  CHECK(b.at("to") == "4915112345678");
  CHECK_FALSE(b.contains("recipient"));
  CHECK(b.at("type") == "text");
  CHECK(b.at("text").at("body") == "Danke! Ihr Anliegen hat die Nummer A-2026-000123. \"Gruß\"");
  CHECK(b.at("text").at("preview_url") == false);
  CHECK(b.at("context").at("message_id") == "wamid.ANL-TEST-0001");
}

TEST_CASE("reply to a username-only citizen goes to the BSUID; no context without reply_to_id") {
  ReplyTarget t = target();
  t.recipient_phone.clear();
  t.reply_to_id.clear();
  const auto b = body_of(render_text(t, "Hallo"));
  CHECK(b.at("recipient") == "DE.1000000000001");
  CHECK_FALSE(b.contains("to"));
  CHECK_FALSE(b.contains("context"));

  t.recipient_key = "4915112345678";  // key fell back to wa_id: still a phone number
  CHECK(body_of(render_text(t, "Hallo")).at("to") == "4915112345678");

  t.recipient_key.clear();
  CHECK_THROWS_AS(render_text(t, "Hallo"), std::invalid_argument);
  t = target();
  t.account_id.clear();
  CHECK_THROWS_AS(render_text(t, "Hallo"), std::invalid_argument);
}

TEST_CASE("template with body parameters") {
  const auto r = render_template(target(), "anliegen_status", "de", {"A-2026-000123", "in Bearbeitung"});
  CHECK(r.path == "/410000000000002/messages");
  const auto b = body_of(r);
  CHECK(b.at("to") == "4915112345678");
  CHECK(b.at("type") == "template");
  const auto& tpl = b.at("template").as_object();
  CHECK(tpl.at("name") == "anliegen_status");
  CHECK(tpl.at("language").at("code") == "de");
  const auto& comp = tpl.at("components").as_array();
  REQUIRE(comp.size() == 1);
  CHECK(comp[0].at("type") == "body");
  const auto& params = comp[0].at("parameters").as_array();
  REQUIRE(params.size() == 2);
  CHECK(params[0].at("type") == "text");
  CHECK(params[0].at("text") == "A-2026-000123");
  CHECK(params[1].at("text") == "in Bearbeitung");

  const auto plain = body_of(render_template(target(), "willkommen", "de", {}));
  CHECK_FALSE(plain.at("template").as_object().contains("components"));
}

TEST_CASE("reject call, mark read, media lookup") {
  const auto reject = render_reject_call("410000000000002", "wacid.ANL-TEST-CALL-1");
  CHECK(reject.method == "POST");
  CHECK(reject.path == "/410000000000002/calls");
  const auto rb = body_of(reject);
  CHECK(rb.at("messaging_product") == "whatsapp");
  CHECK(rb.at("call_id") == "wacid.ANL-TEST-CALL-1");
  CHECK(rb.at("action") == "reject");

  const auto read = body_of(render_mark_read("410000000000002", "wamid.ANL-TEST-0001", true));
  CHECK(read.at("status") == "read");
  CHECK(read.at("message_id") == "wamid.ANL-TEST-0001");
  CHECK(read.at("typing_indicator").at("type") == "text");
  CHECK_FALSE(body_of(render_mark_read("410000000000002", "wamid.x")).contains("typing_indicator"));

  const auto lookup = render_media_lookup("910000000000004", "410000000000002");
  CHECK(lookup.method == "GET");
  CHECK(lookup.path == "/910000000000004?phone_number_id=410000000000002");
  CHECK(lookup.body.empty());
  CHECK(render_media_lookup("../x?y").path == "/..%2Fx%3Fy");
}

TEST_CASE("media lookup answers: file_size as string or number") {
  auto info = parse_media_lookup(
      R"({"messaging_product":"whatsapp","url":"https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1",
          "mime_type":"audio/ogg","sha256":"q2pW8mV0b3RlLWRpZ2VzdC1iYXNlNjQtZXhhbXBsZQ==","file_size":"9128",
          "id":"910000000000004"})");
  REQUIRE(info);
  CHECK(info->url == "https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1");
  CHECK(info->mime_type == "audio/ogg");
  CHECK(info->sha256_base64 == "q2pW8mV0b3RlLWRpZ2VzdC1iYXNlNjQtZXhhbXBsZQ==");
  CHECK(info->file_size == 9128);
  CHECK(info->id == "910000000000004");
  info = parse_media_lookup(R"({"url":"https://lookaside.fbsbx.com/x","file_size":12345})");
  REQUIRE(info);
  CHECK(info->file_size == 12345);
  CHECK_FALSE(parse_media_lookup("nope"));
  CHECK_FALSE(parse_media_lookup(R"({"error":{"code":100}})"));
  CHECK_FALSE(parse_media_lookup(R"({"url":5})"));
}

namespace {

std::string graph_error(long code, const char* message = "msg", const char* details = nullptr) {
  json::object err{{"message", message}, {"type", "OAuthException"}, {"code", code}, {"fbtrace_id", "AbC"}};
  if (details) err["error_data"] = json::object{{"messaging_product", "whatsapp"}, {"details", details}};
  return json::serialize(json::object{{"error", err}});
}

}  // namespace

TEST_CASE("send accepted") {
  const auto o = interpret_send_response(
      200, R"({"messaging_product":"whatsapp","contacts":[{"input":"4915112345678","wa_id":"4915112345678"}],
               "messages":[{"id":"wamid.ANL-OUT-0042","message_status":"accepted"}]})");
  CHECK(o.kind == Kind::accepted);
  CHECK(o.platform_message_id == "wamid.ANL-OUT-0042");
  const auto success = interpret_send_response(200, R"({"success":true})");
  CHECK(success.kind == Kind::accepted);
  CHECK(success.platform_message_id.empty());
  CHECK(interpret_send_response(201, "").kind == Kind::accepted);
}

TEST_CASE("window closed: permanent, code 131047, details kept") {
  const auto o = interpret_send_response(
      400, graph_error(131047, "(#131047) Re-engagement message",
                       "More than 24 hours have passed since the recipient last replied to the sender number."));
  CHECK(o.kind == Kind::permanent_failure);
  CHECK(o.error_code == "131047");
  CHECK(o.error_text ==
        "(#131047) Re-engagement message: More than 24 hours have passed since the recipient last replied to the "
        "sender number.");
}

TEST_CASE("retryable answers") {
  for (long code : {130429L, 131056L, 131000L, 131016L, 80007L, 4L, 2L}) {
    CAPTURE(code);
    const auto o = interpret_send_response(400, graph_error(code));
    CHECK(o.kind == Kind::retry);
    CHECK(o.error_code == std::to_string(code));
  }
  CHECK(interpret_send_response(429, graph_error(130429)).kind == Kind::retry);
  CHECK(interpret_send_response(429, "").kind == Kind::retry);
  CHECK(interpret_send_response(500, graph_error(12345)).kind == Kind::retry);
  const auto bad_gateway = interpret_send_response(502, "<html>Bad Gateway</html>");
  CHECK(bad_gateway.kind == Kind::retry);
  CHECK(bad_gateway.error_code == "http_502");
  CHECK(interpret_send_response(503, "").kind == Kind::retry);
}

TEST_CASE("permanent failures") {
  for (long code : {131047L, 131049L, 131026L, 131048L, 132001L, 190L, 100L, 131008L, 131009L, 131051L, 99999L}) {
    CAPTURE(code);
    const auto o = interpret_send_response(code == 190 ? 401 : 400, graph_error(code, "Fehler"));
    CHECK(o.kind == Kind::permanent_failure);
    CHECK(o.error_code == std::to_string(code));
    CHECK(o.error_text == "Fehler");
  }
  CHECK(interpret_send_response(500, graph_error(131026)).kind == Kind::permanent_failure);
  const auto unknown = interpret_send_response(404, "not json");
  CHECK(unknown.kind == Kind::permanent_failure);
  CHECK(unknown.error_code == "http_404");
  CHECK(unknown.error_text == "HTTP 404");
  CHECK(interpret_send_response(400, R"({"error":{"code":"131047","message":"x"}})").error_code == "131047");
}

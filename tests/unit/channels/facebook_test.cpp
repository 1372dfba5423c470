// Facebook adapter: every fixture in tests/fixtures/facebook, signed at run time, through verify() and
// parse(); the handshake; Send API and comment replies; classification of Graph API answers.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <variant>

#include "channels/crypto.hpp"
#include "channels/facebook/adapter.hpp"

using namespace anliegen;
using namespace anliegen::channels;
namespace json = boost::json;

namespace {

constexpr std::string_view kSecret = "gateway-test-secret";
constexpr const char* kPage = "510000000000001";
constexpr const char* kPsid = "7100000000000001";

std::string fixture(const std::string& name) {
  std::ifstream in(ANLIEGEN_SOURCE_DIR "/tests/fixtures/facebook/" + name + ".json", std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing fixture " << name);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// What Meta puts into X-Hub-Signature-256 (computed independently of the code under test).
std::string sign_meta(std::string_view secret, std::string_view body) {
  return "sha256=" + to_hex(hmac_sha256(secret, body));
}

const Adapter& adapter() {
  static const auto a = facebook::make_facebook_adapter({.app_secrets = {"old-secret", std::string(kSecret)},
                                                         .verify_token = "verify-me",
                                                         .page_token = "page-token",
                                                         .graph_url = "https://graph.facebook.com/v23.0"});
  return *a;
}

ParseResult deliver(const std::string& name) {
  const std::string body = fixture(name);
  const std::string signature = sign_meta(kSecret, body);
  RawRequest req{.method = "POST", .target = "/webhooks/facebook", .body = body,
                 .headers = {{"x-hub-signature-256", signature}}};
  REQUIRE_FALSE(adapter().verify(req).has_value());
  ParseResult r = adapter().parse(req);
  CHECK_MESSAGE(r.parse_error.empty(), r.parse_error);
  return r;
}

template <class T>
const T& event(const ParseResult& r, std::size_t i = 0) {
  REQUIRE(r.events.size() > i);
  REQUIRE(std::holds_alternative<T>(r.events[i]));
  return std::get<T>(r.events[i]);
}

template <class T>
const T& only(const ParseResult& r) {
  REQUIRE(r.events.size() == 1);
  return event<T>(r);
}

bool has_flag(const InboundMessage& m, std::string_view f) {
  return std::find(m.flags.begin(), m.flags.end(), f) != m.flags.end();
}

std::int64_t ms(domain::Timestamp t) { return domain::to_unix_ms(t); }

json::object body_of(const OutboundRequest& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  REQUIRE_FALSE(ec);
  REQUIRE(v.is_object());
  return v.as_object();
}

using Outcome = SendOutcome::Kind;

}  // namespace

TEST_CASE("facebook: name, handshake and signature") {
  CHECK(adapter().name() == "facebook");
  const auto ok = adapter().handshake({.method = "GET",
                                       .target = "/webhooks/facebook?hub.mode=subscribe&hub.verify_token=verify-me"
                                                 "&hub.challenge=1158201444"});
  CHECK(ok.status == 200);
  CHECK(ok.body == "1158201444");
  const auto wrong_token = adapter().handshake(
      {.method = "GET", .target = "/webhooks/facebook?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1"});
  CHECK(wrong_token.status == 403);

  const std::string body = fixture("text");
  const std::string good = sign_meta(kSecret, body);
  const std::string wrong = sign_meta("another-secret", body);
  CHECK_FALSE(adapter().verify({.body = body, .headers = {{"X-Hub-Signature-256", good}}}).has_value());
  const auto missing = adapter().verify({.body = body});
  REQUIRE(missing.has_value());
  CHECK(missing->status == 401);
  const auto mismatch = adapter().verify({.body = body, .headers = {{"X-Hub-Signature-256", wrong}}});
  REQUIRE(mismatch.has_value());
  CHECK(mismatch->status == 401);
  // The previous secret of a rotation still verifies.
  CHECK_FALSE(adapter().verify({.body = body, .headers = {{"X-Hub-Signature-256", sign_meta("old-secret", body)}}}));
}

TEST_CASE("facebook: Messenger text") {
  const auto r = deliver("text");
  const auto& m = only<InboundMessage>(r);
  CHECK(m.channel == domain::Channel::facebook);
  CHECK(m.kind == domain::Kind::message);
  CHECK(m.dedupe_key == "m_ANL-FB-0001");
  CHECK(m.account_id == kPage);
  CHECK(m.sender.key == kPsid);
  CHECK(ms(m.sent_at) == 1795600001123);  // milliseconds, not seconds
  CHECK(m.type == "text");
  CHECK(m.text == "Der Gehweg in der Lindenstraße ist seit Wochen aufgerissen.");
  CHECK(m.flags.empty());
  CHECK_FALSE(m.is_public);
}

TEST_CASE("facebook: attachments become media references with CDN urls") {
  const auto r = deliver("attachments");
  const auto& m = only<InboundMessage>(r);
  CHECK(m.text.starts_with("Fotos und Sprachnachricht zum Schlagloch"));
  REQUIRE(m.media.size() == 4);
  CHECK(m.media[0].kind == domain::AttachmentKind::image);
  CHECK(m.media[0].url == "https://scontent.xx.fbcdn.net/v/t1.15752-9/anl_schlagloch.jpg?oh=abc&oe=6800");
  CHECK(m.media[1].kind == domain::AttachmentKind::audio);
  CHECK(m.media[2].kind == domain::AttachmentKind::video);
  CHECK(m.media[3].kind == domain::AttachmentKind::document);
  CHECK(m.media[3].url.find("Antrag_Baumfaellung.pdf") != std::string::npos);
  CHECK(has_flag(m, "attachment:fallback"));
  CHECK(m.text.find("[fallback] https://www.musterstadt.example/baustellen") != std::string::npos);
}

TEST_CASE("facebook: postbacks and quick replies") {
  const auto r = deliver("postback");
  const auto& p = only<InboundMessage>(r);
  CHECK(p.dedupe_key == "m_ANL-FB-PB-0001");
  CHECK(p.type == "postback");
  CHECK(p.text == "Anliegen melden");
  CHECK(has_flag(p, "postback"));
  CHECK(has_flag(p, "payload:ANLIEGEN_MELDEN"));

  const auto r2 = deliver("postback_without_mid");
  const auto& p2 = only<InboundMessage>(r2);
  CHECK(p2.dedupe_key == std::string(kPsid) + ":1795600003250:GET_STARTED");
  CHECK(p2.text == "Los geht's");

  const auto q = deliver("quick_reply");
  const auto& qm = only<InboundMessage>(q);
  CHECK(qm.text == "Straßenschäden");
  CHECK(has_flag(qm, "quick_reply:THEMA_STRASSE"));
}

TEST_CASE("facebook: reactions, reads and deliveries") {
  const auto r = deliver("reaction");
  REQUIRE(r.events.size() == 2);
  const auto& react = event<Reaction>(r, 0);
  CHECK(react.channel == domain::Channel::facebook);
  CHECK(react.target_id == "m_ANL-OUT-0001");
  CHECK(react.emoji == "\u2764\ufe0f");
  CHECK(react.sender.key == kPsid);
  const auto& unreact = event<Reaction>(r, 1);
  CHECK(unreact.emoji.empty());
  CHECK(unreact.dedupe_key != react.dedupe_key);

  const auto d = deliver("read_delivery");
  REQUIRE(d.events.size() == 3);
  CHECK(event<Ignored>(d, 0).reason == "read watermark");
  CHECK(event<DeliveryStatus>(d, 1).message_id == "m_ANL-OUT-0002");
  CHECK(event<DeliveryStatus>(d, 1).status == "delivered");
  CHECK(event<DeliveryStatus>(d, 2).dedupe_key == "m_ANL-OUT-0003:delivered");
}

TEST_CASE("facebook: echoes are dropped, standby is handled, batches are read completely") {
  CHECK(only<Ignored>(deliver("echo")).reason == "echo");

  const auto s = deliver("standby");
  const auto& sm = only<InboundMessage>(s);
  CHECK(sm.text == "Hallo, ist da jemand vom Bürgerservice?");
  CHECK(has_flag(sm, "standby"));

  const auto b = deliver("batch");
  REQUIRE(b.events.size() == 3);
  CHECK(event<InboundMessage>(b, 0).dedupe_key == "m_ANL-FB-0005");
  CHECK(event<InboundMessage>(b, 1).sender.key == "7100000000000002");
  CHECK(event<Ignored>(b, 2).reason == "messaging event not handled: optin");

  const auto e = deliver("message_edit");
  const auto& edit = only<MessageEdited>(e);
  CHECK(edit.original_id == "m_ANL-FB-0001");
  CHECK(edit.dedupe_key == "m_ANL-FB-0001:edit:1");
  CHECK(edit.new_text == "Der Gehweg in der Lindenstraße 4 ist seit Wochen aufgerissen.");
}

TEST_CASE("facebook: feed comments are public Anliegen; edits and removals refer to them") {
  const auto a = deliver("feed_comment_add");
  const auto& c = only<InboundMessage>(a);
  CHECK(c.kind == domain::Kind::comment);
  CHECK(c.is_public);
  CHECK(c.type == "comment");
  CHECK(c.dedupe_key == "900000000000001_1000000000000001:add");
  // Stored under the bare comment id, which the edit and removal below refer to.
  CHECK(c.external_id == "900000000000001_1000000000000001");
  CHECK(platform_id(c) == "900000000000001_1000000000000001");
  CHECK(c.thread_key == "900000000000001_1000000000000001");
  CHECK(c.reply_to == "510000000000001_900000000000001");
  CHECK(c.sender.key == kPsid);
  CHECK(c.sender.display_name == "Erika Mustermann");
  CHECK(c.account_id == kPage);
  CHECK(ms(c.sent_at) == 1795600020000);  // feed created_time is in seconds
  CHECK(c.text == "Wann wird die Ampel an der Kreuzung Ringstraße endlich repariert?");

  const auto rp = deliver("feed_comment_reply");
  const auto& reply = only<InboundMessage>(rp);
  CHECK(reply.thread_key == "900000000000001_1000000000000001");  // the top-level comment
  CHECK(reply.reply_to == "900000000000001_1000000000000001");
  CHECK(has_flag(reply, "comment_reply"));
  REQUIRE(reply.media.size() == 1);
  CHECK(reply.media[0].kind == domain::AttachmentKind::image);

  const auto ed = deliver("feed_comment_edited");
  const auto& edit = only<MessageEdited>(ed);
  CHECK(edit.original_id == "900000000000001_1000000000000001");
  CHECK(edit.dedupe_key.starts_with("900000000000001_1000000000000001:edited:"));
  CHECK(edit.new_text.find("Bahnhofstraße") != std::string::npos);

  const auto rm = deliver("feed_comment_remove");
  const auto& w = only<MessageWithdrawn>(rm);
  CHECK(w.channel == domain::Channel::facebook);
  CHECK(w.original_id == "900000000000001_1000000000000001");
  CHECK(w.dedupe_key == "900000000000001_1000000000000001:remove");
  CHECK(w.original_id == platform_id(c));
  CHECK(edit.original_id == platform_id(c));

  CHECK(only<Ignored>(deliver("feed_own_comment")).reason == "own comment");
  CHECK(only<Ignored>(deliver("feed_reaction")).reason == "feed item not handled: reaction");
}

TEST_CASE("facebook: dashboard test deliveries and unknown bodies") {
  CHECK(only<Ignored>(deliver("dashboard_test")).reason == "dashboard test delivery");
  CHECK(only<Ignored>(deliver("dashboard_test_pageid")).reason == "dashboard test delivery");
  CHECK_FALSE(facebook::parse_facebook("not json").parse_error.empty());
  CHECK_FALSE(facebook::parse_facebook(R"({"object":"instagram","entry":[]})").parse_error.empty());
  CHECK(facebook::parse_facebook(R"({"object":"page","entry":[1,{"id":"5"}]})").events.size() == 2);
}

TEST_CASE("facebook: replies via the Send API") {
  ReplyTarget t{.account_id = std::string(kPage), .recipient_key = std::string(kPsid)};
  const auto r = adapter().render_reply(t, "Danke, Ihr Anliegen hat die Nummer A-2026-000123.");
  CHECK(r.method == "POST");
  CHECK(r.path == "/me/messages");
  CHECK(r.content_type == "application/json");
  auto b = body_of(r);
  CHECK(b.at("recipient").at("id") == kPsid);
  CHECK(b.at("messaging_type") == "RESPONSE");
  CHECK_FALSE(b.contains("tag"));
  CHECK(b.at("message").at("text") == "Danke, Ihr Anliegen hat die Nummer A-2026-000123.");

  b = body_of(facebook::render_message(t, "Nachtrag", true));
  CHECK(b.at("messaging_type") == "MESSAGE_TAG");
  CHECK(b.at("tag") == "HUMAN_AGENT");

  t.recipient_key.clear();
  CHECK_THROWS_AS(adapter().render_reply(t, "x"), std::invalid_argument);
}

TEST_CASE("facebook: public and private answers to comments") {
  ReplyTarget t{.account_id = std::string(kPage), .recipient_key = std::string(kPsid),
                .thread_key = "900000000000001_1000000000000001", .is_public = true};
  const auto pub = adapter().render_reply(t, "Die Ampel wird am Freitag repariert.");
  CHECK(pub.path == "/900000000000001_1000000000000001/comments");
  CHECK(body_of(pub).at("message") == "Die Ampel wird am Freitag repariert.");

  t.private_reply = true;
  const auto priv = adapter().render_reply(t, "Bitte senden Sie uns Ihre Adresse.");
  CHECK(priv.path == "/me/messages");
  const auto b = body_of(priv);
  CHECK(b.at("recipient").at("comment_id") == "900000000000001_1000000000000001");
  CHECK_FALSE(b.at("recipient").as_object().contains("id"));
  CHECK(b.at("message").at("text") == "Bitte senden Sie uns Ihre Adresse.");
}

TEST_CASE("facebook: Graph API answers") {
  const auto& a = adapter();
  auto o = a.interpret_send_response(200, R"({"recipient_id":"7100000000000001","message_id":"m_ANL-OUT-0009"})");
  CHECK(o.kind == Outcome::accepted);
  CHECK(o.platform_message_id == "m_ANL-OUT-0009");
  o = a.interpret_send_response(200, R"({"id":"900000000000001_1000000000000009"})");
  CHECK(o.platform_message_id == "900000000000001_1000000000000009");

  o = a.interpret_send_response(400, R"({"error":{"message":"(#10) This message is sent outside of allowed window.",
    "type":"OAuthException","code":10,"error_subcode":2018278,"fbtrace_id":"AbC"}})");
  CHECK(o.kind == Outcome::permanent_failure);
  CHECK(o.error_code == "10");
  CHECK(o.error_text.find("outside of allowed window") != std::string::npos);
  o = a.interpret_send_response(400, R"({"error":{"message":"x","code":200,"error_subcode":2018278}})");
  CHECK(o.kind == Outcome::permanent_failure);
  CHECK(o.error_code == "10");

  for (int code : {4, 17, 32, 613}) {
    o = a.interpret_send_response(400, R"({"error":{"message":"rate","code":)" + std::to_string(code) + "}}");
    CHECK(o.kind == Outcome::retry);
    CHECK(o.error_code == std::to_string(code));
  }
  CHECK(a.interpret_send_response(503, "").kind == Outcome::retry);
  CHECK(a.interpret_send_response(429, "{}").kind == Outcome::retry);
  o = a.interpret_send_response(400, R"({"error":{"message":"Invalid parameter","code":100}})");
  CHECK(o.kind == Outcome::permanent_failure);
  CHECK(o.error_code == "100");
  o = a.interpret_send_response(403, "<html>");
  CHECK(o.kind == Outcome::permanent_failure);
  CHECK(o.error_code == "http_403");
}

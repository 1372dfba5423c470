// Instagram adapter: every fixture in tests/fixtures/instagram, signed at run time, through verify() and
// parse(); Send API and comment replies.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <variant>

#include "channels/crypto.hpp"
#include "channels/instagram/adapter.hpp"

using namespace anliegen;
using namespace anliegen::channels;
namespace json = boost::json;

namespace {

constexpr std::string_view kSecret = "gateway-test-instagram-secret";
constexpr const char* kAccount = "17841400000000001";
constexpr const char* kIgsid = "1810000000000001";

std::string fixture(const std::string& name) {
  std::ifstream in(ANLIEGEN_SOURCE_DIR "/tests/fixtures/instagram/" + name + ".json", std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing fixture " << name);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string sign_meta(std::string_view secret, std::string_view body) {
  return "sha256=" + to_hex(hmac_sha256(secret, body));
}

const Adapter& adapter() {
  static const auto a = instagram::make_instagram_adapter({.app_secrets = {std::string(kSecret)},
                                                           .verify_token = "verify-ig",
                                                           .access_token = "page-token",
                                                           .graph_url = "https://graph.facebook.com/v23.0"});
  return *a;
}

ParseResult deliver(const std::string& name) {
  const std::string body = fixture(name);
  const std::string signature = sign_meta(kSecret, body);
  RawRequest req{.method = "POST", .target = "/webhooks/instagram", .body = body,
                 .headers = {{"X-Hub-Signature-256", signature}}};
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

json::object body_of(const OutboundRequest& r) {
  boost::system::error_code ec;
  json::value v = json::parse(r.body, ec);
  REQUIRE_FALSE(ec);
  REQUIRE(v.is_object());
  return v.as_object();
}

}  // namespace

TEST_CASE("instagram: name, handshake and signature") {
  CHECK(adapter().name() == "instagram");
  const auto ok =
      adapter().handshake({.target = "/webhooks/instagram?hub.mode=subscribe&hub.verify_token=verify-ig&hub.challenge=42"});
  CHECK(ok.body == "42");
  const std::string body = fixture("text");
  const std::string other = sign_meta("whatsapp-secret", body);
  const auto wrong = adapter().verify({.body = body, .headers = {{"X-Hub-Signature-256", other}}});
  REQUIRE(wrong.has_value());
  CHECK(wrong->status == 401);
  CHECK(adapter().verify({.body = body})->status == 401);
}

TEST_CASE("instagram: direct message text and attachments") {
  const auto r = deliver("text");
  const auto& m = only<InboundMessage>(r);
  CHECK(m.channel == domain::Channel::instagram);
  CHECK(m.kind == domain::Kind::message);
  CHECK_FALSE(m.is_public);
  CHECK(m.dedupe_key == "aWdfZAG1faXRlbTpBTkwtSUctMDAwMQ==");
  CHECK(m.account_id == kAccount);
  CHECK(m.sender.key == kIgsid);
  CHECK(domain::to_unix_ms(m.sent_at) == 1795600001123);
  CHECK(m.text == "Hallo Stadt, der Brunnen am Domplatz ist voller Müll.");

  const auto i = deliver("image");
  const auto& im = only<InboundMessage>(i);
  CHECK(im.type == "image");
  REQUIRE(im.media.size() == 1);
  CHECK(im.media[0].kind == domain::AttachmentKind::image);
  CHECK(im.media[0].url.starts_with("https://lookaside.fbsbx.com/ig_messaging_cdn/"));
  CHECK(has_flag(im, "attachment:ig_reel"));
}

TEST_CASE("instagram: echoes dropped, deletions withdraw, unsupported answered") {
  CHECK(only<Ignored>(deliver("echo")).reason == "echo");

  const auto d = deliver("deleted");
  const auto& w = only<MessageWithdrawn>(d);
  CHECK(w.channel == domain::Channel::instagram);
  CHECK(w.original_id == "aWdfZAG1faXRlbTpBTkwtSUctMDAwMQ==");
  CHECK(w.dedupe_key == "aWdfZAG1faXRlbTpBTkwtSUctMDAwMQ==:deleted");

  // Nothing readable in it: no Anliegen, a fixed answer to the sender (trap 22).
  const auto u = deliver("unsupported");
  const auto& fa = only<FixedAnswer>(u);
  CHECK(fa.channel == domain::Channel::instagram);
  CHECK(fa.text_key == "meta.unsupported");
  CHECK_FALSE(fa.sender.key.empty());
  CHECK_FALSE(fa.dedupe_key.empty());
}

TEST_CASE("instagram: story mentions and story replies are kept as context") {
  const auto sm = deliver("story_mention");
  const auto& m = only<InboundMessage>(sm);
  CHECK(has_flag(m, "story_mention"));
  CHECK(m.type == "story_mention");
  CHECK(m.text == "Erwähnung in einer Story");
  REQUIRE(m.media.size() == 1);
  CHECK(m.media[0].url.find("asset_id=1790000000000003") != std::string::npos);

  const auto sr = deliver("story_reply");
  const auto& r = only<InboundMessage>(sr);
  CHECK(has_flag(r, "story_reply"));
  CHECK(r.reply_to == "1790000000000004");
  CHECK(r.text.starts_with("Gilt die Sperrung auch für Fahrräder?\n"
                           "(Antwort auf Story: https://lookaside.fbsbx.com/"));

  const auto rt = deliver("reply_to_message");
  CHECK(only<InboundMessage>(rt).reply_to == "aWdfZAG1faXRlbTpBTkwtT1VULTAwMDE=");
}

TEST_CASE("instagram: reactions, postbacks and seen receipts") {
  const auto r = deliver("reaction");
  REQUIRE(r.events.size() == 2);
  CHECK(event<Reaction>(r, 0).emoji == "\u2764\ufe0f");
  CHECK(event<Reaction>(r, 0).target_id == "aWdfZAG1faXRlbTpBTkwtT1VULTAwMDE=");
  CHECK(event<Reaction>(r, 1).emoji.empty());

  const auto p = deliver("postback");
  const auto& pm = only<InboundMessage>(p);
  CHECK(pm.type == "postback");
  CHECK(pm.text == "Anliegen melden");
  CHECK(has_flag(pm, "payload:ANLIEGEN_MELDEN"));

  const auto s = deliver("seen");
  const auto& st = only<DeliveryStatus>(s);
  CHECK(st.status == "read");
  CHECK(st.message_id == "aWdfZAG1faXRlbTpBTkwtT1VULTAwMDE=");
}

TEST_CASE("instagram: comments are public Anliegen") {
  const auto c = deliver("comment");
  const auto& m = only<InboundMessage>(c);
  CHECK(m.kind == domain::Kind::comment);
  CHECK(m.is_public);
  CHECK(m.dedupe_key == "17860000000000001");
  CHECK(m.thread_key == "17860000000000001");
  CHECK(m.reply_to == "17900000000000010");
  CHECK(m.sender.key == "1810000000000002");
  CHECK(m.sender.display_name == "erika.muster");
  CHECK(m.text == "Wann öffnet das Freibad wieder?");
  CHECK(domain::to_unix_ms(m.sent_at) == 1795600020000);
  CHECK(has_flag(m, "media:FEED"));

  const auto r = deliver("comment_reply");
  const auto& rm = only<InboundMessage>(r);
  CHECK(rm.thread_key == "17860000000000001");
  CHECK(rm.reply_to == "17860000000000001");
  CHECK(has_flag(rm, "comment_reply"));

  CHECK(only<Ignored>(deliver("own_comment")).reason == "own comment");
  CHECK(only<Ignored>(deliver("mentions_field")).reason == "field not handled: mentions");
  CHECK(only<Ignored>(deliver("messages_change")).reason == "dashboard test delivery");
  CHECK_FALSE(instagram::parse_instagram(R"({"object":"page","entry":[]})").parse_error.empty());
}

TEST_CASE("instagram: replies") {
  ReplyTarget t{.account_id = kAccount, .recipient_key = kIgsid};
  const auto dm = adapter().render_reply(t, "Danke für Ihre Nachricht!");
  CHECK(dm.path == "/me/messages");
  auto b = body_of(dm);
  CHECK(b.at("recipient").at("id") == kIgsid);
  CHECK(b.at("messaging_type") == "RESPONSE");
  CHECK(body_of(instagram::render_message(t, "Nachtrag", true)).at("tag") == "HUMAN_AGENT");

  t.is_public = true;
  t.thread_key = "17860000000000001";
  const auto pub = adapter().render_reply(t, "Das Freibad öffnet am 1. Mai.");
  CHECK(pub.path == "/17860000000000001/replies");
  CHECK(body_of(pub).at("message") == "Das Freibad öffnet am 1. Mai.");

  t.private_reply = true;
  b = body_of(adapter().render_reply(t, "Privat"));
  CHECK(b.at("recipient").at("comment_id") == "17860000000000001");

  const auto o = adapter().interpret_send_response(400, R"({"error":{"message":"(#10) outside window","code":10}})");
  CHECK(o.kind == SendOutcome::Kind::permanent_failure);
  CHECK(o.error_code == "10");
  const auto accepted = adapter().interpret_send_response(200, R"({"id":"17860000000000009"})");
  CHECK(accepted.platform_message_id == "17860000000000009");
}

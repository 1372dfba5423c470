// X adapter: CRC and signature test vectors (protocol brief §3.2, §3.3), every fixture in
// tests/fixtures/x (AAA and XAA envelopes), signed at run time, and the outbound requests.
#include <doctest/doctest.h>

#include <boost/json.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <variant>

#include "channels/crypto.hpp"
#include "channels/x/adapter.hpp"

using namespace anliegen;
using namespace anliegen::channels;
namespace json = boost::json;

namespace {

constexpr const char* kSecret = "gateway-test-consumer-secret";
constexpr const char* kCity = "1500000000000000001";
constexpr const char* kErika = "1600000000000000002";

std::string fixture(const std::string& name) {
  std::ifstream in(ANLIEGEN_SOURCE_DIR "/tests/fixtures/x/" + name + ".json", std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing fixture " << name);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// What X puts into x-twitter-webhooks-signature (computed independently of the code under test).
std::string sign_x(std::string_view secret, std::string_view body) {
  return "sha256=" + to_base64(hmac_sha256(secret, body));
}

const Adapter& adapter() {
  static const auto a = x::make_x_adapter(
      {.consumer_secret = kSecret, .user_token = "user-token", .api_url = "https://api.x.com", .own_user_id = {}});
  return *a;
}

ParseResult deliver(const std::string& name) {
  const std::string body = fixture(name);
  const std::string signature = sign_x(kSecret, body);
  RawRequest req{.method = "POST", .target = "/webhooks/x", .body = body,
                 .headers = {{"X-Twitter-Webhooks-Signature", signature}}};
  REQUIRE_FALSE(adapter().verify(req).has_value());
  ParseResult r = adapter().parse(req);
  CHECK_MESSAGE(r.parse_error.empty(), r.parse_error);
  return r;
}

template <class T>
const T& only(const ParseResult& r) {
  REQUIRE(r.events.size() == 1);
  REQUIRE(std::holds_alternative<T>(r.events[0]));
  return std::get<T>(r.events[0]);
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

TEST_CASE("x: CRC answer (test vector)") {
  CHECK(adapter().name() == "x");
  const auto r = adapter().handshake({.method = "GET", .target = "/webhooks/x?crc_token=crc-token-123"});
  CHECK(r.status == 200);
  CHECK(r.content_type == "application/json");
  const json::value v = json::parse(r.body);
  CHECK(v.at("response_token") == "sha256=rlPDCp0fkuceIZRJysC2pQo1mFjDXX3AI6EnWOKTl/0=");
  CHECK(adapter().handshake({.method = "GET", .target = "/webhooks/x"}).status == 400);
  CHECK(adapter().handshake({.method = "GET", .target = "/webhooks/x?crc_token="}).status == 400);
  CHECK(adapter().handshake({.method = "GET", .target = "/webhooks/x?other=1"}).status == 400);
}

TEST_CASE("x: POST signature (test vector), missing and wrong signatures") {
  const std::string body = R"({"for_user_id":"2244994945","direct_message_events":[]})";
  CHECK(x::x_signature(kSecret, body) == "sha256=nqzs3DI8nJfpCwaPURk4Tlz/FWA1mNYUcw+OCFOuv1Q=");
  RawRequest req{.method = "POST", .body = body,
                 .headers = {{"x-twitter-webhooks-signature", "sha256=nqzs3DI8nJfpCwaPURk4Tlz/FWA1mNYUcw+OCFOuv1Q="}}};
  CHECK_FALSE(adapter().verify(req).has_value());

  req.headers = {};
  auto rejected = adapter().verify(req);
  REQUIRE(rejected.has_value());
  CHECK(rejected->status == 401);
  const std::string hex = "sha256=" + to_hex(hmac_sha256(kSecret, body));
  const std::string wrong[] = {"sha256=nqzs3DI8nJfpCwaPURk4Tlz/FWA1mNYUcw+OCFOuv1R=",
                               "nqzs3DI8nJfpCwaPURk4Tlz/FWA1mNYUcw+OCFOuv1Q=", hex, "sha256="};
  for (const std::string& bad : wrong) {
    req.headers = {{"x-twitter-webhooks-signature", bad}};
    rejected = adapter().verify(req);
    REQUIRE(rejected.has_value());
    CHECK(rejected->status == 401);
  }
  // During a rotation the previous secret verifies too; the CRC is answered with the current one.
  const auto rotating = x::make_x_adapter({.consumer_secret = "new-secret", .previous_consumer_secret = kSecret});
  const std::string by_old = sign_x(kSecret, body), by_new = sign_x("new-secret", body),
                    by_other = sign_x("another-secret", body), by_empty = sign_x("", body);
  req.headers = {{"x-twitter-webhooks-signature", by_old}};
  CHECK_FALSE(rotating->verify(req).has_value());
  req.headers = {{"x-twitter-webhooks-signature", by_new}};
  CHECK_FALSE(rotating->verify(req).has_value());
  req.headers = {{"x-twitter-webhooks-signature", by_other}};
  CHECK(rotating->verify(req).has_value());
  const auto crc = rotating->handshake({.method = "GET", .target = "/webhooks/x?crc_token=abc"});
  CHECK(crc.body.find(sign_x("new-secret", "abc").substr(7)) != std::string::npos);
  // Without a rotation, the previous slot stays empty and signs nothing.
  req.headers = {{"x-twitter-webhooks-signature", by_empty}};
  CHECK(x::make_x_adapter({.consumer_secret = kSecret})->verify(req).has_value());
  // An unconfigured secret never verifies, not even an "empty key" signature.
  const auto unconfigured = x::make_x_adapter({});
  req.headers = {{"x-twitter-webhooks-signature", by_empty}};
  CHECK(unconfigured->verify(req).has_value());
}

TEST_CASE("x: AAA direct message with the users map") {
  const auto r = deliver("dm");
  const auto& m = only<InboundMessage>(r);
  CHECK(m.channel == domain::Channel::x);
  CHECK(m.kind == domain::Kind::message);
  CHECK_FALSE(m.is_public);
  CHECK(m.dedupe_key == "1900000000000000042");
  CHECK(m.account_id == kCity);
  CHECK(m.sender.key == kErika);
  CHECK(m.sender.display_name == "Erika Mustermann (@erika_muster)");
  CHECK(ms(m.sent_at) == 1795600001123);
  CHECK(m.type == "dm");
  CHECK(m.text == "Guten Tag, an der Bushaltestelle Marktplatz ist das Wartehäuschen beschädigt.");
  CHECK(m.thread_key.empty());
}

TEST_CASE("x: own DMs are dropped; DM media and quick replies") {
  CHECK(only<Ignored>(deliver("dm_own")).reason == "own DM");
  const auto r = deliver("dm_media");
  const auto& m = only<InboundMessage>(r);
  REQUIRE(m.media.size() == 1);
  CHECK(m.media[0].kind == domain::AttachmentKind::image);
  // Downloaded with the user token from /2/dm_conversations/media/{dm_id}/{media_id}/{resource_id}.
  CHECK(m.media[0].media_id == "1900000000000000044/1910000000000000001/AbCd.jpg");
  CHECK(m.media[0].url ==
        "https://ton.twitter.com/1.1/ton/data/dm/1900000000000000044/1910000000000000001/AbCd.jpg");
  CHECK(has_flag(m, "quick_reply:thema_oepnv"));
}

TEST_CASE("x: the DM media download path is built only from parts of X's shape") {
  using anliegen::channels::x::dm_media_path;
  CHECK(dm_media_path("19", "20", "https://ton.twitter.com/1.1/ton/data/dm/19/20/tJg5kUG5RKPi3jNi.jpg") ==
        "19/20/tJg5kUG5RKPi3jNi.jpg");
  CHECK(dm_media_path("", "20", "https://ton.twitter.com/x/a.jpg").empty());
  CHECK(dm_media_path("19", "2a", "https://ton.twitter.com/x/a.jpg").empty());
  CHECK(dm_media_path("19", "20", "https://ton.twitter.com/x/").empty());
  CHECK(dm_media_path("19", "20", "https://ton.twitter.com/x/a%2F..jpg").empty());  // no escapes into the path
  CHECK(dm_media_path("19", "20", "").empty());
}

TEST_CASE("x: mentions read the extended text and keep ids as strings") {
  const auto r = deliver("mention");
  const auto& m = only<InboundMessage>(r);
  CHECK(m.kind == domain::Kind::comment);
  CHECK(m.is_public);
  CHECK(m.type == "mention");
  CHECK(m.dedupe_key == "1990000000000000123");  // > 2^53: a double would have made it ...0128
  CHECK(m.thread_key == "1990000000000000123");
  CHECK(m.reply_to.empty());
  CHECK(m.text.ends_with("Bitte dringend reparieren! #Musterstadt"));
  CHECK(m.text.find("…") == std::string::npos);
  CHECK(m.sender.key == kErika);
  CHECK(ms(m.sent_at) == 1795600004123);
  CHECK_FALSE(has_flag(m, "user_has_blocked"));
}

TEST_CASE("x: replies, own posts and other event arrays") {
  const auto r = deliver("reply");
  const auto& m = only<InboundMessage>(r);
  CHECK(m.type == "reply");
  CHECK(m.reply_to == "1990000000000000120");
  CHECK(m.thread_key == "1990000000000000124");
  CHECK(m.sender.display_name == "Max Muster (@max_muster)");

  CHECK(only<Ignored>(deliver("own_post")).reason == "own post");
  CHECK(only<Ignored>(deliver("favorite")).reason == "event not handled: favorite_events");
}

TEST_CASE("x: created_at is used when timestamp_ms is missing") {
  const std::string body = R"({"for_user_id":"1","tweet_create_events":[{"id_str":"1990000000000000200",
    "created_at":"Wed Nov 25 12:26:41 +0000 2026","text":"@musterstadt Hallo","user":{"id_str":"2","name":"A"}}]})";
  const auto r = x::parse_x(body);
  const auto& m = only<InboundMessage>(r);
  CHECK(domain::format_utc(m.sent_at) == "2026-11-25T12:26:41.000Z");
  CHECK_FALSE(has_flag(m, "user_has_blocked"));

  std::string blocked = body;
  blocked.insert(1, R"("user_has_blocked":"true",)");
  CHECK(has_flag(only<InboundMessage>(x::parse_x(blocked)), "user_has_blocked"));
}

TEST_CASE("x: XAA envelopes") {
  const auto dm = deliver("xaa_dm");
  const auto& d = only<InboundMessage>(dm);
  CHECK(d.dedupe_key == "1900000000000000045");
  CHECK(has_flag(d, "event_uuid:8f4c2a10-3b7e-4c1d-9a55-000000000001"));
  CHECK(d.account_id == kCity);
  CHECK(d.sender.display_name == "Erika Mustermann (@erika_muster)");
  CHECK(d.text == "Wann ist der Wertstoffhof samstags geöffnet?");

  const auto mention = deliver("xaa_mention");
  const auto& mm = only<InboundMessage>(mention);
  CHECK(mm.kind == domain::Kind::comment);
  CHECK(mm.is_public);
  CHECK(mm.type == "mention");
  CHECK(mm.dedupe_key == "1990000000000000126");
  CHECK(mm.sender.display_name == "Erika Mustermann (@erika_muster)");
  CHECK(ms(mm.sent_at) == domain::to_unix_ms(*domain::parse_iso8601("2026-11-25T12:40:01.123Z")));

  const auto reply = deliver("xaa_reply");
  const auto& rm = only<InboundMessage>(reply);
  CHECK(rm.type == "reply");
  CHECK(rm.reply_to == "1990000000000000130");
  CHECK(rm.sender.key == "1600000000000000003");

  CHECK(only<Ignored>(deliver("xaa_chat")).reason == "encrypted XChat event not readable: chat.received");
  CHECK(only<Ignored>(deliver("xaa_dm_sent")).reason == "own DM");
  CHECK_FALSE(x::parse_x("[]").parse_error.empty());
  CHECK_FALSE(x::parse_x(R"({"hello":1})").parse_error.empty());
}

TEST_CASE("x: own_user_id overrides for_user_id") {
  const auto r = x::parse_x(fixture("dm"), kErika);
  CHECK(only<Ignored>(r).reason == "own DM");
}

TEST_CASE("x: DM and public replies") {
  ReplyTarget t{.account_id = kCity, .recipient_key = kErika};
  const auto dm = adapter().render_reply(t, "Danke, wir kümmern uns.");
  CHECK(dm.method == "POST");
  CHECK(dm.path == "/2/dm_conversations/with/1600000000000000002/messages");
  CHECK(body_of(dm).at("text") == "Danke, wir kümmern uns.");
  CHECK_FALSE(body_of(dm).contains("reply"));

  t.is_public = true;
  t.thread_key = "1990000000000000123";
  const auto pub = adapter().render_reply(t, "@erika_muster Die Leuchten werden am Freitag getauscht.");
  CHECK(pub.path == "/2/tweets");
  const auto b = body_of(pub);
  CHECK(b.at("text") == "@erika_muster Die Leuchten werden am Freitag getauscht.");
  CHECK(b.at("reply").at("in_reply_to_tweet_id") == "1990000000000000123");

  t.thread_key.clear();
  CHECK_THROWS_AS(adapter().render_reply(t, "x"), std::invalid_argument);
  CHECK_THROWS_AS(adapter().render_reply(ReplyTarget{}, "x"), std::invalid_argument);
}

TEST_CASE("x: API answers") {
  auto o = adapter().interpret_send_response(
      201, R"({"data":{"dm_conversation_id":"1500000000000000001-1600000000000000002",
               "dm_event_id":"1900000000000000050"}})");
  CHECK(o.kind == Outcome::accepted);
  CHECK(o.platform_message_id == "1900000000000000050");
  o = adapter().interpret_send_response(201, R"({"data":{"id":"1990000000000000300","text":"..."}})");
  CHECK(o.platform_message_id == "1990000000000000300");

  o = adapter().interpret_send_response(
      429, R"({"title":"Too Many Requests","detail":"Too Many Requests","type":"about:blank","status":429})");
  CHECK(o.kind == Outcome::retry);
  CHECK(adapter().interpret_send_response(503, "").kind == Outcome::retry);
  o = adapter().interpret_send_response(403, R"({"detail":"You are not permitted to send a DM to this user.",
    "type":"https://api.twitter.com/2/problems/not-authorized-for-resource","title":"Forbidden","status":403})");
  CHECK(o.kind == Outcome::permanent_failure);
  CHECK(o.error_code == "https://api.twitter.com/2/problems/not-authorized-for-resource");
  CHECK(o.error_text == "You are not permitted to send a DM to this user.");
  o = adapter().interpret_send_response(400, R"({"errors":[{"code":187,"message":"Status is a duplicate."}]})");
  CHECK(o.kind == Outcome::permanent_failure);
  CHECK(o.error_code == "187");
  CHECK(adapter().interpret_send_response(404, "").error_code == "http_404");
}

// WhatsApp webhook parsing: every fixture in tests/fixtures/whatsapp, signed at run time, through the
// adapter's verify() and parse().
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <variant>

#include "channels/crypto.hpp"
#include "channels/whatsapp/adapter.hpp"

using namespace anliegen;
using namespace anliegen::channels;

namespace {

constexpr std::string_view kSecret = "gateway-test-secret";

std::string fixture(const std::string& name) {
  std::ifstream in(ANLIEGEN_SOURCE_DIR "/tests/fixtures/whatsapp/" + name + ".json", std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing fixture " << name);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// What Meta puts into X-Hub-Signature-256 (computed independently of the code under test).
std::string sign_meta(std::string_view secret, std::string_view body) {
  return "sha256=" + to_hex(hmac_sha256(secret, body));
}

const Adapter& adapter() {
  static const auto a = whatsapp::make_whatsapp_adapter({.app_secrets = {std::string(kSecret)},
                                                         .verify_token = "verify-me",
                                                         .access_token = "token",
                                                         .graph_url = "https://graph.facebook.com/v23.0"});
  return *a;
}

ParseResult deliver_body(const std::string& body) {
  const std::string signature = sign_meta(kSecret, body);
  RawRequest req{.method = "POST", .target = "/webhooks/whatsapp", .body = body,
                 .headers = {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", signature}}};
  const auto rejected = adapter().verify(req);
  REQUIRE_FALSE(rejected.has_value());
  return adapter().parse(req);
}

ParseResult deliver(const std::string& name) {
  ParseResult r = deliver_body(fixture(name));
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

std::int64_t unix_s(domain::Timestamp t) { return domain::to_unix_ms(t) / 1000; }

void check_erika(const Sender& s) {
  CHECK(s.key == "DE.1000000000001");
  CHECK(s.phone == "4915112345678");
  CHECK(s.display_name == "Erika Mustermann");
}

}  // namespace

TEST_CASE("adapter name") { CHECK(adapter().name() == "whatsapp"); }

TEST_CASE("text message") {
  const auto r = deliver("text");
  const auto& m = only<InboundMessage>(r);
  CHECK(m.channel == domain::Channel::whatsapp);
  CHECK(m.kind == domain::Kind::message);
  CHECK(m.dedupe_key == "wamid.ANL-TEST-0001");
  CHECK(m.account_id == "410000000000002");
  check_erika(m.sender);
  CHECK(unix_s(m.sent_at) == 1795600001);
  CHECK(m.type == "text");
  CHECK(m.text == "Die Straßenlaterne vor der Hauptstraße 12 ist seit drei Tagen aus.");
  CHECK(m.media.empty());
  CHECK(m.flags.empty());
  CHECK(m.reply_to.empty());
  CHECK_FALSE(m.is_public);
}

TEST_CASE("image with caption, url and forwarded flag") {
  const auto r = deliver("image");
  const auto& m = only<InboundMessage>(r);
  CHECK(m.type == "image");
  CHECK(m.text == "Wilder Müll am Parkplatz Stadtgarten");
  REQUIRE(m.media.size() == 1);
  CHECK(m.media[0].kind == domain::AttachmentKind::image);
  CHECK(m.media[0].media_id == "910000000000002");
  CHECK(m.media[0].mime_type == "image/jpeg");
  CHECK(m.media[0].sha256_base64 == "SfInY0gGKTsJlUWbwxC1k+FAD0FZHvzwfpvO0zX0GUI=");
  CHECK(m.media[0].url.starts_with("https://lookaside.fbsbx.com/"));
  CHECK(has_flag(m, "forwarded"));
  CHECK_FALSE(has_flag(m, "frequently_forwarded"));
}

TEST_CASE("audio file vs voice note") {
  const auto audio = deliver("audio");
  const auto& a = only<InboundMessage>(audio);
  CHECK(a.type == "audio");
  REQUIRE(a.media.size() == 1);
  CHECK(a.media[0].kind == domain::AttachmentKind::audio);
  CHECK(a.media[0].mime_type == "audio/mpeg");
  CHECK(a.text.empty());

  const auto voice = deliver("voice");
  const auto& v = only<InboundMessage>(voice);
  CHECK(v.type == "audio");
  REQUIRE(v.media.size() == 1);
  CHECK(v.media[0].kind == domain::AttachmentKind::voice);
  CHECK(v.media[0].media_id == "910000000000004");
  CHECK(v.media[0].mime_type == "audio/ogg; codecs=opus");
}

TEST_CASE("video, document and sticker") {
  const auto video = deliver("video");
  const auto& v = only<InboundMessage>(video);
  REQUIRE(v.media.size() == 1);
  CHECK(v.media[0].kind == domain::AttachmentKind::video);
  CHECK(v.text == "Wasser läuft aus dem Hydranten");
  CHECK(has_flag(v, "forwarded"));
  CHECK(has_flag(v, "frequently_forwarded"));

  const auto doc = deliver("document");
  const auto& d = only<InboundMessage>(doc);
  REQUIRE(d.media.size() == 1);
  CHECK(d.media[0].kind == domain::AttachmentKind::document);
  CHECK(d.media[0].filename == "Antrag_Sondernutzung.pdf");
  CHECK(d.media[0].mime_type == "application/pdf");
  CHECK(d.text == "Mein Antrag auf Sondernutzung");

  const auto sticker = deliver("sticker");
  const auto& s = only<InboundMessage>(sticker);
  REQUIRE(s.media.size() == 1);
  CHECK(s.media[0].kind == domain::AttachmentKind::sticker);
  CHECK(s.media[0].mime_type == "image/webp");
  CHECK(s.text.empty());
}

TEST_CASE("location with name and address") {
  const auto r = deliver("location");
  const auto& m = only<InboundMessage>(r);
  CHECK(m.type == "location");
  REQUIRE(m.location.has_value());
  CHECK(m.location->lat == doctest::Approx(51.96236));
  CHECK(m.location->lon == doctest::Approx(7.62571));
  CHECK(m.location->address == "Rathaus Musterstadt, Marktplatz 1, 12345 Musterstadt");
  CHECK(m.text == "Standort: Rathaus Musterstadt, Marktplatz 1, 12345 Musterstadt (51.96236, 7.62571)");
}

TEST_CASE("shared contacts become a readable summary") {
  const auto r = deliver("contacts");
  const auto& m = only<InboundMessage>(r);
  CHECK(m.type == "contacts");
  CHECK(m.text ==
        "Geteilter Kontakt: Hausmeisterei Schulzentrum Nord, Tel. +49 231 1234567, "
        "E-Mail hausmeister@schulzentrum-nord.example, Schulzentrum Nord\n"
        "Geteilter Kontakt: Karl Meier, Tel. +49 170 7654321");
  check_erika(m.sender);  // the shared contacts are not the sender
}

TEST_CASE("interactive replies and template buttons") {
  const auto b = deliver("interactive_button_reply");
  const auto& bm = only<InboundMessage>(b);
  CHECK(bm.type == "interactive");
  CHECK(bm.text == "Ja, erledigt");
  CHECK(bm.reply_to == "wamid.ANL-OUT-0010");
  CHECK(has_flag(bm, "interactive:button_reply"));
  CHECK(has_flag(bm, "reply_id:anliegen_erledigt_ja"));

  const auto l = deliver("interactive_list_reply");
  const auto& lm = only<InboundMessage>(l);
  CHECK(lm.text == "Straßenschäden – Schlaglöcher, Risse, Gehwege");
  CHECK(lm.reply_to == "wamid.ANL-OUT-0011");
  CHECK(has_flag(lm, "reply_id:thema_strassenschaeden"));

  const auto t = deliver("button");
  const auto& tm = only<InboundMessage>(t);
  CHECK(tm.type == "button");
  CHECK(tm.text == "Status abfragen");
  CHECK(tm.reply_to == "wamid.ANL-OUT-0012");
  CHECK(has_flag(tm, "reply_id:status_abfragen"));
}

TEST_CASE("reactions and their removal") {
  const auto r = deliver("reaction");
  const auto& re = only<Reaction>(r);
  CHECK(re.dedupe_key == "wamid.ANL-TEST-0013");
  CHECK(re.target_id == "wamid.ANL-OUT-0013");
  CHECK(re.emoji == "\xF0\x9F\x91\x8D");  // the fixture has the \ud83d\udc4d escape
  check_erika(re.sender);
  CHECK(unix_s(re.at) == 1795600013);

  for (const char* name : {"reaction_removed_empty", "reaction_removed_missing"}) {
    CAPTURE(name);
    const auto removed = deliver(name);
    const auto& rr = only<Reaction>(removed);
    CHECK(rr.target_id == "wamid.ANL-OUT-0013");
    CHECK(rr.emoji.empty());
  }
}

TEST_CASE("edit and revoke refer to the original message") {
  const auto e = deliver("edit");
  const auto& ed = only<MessageEdited>(e);
  CHECK(ed.dedupe_key == "wamid.ANL-TEST-0016");
  CHECK(ed.original_id == "wamid.ANL-TEST-0001");
  CHECK(ed.new_text == "Die Straßenlaterne vor der Hauptstraße 14 ist seit drei Tagen aus.");
  CHECK(unix_s(ed.at) == 1795600016);

  const auto w = deliver("revoke");
  const auto& wd = only<MessageWithdrawn>(w);
  CHECK(wd.dedupe_key == "wamid.ANL-TEST-0017");
  CHECK(wd.original_id == "wamid.ANL-TEST-0002");
}

TEST_CASE("system messages are identity changes, never messages: new number, new BSUID without from") {
  const auto r = deliver("system");
  REQUIRE(r.events.size() == 2);
  const auto& number = event<IdentityChanged>(r, 0);
  CHECK(number.dedupe_key == "wamid.ANL-TEST-0018");
  CHECK(number.old_key == "DE.1000000000001");
  CHECK(number.new_key.empty());  // keyed on the BSUID, which this notice does not change
  CHECK(number.new_phone == "4915187654321");
  CHECK(unix_s(number.at) == 1795600018);

  const auto& bsuid = event<IdentityChanged>(r, 1);
  CHECK(bsuid.old_key == "DE.1000000000001");  // the identity we know the citizen by
  CHECK(bsuid.new_key == "DE.1000000000002");
  CHECK(bsuid.new_phone.empty());
}

TEST_CASE("system messages: a citizen known by phone moves to the new number; other subtypes are ignored") {
  const auto body = [](const std::string& message) {
    return R"({"object":"whatsapp_business_account","entry":[{"id":"310000000000001","changes":[{
      "field":"messages","value":{"messaging_product":"whatsapp",
      "metadata":{"display_phone_number":"4923100000000","phone_number_id":"410000000000002"},
      "messages":[)" + message + "]}}]}]}";
  };
  const auto phone = deliver_body(body(R"({"from":"4915112345678","id":"wamid.N1","timestamp":"1795600001",
      "type":"system","system":{"body":"changed","wa_id":"4915187654321","type":"user_changed_number"}})"));
  const auto& moved = only<IdentityChanged>(phone);
  CHECK(moved.old_key == "4915112345678");
  CHECK(moved.new_key == "4915187654321");
  CHECK(moved.new_phone == "4915187654321");
  const auto both = deliver_body(body(R"({"from":"4915112345678","from_user_id":"DE.1","id":"wamid.N2",
      "timestamp":"1795600001","type":"system",
      "system":{"wa_id":"4915187654321","user_id":"DE.2","type":"user_changed_number"}})"));
  CHECK(only<IdentityChanged>(both).old_key == "DE.1");
  CHECK(only<IdentityChanged>(both).new_key == "DE.2");
  CHECK(only<IdentityChanged>(both).new_phone == "4915187654321");
  const auto other = deliver_body(body(R"({"from":"4915112345678","id":"wamid.N3","timestamp":"1795600001",
      "type":"system","system":{"body":"security code changed","type":"customer_identity_changed"}})"));
  CHECK(only<Ignored>(other).reason == "system message: customer_identity_changed");
}

TEST_CASE("unsupported and request_welcome get a fixed answer, never an Anliegen") {
  const auto u = deliver("unsupported");
  const auto& unsupported = only<FixedAnswer>(u);
  CHECK(unsupported.text_key == "whatsapp.unsupported");
  CHECK(unsupported.dedupe_key == "wamid.ANL-TEST-0020");
  CHECK(unsupported.account_id == "410000000000002");
  check_erika(unsupported.sender);
  const auto w = deliver("request_welcome");
  const auto& welcome = only<FixedAnswer>(w);
  CHECK(welcome.text_key == "whatsapp.welcome");
  CHECK(unix_s(welcome.at) == 1795600023);
  check_erika(welcome.sender);
}

TEST_CASE("unknown types are kept, flagged, never an error; an order gets the fixed answer") {
  const auto r = deliver("unknown_type");
  const auto& m = only<InboundMessage>(r);
  CHECK(has_flag(m, "unknown_type"));
  CHECK(m.type == "poll_response");
  check_erika(m.sender);
  // Commerce is nothing for a city (protocol brief §1.3): no message, a polite fixed answer.
  const auto order = deliver("order");
  const auto& answer = only<FixedAnswer>(order);
  CHECK(answer.text_key == "whatsapp.unsupported");
  CHECK(answer.dedupe_key == "wamid.ANL-TEST-0022");
  check_erika(answer.sender);
}

TEST_CASE("batch: every entry, change and message; contacts joined by id, not by index") {
  const auto r = deliver("batch");
  REQUIRE(r.events.size() == 5);
  const auto& m1 = event<InboundMessage>(r, 0);
  CHECK(m1.dedupe_key == "wamid.ANL-BATCH-0001");
  CHECK(m1.sender.key == "DE.1000000000001");
  CHECK(m1.sender.display_name == "Erika Mustermann");
  const auto& m2 = event<InboundMessage>(r, 1);
  CHECK(m2.sender.key == "DE.2000000000002");
  CHECK(m2.sender.display_name == "Hans Schmidt");
  CHECK(m2.sender.phone == "4917611122233");
  const auto& m3 = event<InboundMessage>(r, 2);
  CHECK(m3.sender.display_name == "Erika Mustermann");
  REQUIRE(m3.media.size() == 1);
  const auto& st = event<DeliveryStatus>(r, 3);
  CHECK(st.dedupe_key == "wamid.ANL-OUT-0100:delivered");
  const auto& m4 = event<InboundMessage>(r, 4);
  CHECK(m4.account_id == "410000000000009");
  CHECK(m4.sender.display_name == "Ayşe Yılmaz");
  CHECK(m4.text == "Wann wird die Biotonne in der Lindenallee geleert?");
}

TEST_CASE("statuses: sent, delivered, read, played, failed without contacts") {
  const auto r = deliver("statuses");
  REQUIRE(r.events.size() == 5);
  const char* expected[] = {"sent", "delivered", "read", "played", "failed"};
  for (std::size_t i = 0; i < 5; ++i) {
    const auto& s = event<DeliveryStatus>(r, i);
    CHECK(s.status == expected[i]);
    CHECK(s.dedupe_key == s.message_id + ":" + s.status);
  }
  CHECK(event<DeliveryStatus>(r, 0).message_id == "wamid.ANL-OUT-0001");
  CHECK(unix_s(event<DeliveryStatus>(r, 0).at) == 1795600201);
  CHECK(event<DeliveryStatus>(r, 0).error_code.empty());
  const auto& failed = event<DeliveryStatus>(r, 4);
  CHECK(failed.message_id == "wamid.ANL-OUT-0003");
  CHECK(failed.error_code == "131047");
  CHECK(failed.error_text == "Re-engagement message");
}

TEST_CASE("calls: connect and terminate") {
  const auto c = deliver("call_connect");
  const auto& call = only<CallAttempt>(c);
  CHECK(call.dedupe_key == "wacid.ANL-TEST-CALL-1:connect");
  CHECK(call.call_id == "wacid.ANL-TEST-CALL-1");
  CHECK(call.event == "connect");
  CHECK(call.direction == "USER_INITIATED");
  CHECK(call.account_id == "410000000000002");
  check_erika(call.sender);
  CHECK(unix_s(call.at) == 1795600300);

  const auto t = deliver("call_terminate");
  const auto& term = only<CallAttempt>(t);
  CHECK(term.dedupe_key == "wacid.ANL-TEST-CALL-1:terminate");
  CHECK(term.event == "terminate");
  CHECK(term.sender.key == "4915112345678");  // no contacts, no BSUID: falls back to the phone
}

TEST_CASE("value.errors become platform errors") {
  const auto r = deliver("errors");
  const auto& e = only<PlatformError>(r);
  CHECK(e.code == "130429");
  CHECK(e.title == "Rate limit hit");
  CHECK(e.details == "Cloud API message throughput has been reached.");
}

TEST_CASE("dashboard test deliveries are ignored, never messages") {
  const auto r = deliver("dashboard_test");
  const auto& ig = only<Ignored>(r);
  CHECK(ig.reason.find("dashboard") != std::string::npos);

  // The sample message inside a real-looking entry is recognised as well.
  std::string body = fixture("dashboard_test");
  body.replace(body.find("\"id\": \"0\""), 9, "\"id\": \"310000000000001\"");
  const auto again = deliver_body(body);
  CHECK(only<Ignored>(again).reason.find("dashboard") != std::string::npos);
}

TEST_CASE("username-only citizen: keyed on the BSUID, no phone") {
  const auto r = deliver("username_only");
  const auto& m = only<InboundMessage>(r);
  CHECK(m.sender.key == "DE.4000000000004");
  CHECK(m.sender.phone.empty());
  CHECK(m.sender.display_name == "Lena K.");
  CHECK(m.text == "Der Radweg am Kanal ist zugewachsen.");
}

TEST_CASE("raw UTF-8 text verifies and parses") {
  const auto r = deliver("non_ascii");
  const auto& m = only<InboundMessage>(r);
  CHECK(m.text == "Schlaglöcher in der Straße");
  CHECK(m.sender.display_name == "Jürgen Weiß");
}

TEST_CASE("signature failures are rejected with 401") {
  const std::string body = fixture("text");
  const std::string good = sign_meta(kSecret, body);
  const std::string wrong = sign_meta("another-secret", body);
  const std::string sha1 = "sha1=" + good.substr(7, 40);

  RawRequest missing{.method = "POST", .target = "/webhooks/whatsapp", .body = body, .headers = {}};
  auto rej = adapter().verify(missing);
  REQUIRE(rej);
  CHECK(rej->status == 401);

  for (const std::string& header : {wrong, sha1, std::string("sha256="), std::string("garbage")}) {
    CAPTURE(header);
    RawRequest req{.method = "POST", .target = "/webhooks/whatsapp", .body = body,
                   .headers = {{"x-hub-signature-256", header}}};
    rej = adapter().verify(req);
    REQUIRE(rej);
    CHECK(rej->status == 401);
  }
  // A body changed after signing fails.
  std::string tampered = body;
  tampered[tampered.find("12")] = '9';
  RawRequest req{.method = "POST", .target = "/webhooks/whatsapp", .body = tampered,
                 .headers = {{"X-Hub-Signature-256", good}}};
  CHECK(adapter().verify(req).has_value());
}

TEST_CASE("handshake through the adapter") {
  RawRequest ok{.method = "GET",
                .target = "/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=verify-me",
                .body = {}, .headers = {}};
  const auto reply = adapter().handshake(ok);
  CHECK(reply.status == 200);
  CHECK(reply.body == "1158201444");
  RawRequest bad{.method = "GET",
                 .target = "/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=nope",
                 .body = {}, .headers = {}};
  CHECK(adapter().handshake(bad).status == 403);
}

TEST_CASE("malformed bodies become parse errors, not exceptions") {
  for (const char* body : {"", "not json", "{\"object\":", "[]", "42", "{}", "{\"object\":\"page\",\"entry\":[]}",
                           "{\"object\":\"whatsapp_business_account\"}",
                           "{\"object\":\"whatsapp_business_account\",\"entry\":{}}",
                           "{\"object\":\"whatsapp_business_account\",\"entry\":\"x\"}"}) {
    CAPTURE(body);
    const auto r = deliver_body(body);
    CHECK_FALSE(r.parse_error.empty());
    CHECK(r.events.empty());
  }
  const auto empty = deliver_body(R"({"object":"whatsapp_business_account","entry":[]})");
  CHECK(empty.parse_error.empty());
  CHECK(empty.events.empty());
}

TEST_CASE("fields of unexpected types never crash") {
  const char* bodies[] = {
      R"({"object":"whatsapp_business_account","entry":[1,null,"x",[],{"id":5,"changes":7}]})",
      R"({"object":"whatsapp_business_account","entry":[{"changes":[1,{"field":3},{"field":"messages","value":[]}]}]})",
      R"({"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{
          "metadata":7,"contacts":{"a":1},"messages":[1,{"id":2,"from":3,"type":4},
          {"id":"wamid.x","from":"49","type":"text","text":"plain","timestamp":true,"context":[]},
          {"id":"wamid.y","from":"49","type":"image","image":[1],"errors":"x"},
          {"id":"wamid.z","from":"49","type":"location","location":{"latitude":"51.5","longitude":{}}},
          {"id":"wamid.r","from":"49","type":"reaction","reaction":{"message_id":"wamid.o","emoji":7}},
          {"id":"wamid.e","from":"49","type":"edit","edit":{"original_message_id":"wamid.o","message":5}},
          {"id":"wamid.c","from":"49","type":"contacts","contacts":[1,{"name":7,"phones":{}}]},
          {"id":"wamid.i","from":"49","type":"interactive","interactive":{"type":{},"button_reply":1}},
          {"id":"wamid.s","type":"system","system":"x"}],
          "statuses":{"id":1},"calls":[{"id":"wacid.1"},{"event":"connect"},null],"errors":[1,{"code":"x"}]}}]}]})",
      R"({"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{
          "statuses":[1,{"id":"wamid.s","status":"failed","timestamp":"-5","errors":[1]},{"id":"wamid.t"}]}}]}]})",
      R"({"object":"whatsapp_business_account","entry":[{"changes":[{"field":"account_update","value":{}}]}]})",
  };
  for (const char* body : bodies) {
    CAPTURE(body);
    const auto r = deliver_body(body);
    CHECK(r.parse_error.empty());
    CHECK_FALSE(r.events.empty());
  }
}

TEST_CASE("sender join: BSUID from the contact when the message only has `from`; no sender → ignored") {
  const auto r = deliver_body(R"({"object":"whatsapp_business_account","entry":[{"id":"310000000000001","changes":[{
      "field":"messages","value":{"messaging_product":"whatsapp",
      "metadata":{"display_phone_number":"4923100000000","phone_number_id":"410000000000002"},
      "contacts":[{"profile":{"name":"Fremd"},"wa_id":"4910000000000","user_id":"DE.9"},
                  {"profile":{"name":"Erika Mustermann"},"wa_id":"4915112345678","user_id":"DE.1000000000001"}],
      "messages":[{"from":"4915112345678","id":"wamid.J1","timestamp":"1795600001","type":"text","text":{"body":"a"}},
                  {"id":"wamid.J2","timestamp":"1795600002","type":"text","text":{"body":"b"}}]}}]}]})");
  REQUIRE(r.events.size() == 2);
  check_erika(event<InboundMessage>(r, 0).sender);
  CHECK(event<Ignored>(r, 1).reason.find("without sender") != std::string::npos);
}

TEST_CASE("a missing timestamp is flagged, not guessed") {
  const auto r = deliver_body(R"({"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{
      "field":"messages","value":{"metadata":{"phone_number_id":"2"},
      "messages":[{"from":"4915112345678","id":"wamid.T1","type":"text","text":{"body":"a"}}]}}]}]})");
  const auto& m = only<InboundMessage>(r);
  CHECK(domain::to_unix_ms(m.sent_at) == 0);
  CHECK(has_flag(m, "timestamp_missing"));
}

// Facebook, Instagram and X end to end: handshakes, signatures, ingest and replies through a fake
// Graph API and a fake X API.
#include <fstream>
#include <sstream>
#include <thread>

#include "social_support.hpp"

using namespace anliegen::testing;
namespace json = boost::json;

namespace {

const std::string kFbUser = "7100000000000001";
const std::string kIgUser = "1810000000000001";
const std::string kXUser = "1600000000000000002";

json::value last_body(const SocialGateway& s, const std::string& prefix) {
  const auto seen = s.platform.requests(prefix);
  REQUIRE_FALSE(seen.empty());
  return json::parse(seen.back().body);
}

}  // namespace

TEST_CASE("without META_APP_SECRET and X_CONSUMER_SECRET the social webhooks do not exist") {
  RunningGateway gw;
  check_problem(gw.get("/webhooks/facebook?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1"), 404);
  check_problem(gw.get("/webhooks/instagram?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1"), 404);
  check_problem(gw.get("/webhooks/x?crc_token=abc"), 404);
  check_problem(gw.send_json("POST", "/webhooks/facebook", "{}"), 404);
  check_problem(gw.send_json("POST", "/webhooks/x", "{}"), 404);
}

TEST_CASE("handshakes: Meta's hub.challenge and X's CRC response token") {
  SocialGateway s;
  for (const std::string channel : {"facebook", "instagram"}) {
    auto ok = s.gw->get("/webhooks/" + channel + "?hub.mode=subscribe&hub.verify_token=" + kMetaVerifyToken +
                        "&hub.challenge=1158201444");
    CHECK(ok.status == 200);
    CHECK(ok.body == "1158201444");
    CHECK(s.gw->get("/webhooks/" + channel + "?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1").status ==
          403);
  }
  auto crc = s.gw->get("/webhooks/x?crc_token=challenge-123");
  CHECK(crc.status == 200);
  CHECK(crc.header("content-type").find("application/json") == 0);
  CHECK(json::parse(crc.body).at("response_token") ==
        anliegen::channels::x::x_signature(kXSecret, "challenge-123").c_str());
}

TEST_CASE("a bad signature is 401 and nothing is stored, on every channel") {
  SocialGateway s;
  const auto now = unix_now();
  check_problem(s.post_meta("facebook", meta_dm("page", kPageId, "m_BAD1", "Hallo", now, kFbUser), false), 401);
  check_problem(s.post_meta("instagram", meta_dm("instagram", kIgAccountId, "ig_BAD1", "Hallo", now, kIgUser), false),
                401);
  check_problem(s.post_x(x_dm("1900000000000000001", "Hallo", now), false), 401);
  CHECK(s.sql("SELECT count(*) FROM anliegen") == "0");
  CHECK(s.sql("SELECT count(*) FROM messages") == "0");
}

TEST_CASE("Messenger: a DM becomes a routed Anliegen once, echoes create nothing, the reply is a RESPONSE") {
  SocialGateway s;
  const auto body = meta_dm("page", kPageId, "m_ANL-1", "Der Gehweg in der Lindenstraße ist aufgerissen.", unix_now(),
                            kFbUser);
  CHECK(s.post_meta("facebook", body).status == 200);
  CHECK(s.post_meta("facebook", body).status == 200);  // Meta retries
  CHECK(s.sql("SELECT count(*) FROM anliegen") == "1");
  CHECK(s.sql("SELECT count(*) FROM messages WHERE direction = 'inbound'") == "1");
  CHECK(s.sql("SELECT channel || ':' || kind FROM anliegen") == "facebook:message");
  CHECK(s.sql("SELECT unit_code <> '' FROM anliegen") == "t");
  settle(s);

  // Our own message coming back as an echo creates nothing.
  std::ifstream echo_file(std::string(ANLIEGEN_SOURCE_DIR) + "/tests/fixtures/facebook/echo.json", std::ios::binary);
  std::stringstream echo;
  echo << echo_file.rdbuf();
  REQUIRE_FALSE(echo.str().empty());
  CHECK(s.post_meta("facebook", echo.str()).status == 200);
  CHECK(s.sql("SELECT count(*) FROM messages WHERE direction = 'inbound'") == "1");

  auto r = s.reply(R"({"text":"Danke, wir kümmern uns darum."})");
  REQUIRE_MESSAGE(r.status == 202, r.body);
  REQUIRE(s.platform.wait_for(1, "/v23.0/me/messages"));
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  CHECK(s.platform.count("/") == 1);
  const auto sent = s.platform.requests("/v23.0/me/messages").back();
  CHECK(sent.header("authorization") == "Bearer page-token");
  const auto b = json::parse(sent.body);
  CHECK(b.at("messaging_type") == "RESPONSE");
  CHECK(b.at("recipient").at("id") == kFbUser.c_str());
  CHECK(b.at("message").at("text") == "Danke, wir kümmern uns darum.");
  check_problem(s.reply(R"({"text":"x","private":"yes"})"), 422);
}

TEST_CASE("Messenger: after 24 hours with the HUMAN_AGENT tag, after 7 days refused with 409") {
  SocialGateway s;
  CHECK(s.post_meta("facebook", meta_dm("page", kPageId, "m_OLD-1", "Hallo", unix_now() - 30 * 3600, kFbUser))
            .status == 200);
  settle(s);
  auto r = s.reply(R"({"text":"Entschuldigung für die späte Antwort."})");
  REQUIRE_MESSAGE(r.status == 202, r.body);
  REQUIRE(s.platform.wait_for(1, "/v23.0/me/messages"));
  const auto b = last_body(s, "/v23.0/me/messages");
  CHECK(b.at("messaging_type") == "MESSAGE_TAG");
  CHECK(b.at("tag") == "HUMAN_AGENT");

  SocialGateway late;
  CHECK(late.post_meta("facebook", meta_dm("page", kPageId, "m_OLD-2", "Hallo", unix_now() - 8 * 86400, kFbUser))
            .status == 200);
  settle(late);
  const auto before = late.sql("SELECT count(*) FROM messages");
  check_problem(late.reply(R"({"text":"Zu spät."})"), 409);
  CHECK(late.sql("SELECT count(*) FROM messages") == before);

  // A reaction is an action of the citizen that opens the window again: a plain RESPONSE.
  json::object reaction{{"sender", json::object{{"id", kFbUser}}},
                        {"recipient", json::object{{"id", kPageId}}},
                        {"timestamp", unix_now() * 1000},
                        {"reaction", json::object{{"mid", "m_OLD-2"}, {"action", "react"}, {"reaction", "love"},
                                                  {"emoji", "\u2764"}}}};
  json::object doc{{"object", "page"},
                   {"entry", json::array{json::object{{"id", kPageId},
                                                      {"time", unix_now() * 1000},
                                                      {"messaging", json::array{reaction}}}}}};
  CHECK(late.post_meta("facebook", json::serialize(doc)).status == 200);
  settle(late);
  r = late.reply(R"({"text":"Danke für Ihre Rückmeldung."})");
  REQUIRE_MESSAGE(r.status == 202, r.body);
  REQUIRE(late.platform.wait_for(1, "/v23.0/me/messages"));
  CHECK(last_body(late, "/v23.0/me/messages").at("messaging_type") == "RESPONSE");
}

TEST_CASE("Facebook: a Page comment is a public comment answered under it, or privately on request") {
  SocialGateway s;
  CHECK(s.post_meta("facebook", fb_comment("900000000000001_1000000000000001", "Wann wird die Ampel repariert?",
                                           unix_now()))
            .status == 200);
  CHECK(s.sql("SELECT kind FROM anliegen") == "comment");
  CHECK(s.sql("SELECT 'public' = ANY(tags) FROM anliegen") == "t");
  CHECK(s.sql("SELECT bool_and('public' = ANY(flags)) FROM messages WHERE direction = 'inbound'") == "t");
  settle(s);
  auto r = s.reply(R"({"text":"Die Ampel wird nächste Woche repariert."})");
  REQUIRE_MESSAGE(r.status == 202, r.body);
  REQUIRE(s.platform.wait_for(1, "/v23.0/900000000000001_1000000000000001/comments"));
  CHECK(last_body(s, "/v23.0/900000000000001_1000000000000001/comments").at("message") ==
        "Die Ampel wird nächste Woche repariert.");
  s.platform.clear();
  r = s.reply(R"({"text":"Privat: Ihre Nummer ist A-1.","private":true})");
  REQUIRE_MESSAGE(r.status == 202, r.body);
  REQUIRE_MESSAGE(s.platform.wait_for(1, "/v23.0/me/messages"), outbox(s));
  CHECK(last_body(s, "/v23.0/me/messages").at("recipient").at("comment_id") == "900000000000001_1000000000000001");
}

TEST_CASE("Facebook: an edited comment updates the stored text, a removed one is withdrawn") {
  SocialGateway s;
  const std::string id = "111_222";
  const auto now = unix_now();
  CHECK(s.post_meta("facebook", fb_comment(id, "Bache en la avenida", now)).status == 200);
  CHECK(s.sql("SELECT external_id FROM messages WHERE direction = 'inbound'") == id);
  CHECK(s.post_meta("facebook", fb_comment(id, "Schlagloch in der Bismarckstraße 5", now + 60, kFbUser, "edited"))
            .status == 200);
  CHECK(s.sql("SELECT text || ' ' || array_to_string(flags, ',') FROM messages WHERE direction = 'inbound'") ==
        "Schlagloch in der Bismarckstraße 5 public,edited");
  CHECK(s.sql("SELECT count(*) FROM audit_events WHERE type = 'message_edited'") == "1");
  CHECK(s.post_meta("facebook", fb_comment(id, "", now + 120, kFbUser, "remove")).status == 200);
  CHECK(s.sql("SELECT text || ' ' || array_to_string(flags, ',') FROM messages WHERE direction = 'inbound'") ==
        " public,edited,withdrawn");
  CHECK(s.sql("SELECT count(*) FROM anliegen") == "1");
  settle(s);
  // The answer still goes under the comment itself.
  REQUIRE(s.reply(R"({"text":"Danke, wir kümmern uns."})").status == 202);
  REQUIRE_MESSAGE(s.platform.wait_for(1, "/v23.0/" + id + "/comments"), outbox(s));
}

TEST_CASE("Instagram: a DM is answered through the Send API, a comment under the comment") {
  SocialGateway s;
  const auto body = meta_dm("instagram", kIgAccountId, "ig_MID-1", "Der Brunnen ist voller Müll.", unix_now(), kIgUser);
  CHECK(s.post_meta("instagram", body).status == 200);
  CHECK(s.post_meta("instagram", body).status == 200);
  CHECK(s.sql("SELECT count(*) FROM anliegen") == "1");
  CHECK(s.sql("SELECT channel FROM anliegen") == "instagram");
  settle(s);
  auto r = s.reply(R"({"text":"Danke!"})");
  REQUIRE_MESSAGE(r.status == 202, r.body);
  REQUIRE(s.platform.wait_for(1, "/v23.0/me/messages"));
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  CHECK(s.platform.count("/") == 1);
  CHECK(last_body(s, "/v23.0/me/messages").at("messaging_type") == "RESPONSE");

  s.platform.clear();
  CHECK(s.post_meta("instagram", ig_comment("17860000000000001", "Wann öffnet das Freibad?", "1810000000000002"))
            .status == 200);
  CHECK(s.sql("SELECT kind FROM anliegen WHERE id = (SELECT max(id) FROM anliegen)") == "comment");
  CHECK(s.sql("SELECT 'public' = ANY(tags) FROM anliegen WHERE id = (SELECT max(id) FROM anliegen)") == "t");
  settle(s);
  r = s.reply(R"({"text":"Am 1. Juni."})");
  REQUIRE_MESSAGE(r.status == 202, r.body);
  REQUIRE(s.platform.wait_for(1, "/v23.0/17860000000000001/replies"));
  CHECK(last_body(s, "/v23.0/17860000000000001/replies").at("message") == "Am 1. Juni.");
}

TEST_CASE("Instagram: a message we cannot read opens no Anliegen and gets the fixed answer once") {
  SocialGateway s;
  auto doc = json::parse(meta_dm("instagram", kIgAccountId, "ig_UNSUPPORTED-1", "", unix_now(), kIgUser));
  auto& message = doc.at("entry").at(0).at("messaging").at(0).at("message").as_object();
  message.erase("text");
  message["is_unsupported"] = true;
  const std::string body = json::serialize(doc);
  CHECK(s.post_meta("instagram", body).status == 200);
  CHECK(s.post_meta("instagram", body).status == 200);  // a retried delivery answers nothing more
  REQUIRE(s.platform.wait_for(1, "/v23.0/me/messages"));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(s.platform.count("/v23.0/me/messages") == 1);
  const auto sent = last_body(s, "/v23.0/me/messages");
  CHECK(std::string(sent.at("recipient").at("id").as_string()) == kIgUser);
  CHECK(std::string(sent.at("message").at("text").as_string()).find("nicht lesen") != std::string::npos);
  CHECK(s.sql("SELECT count(*) FROM anliegen") == "0");
}

TEST_CASE("X: a DM becomes an Anliegen once, our own DM creates nothing, the reply goes to the DM endpoint") {
  SocialGateway s;
  const auto body = x_dm("1900000000000000042", "Das Wartehäuschen ist beschädigt.", unix_now());
  CHECK(s.post_x(body).status == 200);
  CHECK(s.post_x(body).status == 200);
  CHECK(s.sql("SELECT count(*) FROM anliegen") == "1");
  CHECK(s.sql("SELECT channel || ':' || kind FROM anliegen") == "x:message");
  settle(s);
  CHECK(s.post_x(x_dm("1900000000000000043", "Danke", unix_now(), kXCityId, kXUser)).status == 200);
  CHECK(s.sql("SELECT count(*) FROM messages WHERE direction = 'inbound'") == "1");

  auto r = s.reply(R"({"text":"Wir schicken jemanden vorbei."})");
  REQUIRE_MESSAGE(r.status == 202, r.body);
  const std::string dm_path = "/2/dm_conversations/with/" + kXUser + "/messages";
  REQUIRE(s.platform.wait_for(1, dm_path));
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  CHECK(s.platform.count("/") == 1);
  const auto sent = s.platform.requests(dm_path).back();
  CHECK(sent.header("authorization") == "Bearer x-user-token");
  CHECK(json::parse(sent.body).at("text") == "Wir schicken jemanden vorbei.");
  // A direct message on X takes up to 10 000 characters: longer than any other channel's replies.
  CHECK(s.reply(json::serialize(json::object{{"text", std::string(5000, 'a')}})).status == 202);
  const auto too_long = s.reply(json::serialize(json::object{{"text", std::string(10001, 'a')}}));
  check_problem(too_long, 422);
  CHECK(too_long.body.find("10000") != std::string::npos);
}

TEST_CASE("X: a DM's photo is downloaded from the DM media endpoint with the user-context token") {
  SocialGateway s;
  const auto jpeg = x_test_jpeg();
  s.platform.on("GET", "/2/dm_conversations/media/", [jpeg](const RecordedRequest&) {
    return FakeResponse{200, "image/jpeg", jpeg, {}};
  });
  CHECK(s.post_x(x_dm_with_photo("1900000000000000044", "1910000000000000001", "AbCd.jpg",
                                 "Hier ein Foto vom Wartehäuschen")).status == 200);
  REQUIRE(eventually([&] { return s.sql("SELECT state FROM attachments") == "stored"; }));
  CHECK(s.sql("SELECT length(content) FROM attachments") == std::to_string(jpeg.size()));
  const auto seen = s.platform.requests("/2/dm_conversations/media/");
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "GET");
  CHECK(seen[0].target == "/2/dm_conversations/media/1900000000000000044/1910000000000000001/AbCd.jpg");
  CHECK(seen[0].header("authorization") == "Bearer x-user-token");
}

TEST_CASE("X: a mention is a public comment answered with a reply post; the city's own post creates nothing") {
  SocialGateway s;
  CHECK(s.post_x(x_mention("1990000000000000123", "@musterstadt Die Laterne ist kaputt.", unix_now())).status == 200);
  CHECK(s.sql("SELECT kind FROM anliegen") == "comment");
  CHECK(s.sql("SELECT 'public' = ANY(tags) FROM anliegen") == "t");
  settle(s);
  CHECK(s.post_x(x_mention("1990000000000000124", "Unser eigener Beitrag", unix_now(), kXCityId)).status == 200);
  CHECK(s.sql("SELECT count(*) FROM anliegen") == "1");
  auto r = s.reply(R"({"text":"Danke, ist gemeldet."})");
  REQUIRE_MESSAGE(r.status == 202, r.body);
  REQUIRE(s.platform.wait_for(1, "/2/tweets"));
  const auto b = last_body(s, "/2/tweets");
  CHECK(b.at("reply").at("in_reply_to_tweet_id") == "1990000000000000123");
  CHECK(b.at("text") == "Danke, ist gemeldet.");
}

TEST_CASE("Instagram: a reply-comment's Anliegen is answered under the top-level comment it belongs to") {
  SocialGateway s;
  auto doc = json::parse(ig_comment("17860000000000222", "Und wann schließt es?", "1810000000000002")).as_object();
  doc["entry"].as_array()[0].as_object()["changes"].as_array()[0].as_object()["value"].as_object()["parent_id"] =
      "17860000000000111";
  CHECK(s.post_meta("instagram", json::serialize(doc)).status == 200);
  settle(s);
  REQUIRE(s.reply(R"({"text":"Um 20 Uhr."})").status == 202);
  REQUIRE(s.platform.wait_for(1, "/v23.0/17860000000000111/replies"));
  CHECK(last_body(s, "/v23.0/17860000000000111/replies").at("message") == "Um 20 Uhr.");
  CHECK(s.platform.count("/v23.0/17860000000000222/") == 0);
}

TEST_CASE("replies the platform would refuse are refused with 422 before anything is stored") {
  SocialGateway s;
  CHECK(s.post_meta("facebook", meta_dm("page", kPageId, "m_ANL-long", "Bitte um Rückruf.", unix_now(), kFbUser))
            .status == 200);
  settle(s);
  const auto messenger = s.reply(json::serialize(json::object{{"text", std::string(2001, 'a')}}));
  check_problem(messenger, 422);
  CHECK(messenger.body.find("2000") != std::string::npos);
  CHECK(s.reply(json::serialize(json::object{{"text", std::string(2000, 'a')}})).status == 202);

  CHECK(s.post_x(x_mention("1950000000000000077", "@musterstadt Laterne kaputt", unix_now())).status == 200);
  const auto private_on_x = s.reply(R"({"text":"Wir melden uns per DM.","private":true})");
  check_problem(private_on_x, 422);
  CHECK(private_on_x.body.find("\"private\"") != std::string::npos);
  const auto long_post = s.reply(json::serialize(json::object{{"text", std::string(281, 'a')}}));
  check_problem(long_post, 422);
  CHECK(long_post.body.find("280") != std::string::npos);
  CHECK(s.sql("SELECT count(*) FROM messages WHERE direction = 'outbound' AND channel = 'x'") == "0");
  CHECK(s.sql("SELECT count(*) FROM outbox WHERE channel = 'x'") == "0");
}

TEST_CASE("a missing companion variable of META_APP_SECRET or X_CONSUMER_SECRET is named and exits 2") {
  auto meta = run_anliegen({"serve"}, {{"ANLIEGEN_DATABASE_URL", "host=/x"}, {"META_APP_SECRET", "s"},
                                       {"META_VERIFY_TOKEN", "v"}});
  CHECK(meta.status == 2);
  CHECK(meta.err.find("FACEBOOK_PAGE_TOKEN") != std::string::npos);
  auto x = run_anliegen({"serve"}, {{"ANLIEGEN_DATABASE_URL", "host=/x"}, {"X_CONSUMER_SECRET", "s"}});
  CHECK(x.status == 2);
  CHECK(x.err.find("X_USER_TOKEN") != std::string::npos);
}

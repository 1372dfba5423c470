// X with OAuth 1.0a user context (X_CONSUMER_KEY, X_ACCESS_TOKEN, X_ACCESS_TOKEN_SECRET): the fake X API
// recomputes every signature from the request line as X does and answers 401 to a wrong one.
#include <thread>

#include "social_support.hpp"

using namespace anliegen::testing;
namespace json = boost::json;

namespace {

const std::string kXUser = "1600000000000000002";

bool signed_with_oauth1(const RecordedRequest& r) {
  const auto header = r.header("authorization");
  return header.rfind("OAuth ", 0) == 0 && header.find("Bearer") == std::string::npos;
}

}  // namespace

TEST_CASE("X with OAuth 1.0a: a DM's photo is downloaded, the DM reply and the public reply are sent, all signed") {
  SocialGateway s(XAuth::oauth1);
  const auto jpeg = x_test_jpeg();
  s.platform.on("GET", "/2/dm_conversations/media/",
                [jpeg, base = s.platform.base_url(), nonces = s.x_nonces](const RecordedRequest& r) {
                  if (!x_oauth1_valid(r, base, *nonces)) return x_unauthorized();
                  return FakeResponse{200, "image/jpeg", jpeg, {}};
                });
  CHECK(s.post_x(x_dm_with_photo("1900000000000000061", "1910000000000000061", "Ef.jpg",
                                 "Das Wartehäuschen ist beschädigt.")).status == 200);
  REQUIRE_MESSAGE(eventually([&] { return s.sql("SELECT state FROM attachments") == "stored"; }),
                  s.sql("SELECT state || ' ' || coalesce(error, '') FROM attachments"));
  const auto media = s.platform.requests("/2/dm_conversations/media/");
  REQUIRE(media.size() == 1);
  CHECK(media[0].answered_status == 200);
  CHECK(signed_with_oauth1(media[0]));
  s.platform.clear();

  auto r = s.reply(R"({"text":"Wir schicken jemanden vorbei."})");
  REQUIRE_MESSAGE(r.status == 202, r.body);
  const std::string dm_path = "/2/dm_conversations/with/" + kXUser + "/messages";
  REQUIRE(s.platform.wait_for(1, dm_path));
  REQUIRE_MESSAGE(eventually([&] { return s.sql("SELECT string_agg(state, ',') FROM outbox") == "done"; }), outbox(s));
  const auto dm = s.platform.requests(dm_path).back();
  CHECK(dm.answered_status == 201);
  CHECK(signed_with_oauth1(dm));
  CHECK(json::parse(dm.body).at("text") == "Wir schicken jemanden vorbei.");
  s.platform.clear();

  CHECK(s.post_x(x_mention("1990000000000000161", "@musterstadt Die Laterne ist kaputt.", unix_now())).status == 200);
  settle(s);
  r = s.reply(R"({"text":"Danke, ist gemeldet."})");
  REQUIRE_MESSAGE(r.status == 202, r.body);
  REQUIRE(s.platform.wait_for(1, "/2/tweets"));
  REQUIRE_MESSAGE(eventually([&] { return s.sql("SELECT string_agg(DISTINCT state, ',') FROM outbox") == "done"; }),
                  outbox(s));
  const auto post = s.platform.requests("/2/tweets").back();
  CHECK(post.answered_status == 201);
  CHECK(signed_with_oauth1(post));
  CHECK(json::parse(post.body).at("reply").at("in_reply_to_tweet_id") == "1990000000000000161");
  // Every request had its own nonce (the fake refuses a nonce seen before).
  CHECK(s.x_nonces->size() == 3);
}

TEST_CASE("X with OAuth 1.0a: with a wrong X_ACCESS_TOKEN_SECRET, X refuses the reply and it fails") {
  SocialGateway s(XAuth::oauth1, "not-the-token-secret");
  CHECK(s.post_x(x_dm("1900000000000000062", "Die Ampel ist ausgefallen.", unix_now())).status == 200);
  settle(s);
  auto r = s.reply(R"({"text":"Danke, wir kümmern uns."})");
  REQUIRE_MESSAGE(r.status == 202, r.body);
  REQUIRE_MESSAGE(eventually([&] { return s.sql("SELECT state FROM outbox") == "failed"; }), outbox(s));
  CHECK(s.sql("SELECT delivery_status FROM messages WHERE direction = 'outbound'") == "failed");
  const auto seen = s.platform.requests("/2/dm_conversations/with/");
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].answered_status == 401);
  CHECK(signed_with_oauth1(seen[0]));
}

TEST_CASE("X: an incomplete OAuth 1.0a set, or both ways of authorising, is named and exits 2") {
  const std::map<std::string, std::string> base{{"ANLIEGEN_DATABASE_URL", "host=/x"}, {"X_CONSUMER_SECRET", "s"}};
  auto with = [&](std::map<std::string, std::string> extra) {
    extra.insert(base.begin(), base.end());
    return run_anliegen({"serve"}, extra);
  };
  const auto partial = with({{"X_CONSUMER_KEY", "k"}, {"X_ACCESS_TOKEN", "t"}});
  CHECK(partial.status == 2);
  CHECK(partial.err.find("X_ACCESS_TOKEN_SECRET") != std::string::npos);
  const auto both = with({{"X_CONSUMER_KEY", "k"}, {"X_ACCESS_TOKEN", "t"}, {"X_ACCESS_TOKEN_SECRET", "ts"},
                          {"X_USER_TOKEN", "u"}});
  CHECK(both.status == 2);
  CHECK(both.err.find("X_USER_TOKEN") != std::string::npos);
  const auto no_secret = run_anliegen({"serve"}, {{"ANLIEGEN_DATABASE_URL", "host=/x"}, {"X_ACCESS_TOKEN", "t"}});
  CHECK(no_secret.status == 2);
  CHECK(no_secret.err.find("X_CONSUMER_SECRET") != std::string::npos);
}

#pragma once
// Building and sending Facebook, Instagram and X webhook deliveries in end-to-end tests, signed at test
// time, and a gateway with all three channels pointed at one fake platform (Graph API and X API).
#include <boost/json.hpp>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>

#include "channels/crypto.hpp"
#include "channels/x/adapter.hpp"
#include "channels/x/oauth1.hpp"
#include "fake_platform.hpp"
#include "whatsapp_support.hpp"

namespace anliegen::testing {

inline const std::string kMetaSecret = "meta-test-secret";
inline const std::string kMetaVerifyToken = "meta-verify-me";
inline const std::string kPageId = "510000000000001";
inline const std::string kIgAccountId = "17841400000000001";
inline const std::string kXSecret = "x-consumer-secret";
inline const std::string kXCityId = "1500000000000000001";
// The city account's OAuth 1.0a credentials the fake X API knows (with kXSecret as consumer secret).
inline const std::string kXConsumerKey = "x-consumer-key";
inline const std::string kXAccessToken = kXCityId + "-cityAccessToken";
inline const std::string kXAccessTokenSecret = "x-access-token-secret";

// What X checks of an OAuth 1.0a request: the city's consumer key and token, HMAC-SHA1, a timestamp
// within 5 minutes, a nonce not seen before (`seen_nonces`), and the signature recomputed from the
// request line as it arrived (`base_url` + target) with the known secrets.
inline bool x_oauth1_valid(const RecordedRequest& r, const std::string& base_url, std::set<std::string>& seen_nonces) {
  const auto p = channels::x::parse_oauth1_authorization(r.header("authorization"));
  if (!p) return false;
  auto field = [&](const char* name) { return p->count(name) ? p->at(name) : std::string(); };
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  long long timestamp = 0;
  try {
    timestamp = std::stoll(field("oauth_timestamp"));
  } catch (const std::exception&) {
    return false;
  }
  if (field("oauth_consumer_key") != kXConsumerKey || field("oauth_token") != kXAccessToken ||
      field("oauth_signature_method") != "HMAC-SHA1" || field("oauth_version") != "1.0" ||
      field("oauth_nonce").empty() || std::llabs(now - timestamp) > 300 ||
      !seen_nonces.insert(field("oauth_nonce")).second) {
    return false;
  }
  channels::x::OAuth1Params params;
  for (const auto& [name, value] : *p) {
    if (name != "oauth_signature") params.emplace_back(name, value);
  }
  const auto expected = channels::x::oauth1_signature(r.method, base_url + r.target, params, kXSecret,
                                                      kXAccessTokenSecret);
  return channels::constant_time_equal(expected, field("oauth_signature"));
}

// X's answer to a request without valid credentials.
inline FakeResponse x_unauthorized() {
  return {401, "application/json",
          R"({"title":"Unauthorized","type":"about:blank","status":401,"detail":"Unauthorized"})", {}};
}

// How the gateway acts as the city account on X.
enum class XAuth { bearer, oauth1 };

inline std::string meta_sig(const std::string& body) {
  return "sha256=" + channels::to_hex(channels::hmac_sha256(kMetaSecret, body));
}

// A Messenger (object "page") or Instagram (object "instagram") text message from `user`.
inline std::string meta_dm(const std::string& object, const std::string& account, const std::string& mid,
                           const std::string& text, long long ts_seconds, const std::string& user) {
  namespace json = boost::json;
  json::object event{{"sender", json::object{{"id", user}}},
                     {"recipient", json::object{{"id", account}}},
                     {"timestamp", ts_seconds * 1000},
                     {"message", json::object{{"mid", mid}, {"text", text}}}};
  json::object doc{{"object", object},
                   {"entry", json::array{json::object{{"id", account},
                                                      {"time", ts_seconds * 1000},
                                                      {"messaging", json::array{event}}}}}};
  return json::serialize(doc);
}

// A top-level comment on a Page post; `verb` add, edited or remove.
inline std::string fb_comment(const std::string& comment_id, const std::string& text, long long ts_seconds,
                              const std::string& user = "7100000000000001", const std::string& verb = "add") {
  namespace json = boost::json;
  const std::string post = kPageId + "_900000000000001";
  json::object value{{"from", json::object{{"id", user}, {"name", "Erika Mustermann"}}},
                     {"message", text},
                     {"post_id", post},
                     {"comment_id", comment_id},
                     {"created_time", ts_seconds},
                     {"item", "comment"},
                     {"parent_id", post},
                     {"verb", verb}};
  json::object doc{{"object", "page"},
                   {"entry", json::array{json::object{
                                 {"id", kPageId},
                                 {"time", ts_seconds},
                                 {"changes", json::array{json::object{{"field", "feed"}, {"value", value}}}}}}}};
  return json::serialize(doc);
}

// An Instagram comment on one of the account's posts.
inline std::string ig_comment(const std::string& id, const std::string& text, const std::string& user) {
  namespace json = boost::json;
  json::object value{{"from", json::object{{"id", user}, {"username", "erika.muster"}}},
                     {"media", json::object{{"id", "17900000000000010"}, {"media_product_type", "FEED"}}},
                     {"id", id},
                     {"text", text}};
  json::object doc{{"object", "instagram"},
                   {"entry", json::array{json::object{
                                 {"id", kIgAccountId},
                                 {"time", unix_now()},
                                 {"changes", json::array{json::object{{"field", "comments"}, {"value", value}}}}}}}};
  return json::serialize(doc);
}

// An Account Activity DM from `sender` to `recipient`.
inline std::string x_dm(const std::string& id, const std::string& text, long long ts_seconds,
                        const std::string& sender = "1600000000000000002",
                        const std::string& recipient = kXCityId) {
  namespace json = boost::json;
  json::object ev{{"type", "message_create"},
                  {"id", id},
                  {"created_timestamp", std::to_string(ts_seconds * 1000)},
                  {"message_create", json::object{{"target", json::object{{"recipient_id", recipient}}},
                                                  {"sender_id", sender},
                                                  {"message_data", json::object{{"text", text}}}}}};
  json::object users{{sender, json::object{{"id", sender}, {"name", "Erika Mustermann"}, {"screen_name", "erika"}}}};
  json::object doc{{"for_user_id", kXCityId}, {"direct_message_events", json::array{ev}}, {"users", users}};
  return json::serialize(doc);
}

// An Account Activity DM from a citizen with a photo `file` (the resource id ending media_url_https).
inline std::string x_dm_with_photo(const std::string& id, const std::string& media_id, const std::string& file,
                                   const std::string& text) {
  namespace json = boost::json;
  auto doc = json::parse(x_dm(id, text, unix_now())).as_object();
  auto& data = doc["direct_message_events"].as_array()[0].as_object()["message_create"].as_object()["message_data"];
  data.as_object()["attachment"] = json::object{
      {"type", "media"},
      {"media", json::object{{"id_str", media_id},
                             {"type", "photo"},
                             {"media_url_https",
                              "https://ton.twitter.com/1.1/ton/data/dm/" + id + "/" + media_id + "/" + file}}}};
  return json::serialize(doc);
}

// A small JPEG body for fake media downloads.
inline std::string x_test_jpeg() {
  return std::string("\xFF\xD8\xFF\xE0\x00\x10JFIF\x00", 11) + std::string(200, 'x');
}

// An Account Activity mention of the city account by `author`.
inline std::string x_mention(const std::string& id, const std::string& text, long long ts_seconds,
                             const std::string& author = "1600000000000000002") {
  namespace json = boost::json;
  json::object tweet{{"id_str", id},
                     {"text", text},
                     {"truncated", false},
                     {"user", json::object{{"id_str", author}, {"name", "Erika Mustermann"}, {"screen_name", "erika"}}},
                     {"timestamp_ms", std::to_string(ts_seconds * 1000)}};
  json::object doc{{"for_user_id", kXCityId}, {"tweet_create_events", json::array{tweet}}};
  return json::serialize(doc);
}

// A gateway with Facebook, Instagram and X pointed at one fake platform that accepts every send. With
// XAuth::oauth1 the gateway signs X requests with `x_token_secret` as X_ACCESS_TOKEN_SECRET, and the fake
// X API answers 401 to every request that x_oauth1_valid() refuses.
struct SocialGateway {
  FakePlatform platform;
  std::unique_ptr<RunningGateway> gw;
  std::string office;
  std::shared_ptr<std::set<std::string>> x_nonces = std::make_shared<std::set<std::string>>();

  explicit SocialGateway(XAuth x_auth = XAuth::bearer, const std::string& x_token_secret = kXAccessTokenSecret) {
    // Every send gets its own platform id (they are unique per channel in storage).
    platform.on("POST", "/", [n = std::make_shared<std::atomic<int>>(0), x_auth, base = platform.base_url(),
                              nonces = x_nonces](const RecordedRequest& r) {
      const std::string id = std::to_string(1990000000000010000LL + ++*n);
      if (r.path.rfind("/2/", 0) == 0) {
        if (x_auth == XAuth::oauth1 && !x_oauth1_valid(r, base, *nonces)) return x_unauthorized();
        return FakeResponse{201, "application/json",
                            R"({"data":{"id":")" + id + R"(","dm_event_id":")" + id + R"(","dm_conversation_id":"c1"}})"};
      }
      return FakeResponse{200, "application/json",
                          R"({"recipient_id":"7100000000000001","message_id":"m_out_)" + id + R"(","id":"900_)" + id +
                              R"("})"};
    });
    std::map<std::string, std::string> env{{"META_APP_SECRET", kMetaSecret},
                                           {"META_VERIFY_TOKEN", kMetaVerifyToken},
                                           {"FACEBOOK_PAGE_TOKEN", "page-token"},
                                           {"META_GRAPH_URL", platform.base_url() + "/v23.0"},
                                           {"X_CONSUMER_SECRET", kXSecret},
                                           {"X_API_URL", platform.base_url()},
                                           {"ANLIEGEN_OUTBOX_RETRY_BASE_MS", "100"}};
    if (x_auth == XAuth::oauth1) {
      env.insert({{"X_CONSUMER_KEY", kXConsumerKey},
                  {"X_ACCESS_TOKEN", kXAccessToken},
                  {"X_ACCESS_TOKEN_SECRET", x_token_secret}});
    } else {
      env["X_USER_TOKEN"] = "x-user-token";
    }
    gw = std::make_unique<RunningGateway>(env);
    office = create_token(gw->db.dsn(), "office");
  }
  std::uint16_t port() const { return gw->port(); }
  std::string sql(const std::string& q) const { return gw->db.scalar(q); }

  HttpResponse post_meta(const std::string& channel, const std::string& body, bool sign = true) const {
    std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
    headers["X-Hub-Signature-256"] = sign ? meta_sig(body) : "sha256=" + std::string(64, '0');
    return http_request(port(), "POST", "/webhooks/" + channel, body, headers);
  }
  HttpResponse post_x(const std::string& body, bool sign = true) const {
    std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
    headers["x-twitter-webhooks-signature"] = sign ? channels::x::x_signature(kXSecret, body) : "sha256=AAAA";
    return http_request(port(), "POST", "/webhooks/x", body, headers);
  }
  HttpResponse reply(const std::string& body) const {
    return gw->send_json("POST", "/api/v1/cases/" + sql("SELECT max(id) FROM anliegen") + "/replies", body, office);
  }
};

// What the outbox holds, for failure messages.
inline std::string outbox(const SocialGateway& s) {
  return s.sql("SELECT coalesce(string_agg(channel || ' ' || state || ' ' || last_error || ' ' || payload::text, "
               "E'\\n' ORDER BY id), '') FROM outbox");
}

// Social channels send no automatic answer when no Sprechstunde is announced for them, and never under
// a public comment: nothing may have gone out.
inline void settle(SocialGateway& s) {
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  CHECK_MESSAGE(s.platform.count("/") == 0, outbox(s));
  s.platform.clear();
}

}  // namespace anliegen::testing

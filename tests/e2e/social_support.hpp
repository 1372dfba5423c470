#pragma once
// Building and sending Facebook, Instagram and X webhook deliveries in end-to-end tests, signed at test
// time, and a gateway with all three channels pointed at one fake platform (Graph API and X API).
#include <boost/json.hpp>

#include <atomic>
#include <memory>
#include <string>

#include "channels/x/adapter.hpp"
#include "fake_platform.hpp"
#include "whatsapp_support.hpp"

namespace anliegen::testing {

inline const std::string kMetaSecret = "meta-test-secret";
inline const std::string kMetaVerifyToken = "meta-verify-me";
inline const std::string kPageId = "510000000000001";
inline const std::string kIgAccountId = "17841400000000001";
inline const std::string kXSecret = "x-consumer-secret";
inline const std::string kXCityId = "1500000000000000001";

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

// A gateway with Facebook, Instagram and X pointed at one fake platform that accepts every send.
struct SocialGateway {
  FakePlatform platform;
  std::unique_ptr<RunningGateway> gw;
  std::string office;

  SocialGateway() {
    // Every send gets its own platform id (they are unique per channel in storage).
    platform.on("POST", "/", [n = std::make_shared<std::atomic<int>>(0)](const RecordedRequest& r) {
      const std::string id = std::to_string(1990000000000010000LL + ++*n);
      if (r.path.rfind("/2/", 0) == 0) {
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
                                           {"X_USER_TOKEN", "x-user-token"},
                                           {"X_API_URL", platform.base_url()},
                                           {"ANLIEGEN_OUTBOX_RETRY_BASE_MS", "100"}};
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

}  // namespace anliegen::testing

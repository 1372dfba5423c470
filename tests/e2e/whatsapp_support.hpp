#pragma once
// Building and sending WhatsApp webhook deliveries in end-to-end tests, signed like Meta signs them.
#include <boost/json.hpp>

#include <chrono>
#include <string>
#include <thread>

#include "e2e.hpp"
#include "fake_graph.hpp"
#include "channels/crypto.hpp"
#include "domain/time.hpp"

namespace anliegen::testing {

inline const std::string kWaSecret = "gateway-test-secret";
inline const std::string kWaVerifyToken = "verify-me";
inline const std::string kWaPhoneNumberId = "400000000000002";

inline long long unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

inline std::string meta_signature(const std::string& body) {
  return "sha256=" + channels::to_hex(channels::hmac_sha256(kWaSecret, body));
}

// One citizen's message object inside value.messages[].
inline boost::json::object wa_text(const std::string& id, const std::string& text, long long ts,
                                   const std::string& user = "DE.1001", const std::string& phone = "4915112345678") {
  return {{"from", phone}, {"from_user_id", user}, {"id", id}, {"timestamp", std::to_string(ts)},
          {"type", "text"}, {"text", boost::json::object{{"body", text}}}};
}

// A delivery with one change carrying `messages` from one citizen.
inline std::string wa_delivery(const boost::json::array& messages, const std::string& user = "DE.1001",
                               const std::string& phone = "4915112345678", const std::string& name = "Erika") {
  boost::json::object value{{"messaging_product", "whatsapp"},
                            {"metadata", boost::json::object{{"display_phone_number", "496211234"},
                                                             {"phone_number_id", kWaPhoneNumberId}}},
                            {"contacts", boost::json::array{boost::json::object{
                                             {"profile", boost::json::object{{"name", name}}},
                                             {"wa_id", phone},
                                             {"user_id", user}}}},
                            {"messages", messages}};
  boost::json::object doc{{"object", "whatsapp_business_account"},
                          {"entry", boost::json::array{boost::json::object{
                                        {"id", "300000000000001"},
                                        {"changes", boost::json::array{boost::json::object{
                                                        {"field", "messages"}, {"value", value}}}}}}}};
  return boost::json::serialize(doc);
}

inline std::string wa_statuses(const boost::json::array& statuses) {
  boost::json::object value{{"messaging_product", "whatsapp"},
                            {"metadata", boost::json::object{{"display_phone_number", "496211234"},
                                                             {"phone_number_id", kWaPhoneNumberId}}},
                            {"statuses", statuses}};
  boost::json::object doc{{"object", "whatsapp_business_account"},
                          {"entry", boost::json::array{boost::json::object{
                                        {"id", "300000000000001"},
                                        {"changes", boost::json::array{boost::json::object{
                                                        {"field", "messages"}, {"value", value}}}}}}}};
  return boost::json::serialize(doc);
}

inline HttpResponse post_webhook(std::uint16_t port, const std::string& body, bool sign = true) {
  std::map<std::string, std::string> headers{{"Content-Type", "application/json"}};
  if (sign) headers["X-Hub-Signature-256"] = meta_signature(body);
  return http_request(port, "POST", "/webhooks/whatsapp", body, headers);
}

// A gateway with the WhatsApp channel pointed at a fake Graph API.
struct WhatsAppGateway {
  FakePlatform platform;
  std::shared_ptr<FakeGraph> graph;
  std::unique_ptr<RunningGateway> gw;
  std::string office;

  explicit WhatsAppGateway(std::map<std::string, std::string> extra = {}) {
    graph = make_fake_graph(platform, {});
    std::map<std::string, std::string> env{{"WHATSAPP_APP_SECRET", kWaSecret},
                                           {"WHATSAPP_VERIFY_TOKEN", kWaVerifyToken},
                                           {"WHATSAPP_ACCESS_TOKEN", graph->access_token()},
                                           {"WHATSAPP_GRAPH_URL", graph->graph_url()},
                                           {"ANLIEGEN_OUTBOX_RETRY_BASE_MS", "100"},
                                           {"ANLIEGEN_FETCH_ALLOW_PRIVATE", "1"},
                                           {"ANLIEGEN_MEDIA_RETRY_BASE_MS", "100"}};
    for (auto& [k, v] : extra) env[k] = v;
    gw = std::make_unique<RunningGateway>(env);
    office = create_token(gw->db.dsn(), "office");
  }
  std::uint16_t port() const { return gw->port(); }
  std::string sql(const std::string& q) const { return gw->db.scalar(q); }
  HttpResponse send(const std::string& body) const { return post_webhook(port(), body); }
};

// The environment for running `anliegen` commands against the gateway's database.
inline std::map<std::string, std::string> db_env(const WhatsAppGateway& wa) {
  return {{"ANLIEGEN_DATABASE_URL", wa.gw->db.dsn()}};
}

// Polls `probe` until it returns true (or ~20 s pass).
template <class F>
bool eventually(F probe) {
  for (int i = 0; i < 400; ++i) {
    if (probe()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

}  // namespace anliegen::testing

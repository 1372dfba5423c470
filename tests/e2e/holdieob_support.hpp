#pragma once
// holdieob in end-to-end tests: deliveries signed at test time, and a gateway whose decision callback
// points at a fake holdieob on 127.0.0.1 (FakePlatform, path /holdieob/decisions).
#include <boost/json.hpp>

#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "channels/holdieob/events.hpp"
#include "e2e.hpp"
#include "fake_platform.hpp"
#include "whatsapp_support.hpp"

namespace anliegen::testing {

inline const std::string kHoldieobSecret = "holdieob-test-secret";
inline const std::string kHoldieobPrevious = "holdieob-old-secret";
inline const std::string kCallbackPath = "/holdieob/decisions";

inline std::string holdieob_fixture(const std::string& name) {
  std::ifstream in(std::string(ANLIEGEN_SOURCE_DIR) + "/tests/fixtures/holdieob/" + name, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  auto text = s.str();
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

inline std::string created_event(const std::string& id, const std::string& created_at, const std::string& title) {
  return boost::json::serialize(boost::json::object{
      {"type", "invitation.created"},
      {"id", id},
      {"created_at", created_at},
      {"title", title},
      {"description", "Beschreibung"},
      {"location", boost::json::object{{"lat", 49.48}, {"lon", 8.44}, {"address", "Rathausplatz 20"}}},
      {"proposer", boost::json::object{{"name", "Max Muster"}, {"email", "max@example.org"}}},
      {"proposed_dates", boost::json::array{"2026-12-10"}}});
}

inline std::string supported_event(const std::string& id, int supporters, const std::string& at) {
  return boost::json::serialize(
      boost::json::object{{"type", "invitation.supported"}, {"id", id}, {"supporters", supporters}, {"at", at}});
}

inline std::string withdrawn_event(const std::string& id, const std::string& at) {
  return boost::json::serialize(boost::json::object{{"type", "invitation.withdrawn"}, {"id", id}, {"at", at}});
}

struct HoldieobGateway {
  FakePlatform platform;
  std::unique_ptr<RunningGateway> gw;
  std::string office;
  std::string admin;
  std::string clerk;

  explicit HoldieobGateway(std::map<std::string, std::string> extra = {}) {
    platform.on("POST", kCallbackPath, [](const RecordedRequest&) { return FakeResponse{200, "application/json", "{}"}; });
    std::map<std::string, std::string> env{{"HOLDIEOB_SECRET", kHoldieobSecret},
                                           {"HOLDIEOB_SECRET_PREVIOUS", kHoldieobPrevious},
                                           {"HOLDIEOB_CALLBACK_URL", platform.base_url() + kCallbackPath},
                                           {"HOLDIEOB_SUPPORT_THRESHOLD", "50"},
                                           {"HOLDIEOB_CALENDAR_HOST", "anliegen.test"},
                                           {"ANLIEGEN_OUTBOX_RETRY_BASE_MS", "100"}};
    for (auto& [k, v] : extra) env[k] = v;
    gw = std::make_unique<RunningGateway>(env);
    office = create_token(gw->db.dsn(), "office");
    admin = create_token(gw->db.dsn(), "admin");
    clerk = create_token(gw->db.dsn(), "clerk", "ob");
  }
  std::string sql(const std::string& q) const { return gw->db.scalar(q); }

  HttpResponse send(const std::string& body, const std::string& signature) const {
    std::map<std::string, std::string> h{{"Content-Type", "application/json"}};
    if (!signature.empty()) h["X-Holdieob-Signature"] = signature;
    return http_request(gw->port(), "POST", "/webhooks/holdieob", body, h);
  }
  HttpResponse send(const std::string& body) const {
    return send(body, channels::holdieob::sign(kHoldieobSecret, body));
  }
  // The Anliegen id of holdieob's invitation `external_id` ("" when none).
  std::string case_of(const std::string& external_id) const {
    return sql("SELECT anliegen_id FROM invitations WHERE external_id = '" + external_id + "'");
  }
  boost::json::object get_case(const std::string& id) const {
    return boost::json::parse(gw->get("/api/v1/cases/" + id, office).body).as_object();
  }
};

}  // namespace anliegen::testing

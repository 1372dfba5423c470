// Outbox senders: what a row that can never be sent turns into (no network is reached); how X requests
// are authorised.
#include <doctest/doctest.h>

#include "channels/whatsapp/adapter.hpp"
#include "gateway/workers/platform_auth.hpp"
#include "gateway/workers/whatsapp_sender.hpp"

namespace {

using namespace anliegen;
using Kind = channels::SendOutcome::Kind;

std::shared_ptr<gateway::OutboxSender> whatsapp_sender() {
  gateway::WhatsAppSettings settings;
  settings.graph_url = "http://127.0.0.1:9";  // never reached by these rows
  settings.send_timeout_ms = 200;
  std::shared_ptr<const channels::Adapter> adapter =
      channels::whatsapp::make_whatsapp_adapter({{"secret"}, "verify", "token", settings.graph_url});
  return gateway::make_whatsapp_sender(settings, adapter);
}

storage::OutboxItem row(std::string kind, std::string payload) {
  storage::OutboxItem item;
  item.id = 1;
  item.channel = "whatsapp";
  item.kind = std::move(kind);
  item.payload_json = std::move(payload);
  item.attempts = 1;
  return item;
}

}  // namespace

TEST_CASE("WhatsApp sender: a payload that cannot be rendered fails for good instead of being retried") {
  const auto sender = whatsapp_sender();
  // An erasure empties the payload of a queued row; it cannot become sendable later.
  const auto emptied = sender->send(row("reply", "{}"));
  CHECK(emptied.kind == Kind::permanent_failure);
  CHECK(emptied.error_code == "render");
  const auto not_json = sender->send(row("template", "not json"));
  CHECK(not_json.kind == Kind::permanent_failure);
  CHECK(not_json.error_code == "render");
}

TEST_CASE("WhatsApp sender: an unknown row kind fails for good") {
  const auto outcome = whatsapp_sender()->send(row("carrier_pigeon", R"({"text":"x"})"));
  CHECK(outcome.kind == Kind::permanent_failure);
  CHECK(outcome.error_text.find("carrier_pigeon") != std::string::npos);
}

TEST_CASE("X authorizer: OAuth 1.0a signs each request with a fresh nonce; otherwise the bearer X_USER_TOKEN") {
  gateway::XChannelSettings x;
  x.consumer_secret = "consumer secret";
  CHECK_FALSE(gateway::x_authorizer(x));
  x.user_token = "user-token";
  CHECK(gateway::x_authorizer(x)("POST", "https://api.x.com/2/tweets") == "Bearer user-token");
  x.user_token.clear();
  x.consumer_key = "key";
  x.access_token = "token";
  x.access_token_secret = "token secret";
  const auto authorize = gateway::x_authorizer(x);
  const std::string url = "https://api.x.com/2/dm_conversations/media/1/2/a.jpg";
  const auto header = authorize("GET", url);
  CHECK(header != authorize("GET", url));
  const auto params = channels::x::parse_oauth1_authorization(header);
  REQUIRE(params);
  CHECK(params->at("oauth_consumer_key") == "key");
  CHECK(params->at("oauth_token") == "token");
  CHECK(params->at("oauth_nonce").size() >= 32);
  channels::x::OAuth1Params signed_params;
  for (const auto& [name, value] : *params) {
    if (name != "oauth_signature") signed_params.emplace_back(name, value);
  }
  CHECK(params->at("oauth_signature") ==
        channels::x::oauth1_signature("GET", url, signed_params, "consumer secret", "token secret"));
}

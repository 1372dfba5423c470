#pragma once
// The WhatsApp Business Cloud API channel: verifies (X-Hub-Signature-256) and parses webhook POSTs
// into channel events, answers the hub.challenge handshake, and renders outbound Graph API requests.
// Pure: no I/O. The gateway adds the base URL (graph_url) and `Authorization: Bearer <access_token>`.
//
//   auto wa = make_whatsapp_adapter({.app_secrets = {current, previous}, .verify_token = token, ...});
//   if (auto rejected = wa->verify(request)) return reply(rejected->status, rejected->message);
//   ParseResult parsed = wa->parse(request);
//
// Free functions for the requests that are not a plain reply live in channels/whatsapp/outbound.hpp.
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "channels/adapter.hpp"

namespace anliegen::channels::whatsapp {

struct WhatsAppSettings {
  std::vector<std::string> app_secrets;  // current first, then previous ones during a rotation
  std::string verify_token;              // the dashboard's "Verify token" for the GET handshake
  std::string access_token;              // permanent system-user token (used by the gateway)
  std::string graph_url;                 // e.g. https://graph.facebook.com/v23.0 (used by the gateway)
};

std::unique_ptr<Adapter> make_whatsapp_adapter(WhatsAppSettings settings);

// What Adapter::parse does, for a body whose signature was already checked. Never throws.
ParseResult parse_whatsapp(std::string_view body);

}  // namespace anliegen::channels::whatsapp

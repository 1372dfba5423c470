#include "gateway/workers/platform_auth.hpp"

#include <chrono>

#include "channels/crypto.hpp"

namespace anliegen::gateway {

Authorizer bearer_authorizer(std::string token) {
  return [header = "Bearer " + std::move(token)](std::string_view, const std::string&) { return header; };
}

Authorizer oauth1_authorizer(channels::x::OAuth1Credentials credentials) {
  return [credentials = std::move(credentials)](std::string_view method, const std::string& url) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::system_clock::now().time_since_epoch());
    return channels::x::oauth1_authorization(method, url, {}, credentials, channels::random_token(24), now.count());
  };
}

Authorizer x_authorizer(const XChannelSettings& settings) {
  if (!settings.access_token.empty()) {
    return oauth1_authorizer({settings.consumer_key, settings.consumer_secret, settings.access_token,
                              settings.access_token_secret});
  }
  if (!settings.user_token.empty()) return bearer_authorizer(settings.user_token);
  return {};
}

}  // namespace anliegen::gateway

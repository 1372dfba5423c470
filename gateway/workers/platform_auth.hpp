#pragma once
// How outgoing platform requests are authorised: an Authorizer gives the `Authorization` header value
// for a request's method and full URL (with query). A fixed bearer token (Meta, WhatsApp, X_USER_TOKEN)
// ignores both; OAuth 1.0a (X_CONSUMER_KEY, X_CONSUMER_SECRET, X_ACCESS_TOKEN, X_ACCESS_TOKEN_SECRET)
// signs each request with a fresh nonce and the current time.
//
//   const Authorizer auth = x_authorizer(settings.x);
//   request.headers.emplace_back("Authorization", auth("POST", url));
#include <functional>
#include <string>
#include <string_view>

#include "channels/x/oauth1.hpp"
#include "gateway/settings.hpp"

namespace anliegen::gateway {

using Authorizer = std::function<std::string(std::string_view method, const std::string& url)>;

// "Bearer <token>" for every request.
Authorizer bearer_authorizer(std::string token);
// `OAuth oauth_consumer_key=..., oauth_signature=...` signed for each request (RFC 5849, HMAC-SHA1).
Authorizer oauth1_authorizer(channels::x::OAuth1Credentials credentials);
// The X channel's: OAuth 1.0a when X_ACCESS_TOKEN is configured, else the bearer X_USER_TOKEN; an empty
// function when neither is (the channel is off).
Authorizer x_authorizer(const XChannelSettings& settings);

}  // namespace anliegen::gateway

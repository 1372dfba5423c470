#pragma once
// OAuth 1.0a request signing (RFC 5849, HMAC-SHA1) for the X API in user context: the city account's
// access token and secret never expire, unlike OAuth 2.0 user tokens (2 hours). Pure: the nonce and
// the timestamp are passed in, so a signature can be recomputed (tests, the fake X API).
//
//   const OAuth1Credentials creds{consumer_key, consumer_secret, access_token, access_token_secret};
//   headers["Authorization"] = oauth1_authorization("POST", "https://api.x.com/2/tweets", {}, creds,
//                                                   random_token(24), unix_seconds);
//
// The signature covers the method, the URL without query, the URL's query parameters, the oauth_*
// parameters and `extra_params` (form-encoded body parameters only; JSON bodies are never signed).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace anliegen::channels::x {

struct OAuth1Credentials {
  std::string consumer_key;     // X_CONSUMER_KEY (API key)
  std::string consumer_secret;  // X_CONSUMER_SECRET (API key secret)
  std::string token;            // X_ACCESS_TOKEN of the city account
  std::string token_secret;     // X_ACCESS_TOKEN_SECRET
};

using OAuth1Params = std::vector<std::pair<std::string, std::string>>;

// The signature base string: METHOD&enc(base URL)&enc(sorted enc(name)=enc(value) pairs joined by '&').
// `url` may carry a query; its parameters are decoded and included. `params` are raw (unencoded) and
// must include the oauth_* parameters (but not oauth_signature).
std::string oauth1_base_string(std::string_view method, std::string_view url, const OAuth1Params& params);

// base64(HMAC-SHA1(enc(consumer_secret)&enc(token_secret), base string)).
std::string oauth1_signature(std::string_view method, std::string_view url, const OAuth1Params& params,
                             std::string_view consumer_secret, std::string_view token_secret);

// The whole `Authorization` header value: `OAuth oauth_consumer_key="...", oauth_nonce="...",
// oauth_signature="...", oauth_signature_method="HMAC-SHA1", oauth_timestamp="...", oauth_token="...",
// oauth_version="1.0"`.
std::string oauth1_authorization(std::string_view method, std::string_view url, const OAuth1Params& extra_params,
                                 const OAuth1Credentials& credentials, std::string_view nonce,
                                 std::int64_t timestamp);

// The parameters of an `OAuth ...` header value (decoded), or nothing when it is not one.
std::optional<std::map<std::string, std::string>> parse_oauth1_authorization(std::string_view header_value);

}  // namespace anliegen::channels::x

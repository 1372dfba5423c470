// OAuth 1.0a signing for the X API: X's worked example "Creating a signature" (developer.x.com,
// authentication / OAuth 1.0a), RFC 3986 encoding, and the header the gateway sends.
#include <doctest/doctest.h>

#include <string>

#include "channels/url_encoding.hpp"
#include "channels/x/oauth1.hpp"

using namespace anliegen::channels;
using namespace anliegen::channels::x;

namespace {

// The credentials and request of X's documentation example.
const OAuth1Credentials kDocs{"xvz1evFS4wEEPTGEFPHBog", "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
                              "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
                              "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE"};
const std::string kDocsUrl = "https://api.twitter.com/1.1/statuses/update.json?include_entities=true";
const std::string kNonce = "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg";
constexpr long long kTimestamp = 1318622958;
const OAuth1Params kStatus{{"status", "Hello Ladies + Gentlemen, a signed OAuth request!"}};

OAuth1Params docs_oauth_params() {
  return {{"oauth_consumer_key", kDocs.consumer_key}, {"oauth_nonce", kNonce},
          {"oauth_signature_method", "HMAC-SHA1"},   {"oauth_timestamp", std::to_string(kTimestamp)},
          {"oauth_token", kDocs.token},               {"oauth_version", "1.0"}};
}

}  // namespace

TEST_CASE("OAuth 1.0a: percent-encoding keeps only RFC 3986 unreserved characters") {
  CHECK(percent_encode("Ladies + Gentlemen") == "Ladies%20%2B%20Gentlemen");
  CHECK(percent_encode("An encoded string!") == "An%20encoded%20string%21");
  CHECK(percent_encode("Dogs, Cats & Mice") == "Dogs%2C%20Cats%20%26%20Mice");
  CHECK(percent_encode("☃") == "%E2%98%83");
  CHECK(percent_encode("aZ09-._~") == "aZ09-._~");
  CHECK(percent_encode("*'()/:=") == "%2A%27%28%29%2F%3A%3D");
}

TEST_CASE("OAuth 1.0a: the signature base string of X's documentation example") {
  auto params = docs_oauth_params();
  params.insert(params.end(), kStatus.begin(), kStatus.end());
  CHECK(oauth1_base_string("post", kDocsUrl, params) ==
        "POST&https%3A%2F%2Fapi.twitter.com%2F1.1%2Fstatuses%2Fupdate.json&"
        "include_entities%3Dtrue%26oauth_consumer_key%3Dxvz1evFS4wEEPTGEFPHBog%26oauth_nonce%3D"
        "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D"
        "1318622958%26oauth_token%3D370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb%26oauth_version%3D1.0%26"
        "status%3DHello%2520Ladies%2520%252B%2520Gentlemen%252C%2520a%2520signed%2520OAuth%2520request%2521");
  CHECK(oauth1_signature("POST", kDocsUrl, params, kDocs.consumer_secret, kDocs.token_secret) ==
        "hCtSmYh+iHYCEqBWrE7C7hYmtUk=");
}

TEST_CASE("OAuth 1.0a: the Authorization header of X's documentation example") {
  const auto header = oauth1_authorization("POST", kDocsUrl, kStatus, kDocs, kNonce, kTimestamp);
  CHECK(header ==
        "OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", "
        "oauth_nonce=\"kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg\", "
        "oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\", oauth_signature_method=\"HMAC-SHA1\", "
        "oauth_timestamp=\"1318622958\", oauth_token=\"370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb\", "
        "oauth_version=\"1.0\"");
  const auto parsed = parse_oauth1_authorization(header);
  REQUIRE(parsed);
  CHECK(parsed->at("oauth_signature") == "hCtSmYh+iHYCEqBWrE7C7hYmtUk=");
  CHECK(parsed->at("oauth_token") == kDocs.token);
  CHECK(parsed->size() == 7);
  CHECK_FALSE(parse_oauth1_authorization("Bearer abc"));
  CHECK_FALSE(parse_oauth1_authorization("OAuth oauth_token=unquoted"));
}

TEST_CASE("OAuth 1.0a: a JSON request signs only the URL and the oauth parameters; every input matters") {
  const OAuth1Credentials c{"key", "consumer secret", "token", "token secret"};
  const std::string url = "https://api.x.com/2/dm_conversations/with/1600000000000000002/messages";
  const auto header = oauth1_authorization("POST", url, {}, c, "nonce1", 1700000000);
  CHECK(header != oauth1_authorization("POST", url, {}, c, "nonce2", 1700000000));
  CHECK(header != oauth1_authorization("POST", url, {}, c, "nonce1", 1700000001));
  CHECK(header != oauth1_authorization("GET", url, {}, c, "nonce1", 1700000000));
  CHECK(header != oauth1_authorization("POST", url + "?x=1", {}, c, "nonce1", 1700000000));
  auto other_secret = c;
  other_secret.token_secret = "other";
  CHECK(header != oauth1_authorization("POST", url, {}, other_secret, "nonce1", 1700000000));
  // The scheme and host are case-insensitive and the default port is not part of the base URL.
  const std::string shouting = "HTTPS://API.X.COM:443/2/dm_conversations/with/1600000000000000002/messages";
  CHECK(header == oauth1_authorization("POST", shouting, {}, c, "nonce1", 1700000000));
  // The query is decoded before it is encoded again: %20 and + both mean a blank.
  const OAuth1Params none;
  CHECK(oauth1_base_string("GET", "http://h:8080/p?b=a%20b&a=x+y", none) ==
        "GET&http%3A%2F%2Fh%3A8080%2Fp&a%3Dx%2520y%26b%3Da%2520b");
}

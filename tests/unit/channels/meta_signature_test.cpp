// Meta X-Hub-Signature-256 verification (vectors from the protocol brief §1.6) and the hub.challenge
// handshake shared by WhatsApp, Messenger and Instagram.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "channels/crypto.hpp"
#include "channels/url_encoding.hpp"
#include "channels/meta/handshake.hpp"
#include "channels/meta/signature.hpp"

using namespace anliegen::channels;
using namespace anliegen::channels::meta;

namespace {

const std::vector<std::string> kSecrets = {"gateway-test-secret"};

SignatureResult check(std::string_view body, std::string_view header,
                      const std::vector<std::string>& secrets = kSecrets) {
  return verify_meta_signature(body, header, secrets);
}

}  // namespace

TEST_CASE("brief vectors over the raw bytes") {
  struct Vector {
    std::string_view body;
    std::string_view header;
  };
  const Vector vectors[] = {
      {R"({"object":"whatsapp_business_account","entry":[]})",
       "sha256=0ed1b3c1d0cb735f875d5e3b5dbcbd9f06f5a9776e885854115ddfd9ea00a720"},
      {R"({"text":{"body":"caf\u00e9"}})",
       "sha256=61c2dbbd766d796ce4e2fd3a3b5b397564fdc0c269cf971bea739cfded262f25"},
      {"{\"text\":{\"body\":\"caf\xC3\xA9\"}}",
       "sha256=6982ed369ca4a06d283be2be8d47eba33c14c59d55e0c1ae741ae92ef1f407d3"},
      {R"({"url":"https:\/\/example.org\/a"})", "sha256=e4f81ca9aa4f051451477bb1aa9ca66f98db4424860555b4f979ff5b3051c9da"},
      {R"({"url":"https://example.org/a"})", "sha256=c90b6790ea4b6f39a8ec7343aa49c65b2f9a9ed87f9d6a63419f00304cdab1d3"},
  };
  for (const auto& v : vectors) {
    CAPTURE(v.body);
    CHECK(check(v.body, v.header) == SignatureResult::ok);
    CHECK(meta_signature("gateway-test-secret", v.body) == v.header);
  }
}

TEST_CASE("escaped-unicode fallback") {
  // Raw UTF-8 body, signature computed over the \u00e9 form: accepted by the second attempt.
  CHECK(check("{\"text\":{\"body\":\"caf\xC3\xA9\"}}",
              "sha256=61c2dbbd766d796ce4e2fd3a3b5b397564fdc0c269cf971bea739cfded262f25") == SignatureResult::ok);
  // Escaped slashes are not undone: re-serialised JSON never verifies.
  CHECK(check(R"({"url":"https://example.org/a"})",
              "sha256=e4f81ca9aa4f051451477bb1aa9ca66f98db4424860555b4f979ff5b3051c9da") == SignatureResult::mismatch);
  // ASCII-only bodies get no second attempt.
  CHECK(check(R"({"text":{"body":"caf\u00e9"}})",
              "sha256=6982ed369ca4a06d283be2be8d47eba33c14c59d55e0c1ae741ae92ef1f407d3") == SignatureResult::mismatch);
}

TEST_CASE("whatsapp-api-js vector needs the escaping step") {
  const std::string body =
      "Let's pretend this body is equal to the message object and can handle unicode characters like "
      "\xE3\x81\xBF\xE3\x81\xA9\xE3\x82\x8A\xE3\x81\x84\xE3\x82\x8D and J'ai mang\xC3\xA9 des p\xC3\xA2tes";
  const std::string header = "sha256=0363007aabdf1ab579f35936651a460fb5fa1aaf40df98b1264446b72cc96688";
  const std::string raw = to_hex(hmac_sha256("YOUR_APP_SECRET", body));
  CHECK(raw.starts_with("5ab50fef"));
  CHECK(raw.ends_with("1ffbde"));
  CHECK(meta_signature("YOUR_APP_SECRET", escape_non_ascii(body)) == header);
  CHECK(verify_meta_signature(body, header, std::vector<std::string>{"YOUR_APP_SECRET"}) == SignatureResult::ok);
}

TEST_CASE("escape_non_ascii") {
  CHECK(escape_non_ascii("plain ASCII \\u0041 {}") == "plain ASCII \\u0041 {}");
  CHECK(escape_non_ascii("\xC3\xA4\xC3\xB6\xC3\xA5") == "\\u00e4\\u00f6\\u00e5");
  CHECK(escape_non_ascii("Stra\xC3\x9F" "e") == "Stra\\u00dfe");
  CHECK(escape_non_ascii("\xE2\x82\xAC") == "\\u20ac");                 // U+20AC, 3 bytes
  CHECK(escape_non_ascii("\xF0\x9F\x98\x80") == "\\ud83d\\ude00");      // U+1F600, surrogate pair
  CHECK(escape_non_ascii("a\xFFz") == "a\\ufffdz");                     // invalid byte
  CHECK(escape_non_ascii("\xC3") == "\\ufffd");                         // truncated sequence
  CHECK(escape_non_ascii("\xC0\xAF") == "\\ufffd\\ufffd");              // overlong '/'
  CHECK(escape_non_ascii("\xED\xA0\x80") == "\\ufffd\\ufffd\\ufffd");   // encoded surrogate
}

TEST_CASE("header format") {
  const std::string_view body = R"({"object":"whatsapp_business_account","entry":[]})";
  const std::string good = "sha256=0ed1b3c1d0cb735f875d5e3b5dbcbd9f06f5a9776e885854115ddfd9ea00a720";
  std::string upper = good;
  for (std::size_t i = 7; i < upper.size(); ++i) upper[i] = static_cast<char>(std::toupper(upper[i]));
  CHECK(check(body, upper) == SignatureResult::ok);
  CHECK(check(body, " " + good + " ") == SignatureResult::ok);
  CHECK(check(body, "") == SignatureResult::missing);
  CHECK(check(body, "sha1=0ed1b3c1d0cb735f875d5e3b5dbcbd9f06f5a977") == SignatureResult::malformed);
  CHECK(check(body, "SHA256=" + good.substr(7)) == SignatureResult::malformed);
  CHECK(check(body, good.substr(7)) == SignatureResult::malformed);
  CHECK(check(body, good.substr(0, good.size() - 1)) == SignatureResult::malformed);
  CHECK(check(body, good + "0") == SignatureResult::malformed);
  CHECK(check(body, "sha256=zz" + good.substr(9)) == SignatureResult::malformed);
  CHECK(check(body, "sha256=sha256=" + good.substr(7)) == SignatureResult::malformed);
  std::string flipped = good;
  flipped.back() = flipped.back() == '0' ? '1' : '0';
  CHECK(check(body, flipped) == SignatureResult::mismatch);
  CHECK(to_string(SignatureResult::mismatch) == "signature mismatch");
}

TEST_CASE("secret rotation: any configured secret may match; empty secrets never do") {
  const std::string body = R"({"object":"whatsapp_business_account","entry":[]})";
  const std::string by_old = meta_signature("old-secret", body);
  const std::string by_new = meta_signature("new-secret", body);
  const std::vector<std::string> both = {"new-secret", "old-secret"};
  CHECK(check(body, by_old, both) == SignatureResult::ok);
  CHECK(check(body, by_new, both) == SignatureResult::ok);
  CHECK(check(body, by_old, {"new-secret"}) == SignatureResult::mismatch);
  CHECK(check(body, by_old, {}) == SignatureResult::mismatch);
  CHECK(check(body, meta_signature("", body), {""}) == SignatureResult::mismatch);
}

TEST_CASE("handshake answers the challenge verbatim") {
  const auto r = meta_handshake(
      "/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=stadt-token", "stadt-token");
  CHECK(r.status == 200);
  CHECK(r.body == "1158201444");
  CHECK(r.content_type.starts_with("text/plain"));
}

TEST_CASE("handshake URL-decodes values and names") {
  auto r = meta_handshake("/w?hub.verify_token=mein%20Token%2B1&hub.challenge=ab%2Fc+d%3D&hub.mode=subscribe",
                          "mein Token+1");
  CHECK(r.status == 200);
  CHECK(r.body == "ab/c d=");
  r = meta_handshake("/w?hub%2Emode=subscribe&hub.challenge=x1&hub.verify_token=t", "t");
  CHECK(r.status == 200);
  CHECK(r.body == "x1");
  // A challenge that looks like a large number stays text.
  r = meta_handshake("/w?hub.mode=subscribe&hub.challenge=000123456789012345678901&hub.verify_token=t", "t");
  CHECK(r.body == "000123456789012345678901");
}

TEST_CASE("handshake refuses with 403") {
  const char* targets[] = {
      "/w?hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong",
      "/w?hub.mode=subscribe&hub.challenge=1&hub.verify_token=",
      "/w?hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=t",
      "/w?hub.mode=SUBSCRIBE&hub.challenge=1&hub.verify_token=t",
      "/w?hub.challenge=1&hub.verify_token=t",
      "/w?hub.mode=subscribe&hub.verify_token=t",
      "/w?hub.mode=subscribe&hub.challenge=&hub.verify_token=t",
      "/w?hub.mode=subscribe&hub.challenge=1",
      "/w?hub.mode=subscribe&hub.challenge=1&hub.verify_token=%zz",
      "/w?hub.mode=subscribe&hub.challenge=1&hub.verify_token=t%",
      "/w?hub_mode=subscribe&hub_challenge=1&hub_verify_token=t",
      "/w",
      "",
  };
  for (const char* t : targets) {
    CAPTURE(t);
    const auto r = meta_handshake(t, "t");
    CHECK(r.status == 403);
    CHECK(r.body.find('1') == std::string::npos);
  }
  CHECK(meta_handshake("/w?hub.mode=subscribe&hub.challenge=1&hub.verify_token=", "").status == 403);
}

TEST_CASE("query_param and percent_decode") {
  CHECK(query_param("/p?a=1&b=2&a=3", "a") == "1");
  CHECK(query_param("/p?a&b=2", "a") == "");
  CHECK(query_param("/p?b=2#a=1", "a") == std::nullopt);
  CHECK(percent_decode("%41%62+c") == "Ab c");
  CHECK(percent_decode("%4") == std::nullopt);
  CHECK(percent_decode("%g1") == std::nullopt);
}

#include "channels/meta/handshake.hpp"

#include "channels/crypto.hpp"
#include "channels/url_encoding.hpp"

namespace anliegen::channels::meta {
namespace {

HttpReply forbidden() {
  HttpReply r;
  r.status = 403;
  r.body = "Forbidden";
  return r;
}

}  // namespace


std::optional<std::string> query_param(std::string_view target, std::string_view name) {
  const auto q = target.find('?');
  if (q == std::string_view::npos) return std::nullopt;
  std::string_view query = target.substr(q + 1);
  if (const auto hash = query.find('#'); hash != std::string_view::npos) query = query.substr(0, hash);
  while (!query.empty()) {
    const auto amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    const auto eq = pair.find('=');
    const auto key = percent_decode(pair.substr(0, eq));
    if (!key || *key != name) continue;
    if (eq == std::string_view::npos) return std::string{};
    return percent_decode(pair.substr(eq + 1));
  }
  return std::nullopt;
}

HttpReply meta_handshake(std::string_view target, std::string_view verify_token) {
  const auto mode = query_param(target, "hub.mode");
  const auto token = query_param(target, "hub.verify_token");
  const auto challenge = query_param(target, "hub.challenge");
  if (!mode || !token || !challenge || challenge->empty() || *mode != "subscribe" || verify_token.empty()) {
    return forbidden();
  }
  // Comparing digests keeps the comparison constant-time without revealing the token's length.
  const Digest got = sha256(*token);
  const Digest want = sha256(verify_token);
  if (!constant_time_equal(std::string_view(reinterpret_cast<const char*>(got.data()), got.size()),
                           std::string_view(reinterpret_cast<const char*>(want.data()), want.size()))) {
    return forbidden();
  }
  HttpReply r;
  r.status = 200;
  r.content_type = "text/plain; charset=utf-8";
  r.body = *challenge;
  return r;
}

}  // namespace anliegen::channels::meta

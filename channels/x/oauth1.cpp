#include "channels/x/oauth1.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cctype>

#include "channels/crypto.hpp"
#include "channels/url_encoding.hpp"

namespace anliegen::channels::x {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Decodes what percent_decode can; a malformed escape stays as it is.
std::string decoded(std::string_view s, bool plus_is_space) {
  return percent_decode(s, plus_is_space).value_or(std::string(s));
}

// Scheme and host lower-case, the default port dropped, no query or fragment (RFC 5849 3.4.1.2).
std::string base_url(std::string_view url) {
  url = url.substr(0, std::min(url.find('?'), url.find('#')));
  const auto scheme_end = url.find("://");
  if (scheme_end == std::string_view::npos) return std::string(url);
  const auto scheme = lower(url.substr(0, scheme_end));
  const auto rest = url.substr(scheme_end + 3);
  const auto path_start = std::min(rest.find('/'), rest.size());
  auto authority = lower(rest.substr(0, path_start));
  const std::string default_port = scheme == "https" ? ":443" : scheme == "http" ? ":80" : "";
  if (!default_port.empty() && authority.size() > default_port.size() &&
      authority.compare(authority.size() - default_port.size(), default_port.size(), default_port) == 0) {
    authority.resize(authority.size() - default_port.size());
  }
  std::string path(rest.substr(path_start));
  if (path.empty()) path = "/";
  return scheme + "://" + authority + path;
}

// The URL's query parameters, decoded.
OAuth1Params query_params(std::string_view url) {
  OAuth1Params out;
  const auto q = url.find('?');
  if (q == std::string_view::npos) return out;
  auto query = url.substr(q + 1);
  query = query.substr(0, std::min(query.find('#'), query.size()));
  while (!query.empty()) {
    const auto amp = std::min(query.find('&'), query.size());
    const auto pair = query.substr(0, amp);
    if (!pair.empty()) {
      const auto eq = std::min(pair.find('='), pair.size());
      out.emplace_back(decoded(pair.substr(0, eq), true),
                       eq < pair.size() ? decoded(pair.substr(eq + 1), true) : "");
    }
    query = amp < query.size() ? query.substr(amp + 1) : std::string_view{};
  }
  return out;
}

std::string hmac_sha1_base64(std::string_view key, std::string_view message) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(message.data()),
       message.size(), out.data(), &len);
  return to_base64(std::string_view(reinterpret_cast<const char*>(out.data()), len));
}

}  // namespace

std::string oauth1_base_string(std::string_view method, std::string_view url, const OAuth1Params& params) {
  std::vector<std::pair<std::string, std::string>> encoded;
  for (const auto& [name, value] : query_params(url)) encoded.emplace_back(percent_encode(name), percent_encode(value));
  for (const auto& [name, value] : params) encoded.emplace_back(percent_encode(name), percent_encode(value));
  std::sort(encoded.begin(), encoded.end());
  std::string joined;
  for (const auto& [name, value] : encoded) {
    if (!joined.empty()) joined += '&';
    joined += name + "=" + value;
  }
  std::string upper(method);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return upper + "&" + percent_encode(base_url(url)) + "&" + percent_encode(joined);
}

std::string oauth1_signature(std::string_view method, std::string_view url, const OAuth1Params& params,
                             std::string_view consumer_secret, std::string_view token_secret) {
  const auto key = percent_encode(consumer_secret) + "&" + percent_encode(token_secret);
  return hmac_sha1_base64(key, oauth1_base_string(method, url, params));
}

std::string oauth1_authorization(std::string_view method, std::string_view url, const OAuth1Params& extra_params,
                                 const OAuth1Credentials& credentials, std::string_view nonce,
                                 std::int64_t timestamp) {
  OAuth1Params oauth{{"oauth_consumer_key", credentials.consumer_key},
                     {"oauth_nonce", std::string(nonce)},
                     {"oauth_signature_method", "HMAC-SHA1"},
                     {"oauth_timestamp", std::to_string(timestamp)},
                     {"oauth_token", credentials.token},
                     {"oauth_version", "1.0"}};
  OAuth1Params signed_params = oauth;
  signed_params.insert(signed_params.end(), extra_params.begin(), extra_params.end());
  oauth.emplace_back("oauth_signature", oauth1_signature(method, url, signed_params, credentials.consumer_secret,
                                                         credentials.token_secret));
  std::sort(oauth.begin(), oauth.end());
  std::string header = "OAuth ";
  for (std::size_t i = 0; i < oauth.size(); ++i) {
    if (i > 0) header += ", ";
    header += percent_encode(oauth[i].first) + "=\"" + percent_encode(oauth[i].second) + "\"";
  }
  return header;
}

std::optional<std::map<std::string, std::string>> parse_oauth1_authorization(std::string_view header_value) {
  if (header_value.size() < 6 || lower(header_value.substr(0, 6)) != "oauth ") return std::nullopt;
  std::map<std::string, std::string> out;
  auto rest = header_value.substr(6);
  while (!rest.empty()) {
    const auto comma = std::min(rest.find(','), rest.size());
    auto item = rest.substr(0, comma);
    rest = comma < rest.size() ? rest.substr(comma + 1) : std::string_view{};
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) continue;
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    auto value = item.substr(eq + 1);
    if (value.size() < 2 || value.front() != '"' || value.back() != '"') return std::nullopt;
    out[decoded(item.substr(0, eq), false)] = decoded(value.substr(1, value.size() - 2), false);
  }
  return out;
}

}  // namespace anliegen::channels::x

#include "gateway/workers/media_policy.hpp"

#include <boost/url/parse.hpp>

#include <algorithm>
#include <array>
#include <cctype>

namespace anliegen::gateway::media {
namespace {

constexpr std::size_t kMB = 1024 * 1024;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool ends_with_domain(const std::string& host, std::string_view domain) {
  // "fbsbx.com" itself or any subdomain of it, never "evilfbsbx.com".
  if (host.size() <= domain.size()) return false;
  return host.compare(host.size() - domain.size(), domain.size(), domain) == 0 &&
         host[host.size() - domain.size() - 1] == '.';
}

struct Origin {
  std::string scheme;
  std::string host;
  std::string port;
};

bool origin_of(std::string_view url, Origin& out) {
  auto u = boost::urls::parse_absolute_uri(url);
  if (!u || !u->has_authority() || u->encoded_host().empty() || u->has_userinfo()) return false;
  out.scheme = lower(u->scheme());
  out.host = lower(u->host_address());
  out.port = u->has_port() ? std::string(u->port()) : (out.scheme == "https" ? "443" : "80");
  return out.scheme == "http" || out.scheme == "https";
}

}  // namespace

std::size_t size_limit(domain::AttachmentKind kind, std::size_t configured_max) {
  std::size_t limit = 100 * kMB;
  switch (kind) {
    case domain::AttachmentKind::image: limit = 5 * kMB; break;
    case domain::AttachmentKind::audio:
    case domain::AttachmentKind::voice:
    case domain::AttachmentKind::video: limit = 16 * kMB; break;
    case domain::AttachmentKind::sticker: limit = 500 * 1024; break;
    case domain::AttachmentKind::document: limit = 100 * kMB; break;
  }
  return std::min(limit, configured_max);
}

std::string media_type(std::string_view content_type) {
  const auto semi = content_type.find(';');
  auto t = lower(trim(content_type.substr(0, semi)));
  const auto slash = t.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == t.size()) return "";
  const bool token = std::all_of(t.begin(), t.end(), [](unsigned char c) {
    return std::isalnum(c) || std::string_view("!#$&-^_.+/").find(static_cast<char>(c)) != std::string_view::npos;
  });
  return token ? t : "";
}

std::string choose_mime(std::string_view response_content_type, std::string_view declared) {
  const auto got = media_type(response_content_type);
  if (!got.empty() && got != "application/octet-stream" && got != "binary/octet-stream") return got;
  const auto fallback = media_type(declared);
  return fallback.empty() ? (got.empty() ? "application/octet-stream" : got) : fallback;
}

bool is_accepted_generic_type(std::string_view t) {
  static constexpr std::string_view kAccepted[] = {
      "image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/heif", "image/bmp", "image/tiff",
      "audio/ogg", "audio/mpeg", "audio/mp4", "audio/aac", "audio/amr", "audio/wav", "audio/x-wav", "audio/webm",
      "audio/x-m4a", "video/mp4", "video/3gpp", "video/quicktime", "video/webm", "application/pdf", "text/plain",
      "application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
      "application/vnd.ms-excel", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
      "application/vnd.ms-powerpoint", "application/vnd.openxmlformats-officedocument.presentationml.presentation",
      "application/vnd.oasis.opendocument.text", "application/vnd.oasis.opendocument.spreadsheet"};
  return std::find(std::begin(kAccepted), std::end(kAccepted), t) != std::end(kAccepted);
}

bool is_inline_safe_type(std::string_view t) {
  if (t == "image/svg+xml") return false;
  return t.starts_with("image/") || t.starts_with("audio/") || t.starts_with("video/") || t == "application/pdf" ||
         t == "text/plain";
}

bool may_follow_whatsapp_url(std::string_view url, std::string_view graph_url) {
  Origin target;
  if (!origin_of(url, target)) return false;
  if (target.scheme == "https") {
    for (std::string_view domain : {"fbsbx.com", "fbcdn.net", "whatsapp.net"}) {
      if (ends_with_domain(target.host, domain) && target.port == "443") return true;
    }
  }
  Origin graph;
  if (!origin_of(graph_url, graph)) return false;
  return target.scheme == graph.scheme && target.host == graph.host && target.port == graph.port;
}

std::string url_host(std::string_view url) {
  auto u = boost::urls::parse_uri_reference(url);
  if (!u || !u->has_authority()) return "";
  return lower(u->host_address());
}

std::chrono::milliseconds retry_delay(int attempts, std::chrono::milliseconds base, std::chrono::milliseconds cap,
                                      double jitter01) {
  const int exponent = std::clamp(attempts - 1, 0, 30);
  const auto limit = std::max<std::int64_t>(cap.count(), 1);
  const auto b = std::clamp<std::int64_t>(base.count(), 1, limit);
  const auto delay = std::min<std::int64_t>(b << exponent, limit);
  const auto jitter = static_cast<std::int64_t>(static_cast<double>(delay) / 4.0 * std::clamp(jitter01, 0.0, 1.0));
  return std::chrono::milliseconds(delay + jitter);
}

std::string safe_filename(std::string_view name, std::int64_t id, std::string_view mime) {
  const auto slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  std::string out;
  for (unsigned char c : name) {
    if (out.size() >= 100) break;
    out += (std::isalnum(c) || c == '.' || c == '-' || c == '_' || c == ' ') ? static_cast<char>(c) : '_';
  }
  const auto first = out.find_first_not_of(". _");
  out = first == std::string::npos ? std::string() : out.substr(first);
  while (!out.empty() && (out.back() == ' ' || out.back() == '.')) out.pop_back();
  if (!out.empty()) return out;
  std::string ext;
  const auto t = media_type(mime);
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kExt{{{"image/jpeg", ".jpg"},
                                                                                        {"image/png", ".png"},
                                                                                        {"image/webp", ".webp"},
                                                                                        {"image/gif", ".gif"},
                                                                                        {"audio/ogg", ".ogg"},
                                                                                        {"audio/mpeg", ".mp3"},
                                                                                        {"audio/mp4", ".m4a"},
                                                                                        {"video/mp4", ".mp4"},
                                                                                        {"application/pdf", ".pdf"},
                                                                                        {"text/plain", ".txt"}}};
  for (const auto& [type, e] : kExt) {
    if (type == t) ext = e;
  }
  return "attachment-" + std::to_string(id) + ext;
}

}  // namespace anliegen::gateway::media

#include "gateway/settings.hpp"

#include <boost/asio/ip/address.hpp>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <fstream>
#include <sstream>
#include <thread>

#include "domain/enums.hpp"

extern char** environ;

namespace anliegen::gateway {
namespace {

std::string get(const Environment& env, const std::string& key) {
  const auto it = env.find(key);
  return it == env.end() ? std::string() : it->second;
}

long long parse_number(const std::string& key, const std::string& value, long long min, long long max) {
  long long n = 0;
  const auto r = std::from_chars(value.data(), value.data() + value.size(), n);
  if (r.ec != std::errc{} || r.ptr != value.data() + value.size() || n < min || n > max) {
    throw SettingsError(key, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                                 ", got '" + value + "'");
  }
  return n;
}

void parse_listen(const std::string& value, Settings& s) {
  const auto colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    throw SettingsError("ANLIEGEN_LISTEN", "must be host:port, e.g. 127.0.0.1:8080, got '" + value + "'");
  }
  std::string host = value.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  if (ec) throw SettingsError("ANLIEGEN_LISTEN", "'" + host + "' is not an IP address (e.g. 127.0.0.1 or ::1)");
  s.listen_host = host;
  s.listen_port = static_cast<unsigned short>(parse_number("ANLIEGEN_LISTEN", value.substr(colon + 1), 0, 65535));
}

std::string trim_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

void check_base_url(const std::string& key, const std::string& url) {
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
    throw SettingsError(key, "must be an http:// or https:// URL, got '" + url + "'");
  }
}

void load_whatsapp(const Environment& env, WhatsAppSettings& w) {
  const auto secret = get(env, "WHATSAPP_APP_SECRET");
  if (secret.empty()) return;
  w.enabled = true;
  w.app_secrets.push_back(secret);
  if (const auto previous = get(env, "WHATSAPP_APP_SECRET_PREVIOUS"); !previous.empty()) {
    w.app_secrets.push_back(previous);
  }
  w.verify_token = get(env, "WHATSAPP_VERIFY_TOKEN");
  if (w.verify_token.empty()) throw SettingsError("WHATSAPP_VERIFY_TOKEN", "is required when WHATSAPP_APP_SECRET is set");
  w.access_token = get(env, "WHATSAPP_ACCESS_TOKEN");
  if (w.access_token.empty()) throw SettingsError("WHATSAPP_ACCESS_TOKEN", "is required when WHATSAPP_APP_SECRET is set");
  if (const auto v = get(env, "WHATSAPP_GRAPH_URL"); !v.empty()) w.graph_url = trim_trailing_slash(v);
  check_base_url("WHATSAPP_GRAPH_URL", w.graph_url);
  w.reply_template = get(env, "WHATSAPP_REPLY_TEMPLATE");
  if (const auto v = get(env, "WHATSAPP_TEMPLATE_LANGUAGE"); !v.empty()) w.template_language = v;
  if (const auto v = get(env, "WHATSAPP_THREAD_WINDOW_HOURS"); !v.empty()) {
    w.thread_window_hours = static_cast<int>(parse_number("WHATSAPP_THREAD_WINDOW_HOURS", v, 1, 24 * 30));
  }
}

void load_meta(const Environment& env, MetaSettings& m) {
  const auto secret = get(env, "META_APP_SECRET");
  if (secret.empty()) return;
  m.enabled = true;
  m.app_secrets.push_back(secret);
  if (const auto previous = get(env, "META_APP_SECRET_PREVIOUS"); !previous.empty()) m.app_secrets.push_back(previous);
  m.verify_token = get(env, "META_VERIFY_TOKEN");
  if (m.verify_token.empty()) throw SettingsError("META_VERIFY_TOKEN", "is required when META_APP_SECRET is set");
  m.page_token = get(env, "FACEBOOK_PAGE_TOKEN");
  if (m.page_token.empty()) throw SettingsError("FACEBOOK_PAGE_TOKEN", "is required when META_APP_SECRET is set");
  m.instagram_token = get(env, "INSTAGRAM_ACCESS_TOKEN");
  if (m.instagram_token.empty()) m.instagram_token = m.page_token;
  if (const auto v = get(env, "META_GRAPH_URL"); !v.empty()) m.graph_url = trim_trailing_slash(v);
  check_base_url("META_GRAPH_URL", m.graph_url);
}

constexpr const char* kXOAuth1Keys[] = {"X_CONSUMER_KEY", "X_ACCESS_TOKEN", "X_ACCESS_TOKEN_SECRET"};
constexpr const char* kXOAuth1Names = "X_CONSUMER_KEY, X_ACCESS_TOKEN and X_ACCESS_TOKEN_SECRET";

// Exactly one way to act as the city account: OAuth 1.0a (all three keys) or the bearer X_USER_TOKEN.
void load_x_oauth1(const Environment& env, XChannelSettings& x) {
  x.consumer_key = get(env, "X_CONSUMER_KEY");
  x.access_token = get(env, "X_ACCESS_TOKEN");
  x.access_token_secret = get(env, "X_ACCESS_TOKEN_SECRET");
  const bool any = !x.consumer_key.empty() || !x.access_token.empty() || !x.access_token_secret.empty();
  if (!any) {
    if (x.user_token.empty()) {
      throw SettingsError("X_ACCESS_TOKEN", std::string("X_CONSUMER_SECRET is set, so either ") + kXOAuth1Names +
                                                " (OAuth 1.0a, recommended) or X_USER_TOKEN (OAuth 2.0, expires "
                                                "after 2 hours) must be set");
    }
    return;
  }
  if (!x.user_token.empty()) {
    throw SettingsError("X_USER_TOKEN", std::string("must not be set together with ") + kXOAuth1Names +
                                            " (OAuth 1.0a); configure one of the two");
  }
  for (const char* key : kXOAuth1Keys) {
    if (get(env, key).empty()) {
      throw SettingsError(key, std::string("is required when any of ") + kXOAuth1Names +
                                   " is set (OAuth 1.0a needs all three)");
    }
  }
}

void load_x(const Environment& env, XChannelSettings& x) {
  x.consumer_secret = get(env, "X_CONSUMER_SECRET");
  if (x.consumer_secret.empty()) {
    for (const char* key : kXOAuth1Keys) {
      if (!get(env, key).empty()) {
        throw SettingsError("X_CONSUMER_SECRET", std::string("is required when ") + key +
                                                     " is set (it is the other half of the OAuth 1.0a signing key)");
      }
    }
    return;
  }
  x.enabled = true;
  x.previous_consumer_secret = get(env, "X_CONSUMER_SECRET_PREVIOUS");
  x.user_token = get(env, "X_USER_TOKEN");
  load_x_oauth1(env, x);
  if (const auto v = get(env, "X_API_URL"); !v.empty()) x.api_url = trim_trailing_slash(v);
  check_base_url("X_API_URL", x.api_url);
  x.own_user_id = get(env, "X_USER_ID");
}

void load_open311(const Environment& env, Settings& s) {
  auto& o = s.open311;
  const auto keys = get(env, "OPEN311_API_KEYS");
  std::size_t start = 0;
  while (start <= keys.size()) {
    auto end = keys.find(',', start);
    if (end == std::string::npos) end = keys.size();
    auto key = keys.substr(start, end - start);
    while (!key.empty() && key.front() == ' ') key.erase(0, 1);
    while (!key.empty() && key.back() == ' ') key.pop_back();
    if (!key.empty()) {
      if (key.size() < 16) throw SettingsError("OPEN311_API_KEYS", "every key must have at least 16 characters");
      o.api_keys.push_back(key);
    }
    start = end + 1;
  }
  o.jurisdiction = get(env, "OPEN311_JURISDICTION");
  if (const auto v = get(env, "OPEN311_PUBLIC_URL"); !v.empty()) {
    o.public_url = trim_trailing_slash(v);
    check_base_url("OPEN311_PUBLIC_URL", o.public_url);
  }
  if (const auto v = get(env, "OPEN311_CONTACT"); !v.empty()) o.contact = v;
  if (const auto v = get(env, "OPEN311_DUPLICATE_RADIUS_M"); !v.empty()) {
    s.city.open311.duplicate_radius_m = static_cast<double>(parse_number("OPEN311_DUPLICATE_RADIUS_M", v, 0, 10000));
  }
}

void load_holdieob(const Environment& env, HoldieobSettings& h) {
  if (const auto v = get(env, "HOLDIEOB_SUPPORT_THRESHOLD"); !v.empty()) {
    h.support_threshold = static_cast<int>(parse_number("HOLDIEOB_SUPPORT_THRESHOLD", v, 1, 100000000));
  }
  if (const auto v = get(env, "HOLDIEOB_CALENDAR_HOST"); !v.empty()) h.calendar_host = v;
  const auto secret = get(env, "HOLDIEOB_SECRET");
  if (secret.empty()) return;
  h.enabled = true;
  h.secrets.push_back(secret);
  if (const auto previous = get(env, "HOLDIEOB_SECRET_PREVIOUS"); !previous.empty()) h.secrets.push_back(previous);
  h.callback_url = get(env, "HOLDIEOB_CALLBACK_URL");
  if (h.callback_url.empty()) {
    throw SettingsError("HOLDIEOB_CALLBACK_URL",
                        "is required when HOLDIEOB_SECRET is set (decisions are sent back to holdieob there)");
  }
  check_base_url("HOLDIEOB_CALLBACK_URL", h.callback_url);
}

}  // namespace

Environment process_environment() {
  Environment env;
  for (char** e = environ; e && *e; ++e) {
    std::string kv(*e);
    const auto eq = kv.find('=');
    if (eq != std::string::npos) env.emplace(kv.substr(0, eq), kv.substr(eq + 1));
  }
  return env;
}

namespace {

// ANLIEGEN_RETENTION_DAYS and ANLIEGEN_RETENTION_DAYS_<CHANNEL> (e.g. _WHATSAPP): days after closing, 0 = keep.
void read_retention(const Environment& env, Settings& s) {
  constexpr long long kMaxDays = 36500;
  if (const auto v = get(env, "ANLIEGEN_RETENTION_DAYS"); !v.empty()) {
    s.retention_days = static_cast<int>(parse_number("ANLIEGEN_RETENTION_DAYS", v, 0, kMaxDays));
  }
  const std::string prefix = "ANLIEGEN_RETENTION_DAYS_";
  for (const auto& [key, value] : env) {
    if (key.rfind(prefix, 0) != 0) continue;
    std::string name = key.substr(prefix.size());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (!domain::parse_channel(name)) {
      throw SettingsError(key, "names no channel; use one of WHATSAPP, FACEBOOK, INSTAGRAM, X, MAENGELMELDER, "
                               "HOLDIEOB, PHONE, LETTER, EMAIL, IN_PERSON");
    }
    s.retention_channel_days[name] = static_cast<int>(parse_number(key, value, 0, kMaxDays));
  }
}

}  // namespace

int default_db_pool_size() {
  return std::clamp(static_cast<int>(std::thread::hardware_concurrency()), 2, 16);
}

Settings load_settings(const Environment& env, bool need_database) {
  Settings s;
  s.database_url = get(env, "ANLIEGEN_DATABASE_URL");
  if (need_database && s.database_url.empty()) {
    throw SettingsError("ANLIEGEN_DATABASE_URL",
                        "is not set; give a libpq URI (postgresql://user@host:5432/db) or key=value string");
  }
  if (const auto v = get(env, "ANLIEGEN_LISTEN"); !v.empty()) parse_listen(v, s);
  if (const auto v = get(env, "ANLIEGEN_IO_THREADS"); !v.empty()) {
    s.io_threads = static_cast<int>(parse_number("ANLIEGEN_IO_THREADS", v, 1, 64));
  }
  if (const auto v = get(env, "ANLIEGEN_DB_POOL_SIZE"); !v.empty()) {
    s.db_pool_size = static_cast<int>(parse_number("ANLIEGEN_DB_POOL_SIZE", v, 1, 64));
  }
  if (const auto v = get(env, "ANLIEGEN_DB_GROUP_MAX"); !v.empty()) {
    s.db_group_max = static_cast<int>(parse_number("ANLIEGEN_DB_GROUP_MAX", v, 1, 1000));
  }
  if (const auto v = get(env, "ANLIEGEN_MAX_BODY_BYTES"); !v.empty()) {
    s.max_body_bytes = static_cast<std::size_t>(parse_number("ANLIEGEN_MAX_BODY_BYTES", v, 1024, 64 << 20));
  }
  if (const auto v = get(env, "ANLIEGEN_REQUEST_TIMEOUT"); !v.empty()) {
    s.request_timeout_seconds = static_cast<int>(parse_number("ANLIEGEN_REQUEST_TIMEOUT", v, 1, 3600));
  }
  if (const auto v = get(env, "ANLIEGEN_IDLE_TIMEOUT"); !v.empty()) {
    s.idle_timeout_seconds = static_cast<int>(parse_number("ANLIEGEN_IDLE_TIMEOUT", v, 1, 3600));
  }
  if (const auto v = get(env, "ANLIEGEN_LOG_LEVEL"); !v.empty()) {
    if (v != "debug" && v != "info" && v != "warn" && v != "error") {
      throw SettingsError("ANLIEGEN_LOG_LEVEL", "must be debug, info, warn or error, got '" + v + "'");
    }
    s.log_level = v;
  }
  s.fetch_allow_private = get(env, "ANLIEGEN_FETCH_ALLOW_PRIVATE") == "1";
  if (const auto v = get(env, "ANLIEGEN_OUTBOX_RETRY_BASE_MS"); !v.empty()) {
    s.outbox_retry_base_ms = static_cast<int>(parse_number("ANLIEGEN_OUTBOX_RETRY_BASE_MS", v, 10, 3600000));
  }
  if (const auto v = get(env, "ANLIEGEN_OUTBOX_WORKERS"); !v.empty()) {
    s.outbox_workers = static_cast<int>(parse_number("ANLIEGEN_OUTBOX_WORKERS", v, 0, 64));
  }
  read_retention(env, s);
  if (const auto v = get(env, "ANLIEGEN_SEND_TIMEOUT_MS"); !v.empty()) {
    s.send_timeout_ms = static_cast<int>(parse_number("ANLIEGEN_SEND_TIMEOUT_MS", v, 100, 120000));
  }
  load_whatsapp(env, s.whatsapp);
  load_meta(env, s.meta);
  load_x(env, s.x);
  s.whatsapp.send_timeout_ms = s.meta.send_timeout_ms = s.x.send_timeout_ms = s.send_timeout_ms;
  s.holdieob.send_timeout_ms = s.send_timeout_ms;
  load_holdieob(env, s.holdieob);
  s.config_path = get(env, "ANLIEGEN_CONFIG");
  if (s.config_path.empty()) {
    s.city = config::builtin_city_config();
  } else {
    std::ifstream in(s.config_path, std::ios::binary);
    if (!in) throw SettingsError("ANLIEGEN_CONFIG", "cannot read the file '" + s.config_path + "'");
    std::stringstream text;
    text << in.rdbuf();
    auto parsed = config::parse_city_config(text.str());
    if (auto* err = std::get_if<config::ConfigError>(&parsed)) {
      throw SettingsError(err->key.empty() ? "ANLIEGEN_CONFIG" : "ANLIEGEN_CONFIG: " + err->key, err->message);
    }
    s.city = std::get<config::CityConfig>(std::move(parsed));
  }
  load_open311(env, s);
  return s;
}

}  // namespace anliegen::gateway

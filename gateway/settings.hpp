#pragma once
// Start-up settings from the environment (secrets and deployment) and the city configuration file.
// Read once; components get their part. A bad value is a SettingsError naming the variable or key,
// which `anliegen` reports and exits with status 2.
#include <cstddef>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/city_config.hpp"

namespace anliegen::gateway {

class SettingsError : public std::runtime_error {
 public:
  SettingsError(std::string key, const std::string& message)
      : std::runtime_error(key + ": " + message), key_(std::move(key)) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

// The WhatsApp channel (WHATSAPP_*). Without an app secret the channel is off and its routes are 404.
struct WhatsAppSettings {
  bool enabled = false;
  std::vector<std::string> app_secrets;  // WHATSAPP_APP_SECRET, optionally WHATSAPP_APP_SECRET_PREVIOUS (rotation)
  std::string verify_token;              // WHATSAPP_VERIFY_TOKEN
  std::string access_token;              // WHATSAPP_ACCESS_TOKEN
  std::string graph_url = "https://graph.facebook.com/v23.0";  // WHATSAPP_GRAPH_URL, no trailing slash
  std::string reply_template;            // WHATSAPP_REPLY_TEMPLATE: approved template for replies after 24 h
  std::string template_language = "de";  // WHATSAPP_TEMPLATE_LANGUAGE
  int thread_window_hours = 24;          // WHATSAPP_THREAD_WINDOW_HOURS: append to an open Anliegen this recent
  int send_timeout_ms = 15000;           // from ANLIEGEN_SEND_TIMEOUT_MS
};

// Facebook and Instagram (META_*, FACEBOOK_*, INSTAGRAM_*). Both are on when META_APP_SECRET is set.
struct MetaSettings {
  bool enabled = false;
  std::vector<std::string> app_secrets;  // META_APP_SECRET, optionally META_APP_SECRET_PREVIOUS (rotation)
  std::string verify_token;              // META_VERIFY_TOKEN
  std::string page_token;                // FACEBOOK_PAGE_TOKEN
  std::string instagram_token;           // INSTAGRAM_ACCESS_TOKEN, default FACEBOOK_PAGE_TOKEN
  std::string graph_url = "https://graph.facebook.com/v23.0";  // META_GRAPH_URL, no trailing slash
  int thread_window_hours = 24;
  int send_timeout_ms = 15000;           // from ANLIEGEN_SEND_TIMEOUT_MS
};

// X (X_*). On when X_CONSUMER_SECRET is set.
struct XChannelSettings {
  bool enabled = false;
  std::string consumer_secret;            // X_CONSUMER_SECRET
  std::string previous_consumer_secret;   // X_CONSUMER_SECRET_PREVIOUS (signatures only, during a rotation)
  // OAuth 1.0a user context (recommended: the access token does not expire) ...
  std::string consumer_key;               // X_CONSUMER_KEY (API key)
  std::string access_token;               // X_ACCESS_TOKEN of the city account
  std::string access_token_secret;        // X_ACCESS_TOKEN_SECRET
  // ... or, exclusively, an OAuth 2.0 user-context bearer token (X expires it after 2 hours).
  std::string user_token;                 // X_USER_TOKEN
  std::string api_url = "https://api.x.com";  // X_API_URL, no trailing slash
  std::string own_user_id;                // X_USER_ID (optional)
  int thread_window_hours = 24;
  int send_timeout_ms = 15000;            // from ANLIEGEN_SEND_TIMEOUT_MS
};

// The Mängelmelder's Open311 endpoint (OPEN311_*). GET is public; POST needs one of the API keys.
struct Open311Settings {
  std::vector<std::string> api_keys;  // OPEN311_API_KEYS, comma-separated; empty: POST answers 403
  std::string jurisdiction;           // OPEN311_JURISDICTION; when set, a different jurisdiction_id is 404
  std::string public_url;             // OPEN311_PUBLIC_URL: the gateway's public origin for links (media_url)
  std::string contact = "buergerservice@ludwigshafen.de";  // OPEN311_CONTACT (discovery)
};

// holdieob invitations (HOLDIEOB_*). On when HOLDIEOB_SECRET is set; the decision callback needs
// HOLDIEOB_CALLBACK_URL then.
struct HoldieobSettings {
  bool enabled = false;
  std::vector<std::string> secrets;  // HOLDIEOB_SECRET, optionally HOLDIEOB_SECRET_PREVIOUS (rotation)
  std::string callback_url;          // HOLDIEOB_CALLBACK_URL: where invitation.decided is POSTed
  int support_threshold = 50;        // HOLDIEOB_SUPPORT_THRESHOLD
  std::string calendar_host = "anliegen.ludwigshafen.de";  // HOLDIEOB_CALENDAR_HOST: the @host of UIDs
  int send_timeout_ms = 15000;       // from ANLIEGEN_SEND_TIMEOUT_MS
};

// Database threads (and connections) when ANLIEGEN_DB_POOL_SIZE is not set: one per CPU core, at
// least 2 (one group of deliveries written while the previous one commits), at most 16. More
// connections than cores only make PostgreSQL's backends compete for the same cores
// (docs/performance.md).
int default_db_pool_size();

struct Settings {
  std::string database_url;             // ANLIEGEN_DATABASE_URL
  std::string listen_host = "127.0.0.1";  // ANLIEGEN_LISTEN host part
  unsigned short listen_port = 8080;      // ANLIEGEN_LISTEN port part (0 = any free port)
  std::string config_path;              // ANLIEGEN_CONFIG (empty: built-in demo)
  int io_threads = 2;                   // ANLIEGEN_IO_THREADS
  int db_pool_size = default_db_pool_size();  // ANLIEGEN_DB_POOL_SIZE
  int db_group_max = 64;                // ANLIEGEN_DB_GROUP_MAX: webhook deliveries committed together (1 = off)
  std::size_t max_body_bytes = 4 * 1024 * 1024;  // ANLIEGEN_MAX_BODY_BYTES (Meta sends up to 3 MB)
  int request_timeout_seconds = 30;     // ANLIEGEN_REQUEST_TIMEOUT: a whole request must arrive within this
  int idle_timeout_seconds = 60;        // ANLIEGEN_IDLE_TIMEOUT: idle keep-alive connections are closed
  std::string log_level = "info";       // ANLIEGEN_LOG_LEVEL
  int outbox_retry_base_ms = 5000;      // ANLIEGEN_OUTBOX_RETRY_BASE_MS: first retry delay, doubled each time
  int outbox_workers = 4;               // ANLIEGEN_OUTBOX_WORKERS: platform calls in flight at the same time
  int send_timeout_ms = 15000;          // ANLIEGEN_SEND_TIMEOUT_MS: one call to a platform API, whole exchange
  bool fetch_allow_private = false;     // ANLIEGEN_FETCH_ALLOW_PRIVATE=1: tests fetch from 127.0.0.1
  int retention_days = 0;               // ANLIEGEN_RETENTION_DAYS: closed Anliegen anonymised after; 0 = keep
  std::map<std::string, int> retention_channel_days;  // ANLIEGEN_RETENTION_DAYS_<CHANNEL>, by channel name
  WhatsAppSettings whatsapp;
  MetaSettings meta;
  XChannelSettings x;
  Open311Settings open311;
  HoldieobSettings holdieob;
  config::CityConfig city;  // OPEN311_DUPLICATE_RADIUS_M overrides city.open311.duplicate_radius_m
};

using Environment = std::map<std::string, std::string>;
Environment process_environment();

// Reads everything `serve` needs. `need_database` is false for commands that do not connect.
Settings load_settings(const Environment& env, bool need_database = true);

}  // namespace anliegen::gateway

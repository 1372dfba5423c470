#pragma once
// Downloads attachments in the background. Worker threads (ANLIEGEN_MEDIA_WORKERS) each claim the next
// due `pending` attachment (with a lease, FOR UPDATE SKIP LOCKED), so one slow download holds up no
// other; each is downloaded outside any transaction, and stores the bytes,
// schedules a retry with exponential back-off and jitter, or marks it failed (the error is shown on
// the message). The message itself never depends on the download.
//
//   WhatsApp (media_id): GET {graph_url}/{media_id} with the bearer token → short-lived URL, followed
//   only over https to Meta's media hosts or to the Graph URL's own origin, fetched with the bearer
//   token and a User-Agent; an expired URL (403/404/410) gets one new lookup in the same attempt; the
//   base64 SHA-256 is verified (a mismatch is retried: truncated download).
//   X direct messages (media_id "<dm_id>/<media_id>/<resource_id>"): GET {x_api_url}/2/dm_conversations/
//   media/{media_id} as the city account (OAuth 1.0a signature, or the bearer X_USER_TOKEN).
//   Other channels (source_url): a plain GET with the SSRF address guard, http/https only, an
//   allow-list of types, at most 3 redirects (each checked again).
//
//   MediaFetcher fetcher(app.db(), media_fetcher_options(app.settings(), process_environment()), &metrics);
//   fetcher.start();  ...  fetcher.notify();  ...  fetcher.stop();
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

#include "gateway/db_pool.hpp"
#include "gateway/metrics.hpp"
#include "gateway/workers/platform_auth.hpp"
#include "gateway/workers/wake_signal.hpp"
#include "gateway/settings.hpp"
#include "storage/attachments.hpp"

namespace anliegen::gateway {

struct MediaFetcherOptions {
  std::string graph_url;      // WHATSAPP_GRAPH_URL (no trailing slash)
  std::string access_token;   // WHATSAPP_ACCESS_TOKEN
  std::string x_api_url;      // X_API_URL (no trailing slash)
  Authorizer x_authorize;     // x_authorizer(settings.x); empty while X is not configured
  bool allow_private = false;  // ANLIEGEN_FETCH_ALLOW_PRIVATE, for source_url downloads
  std::size_t max_bytes = 25u * 1024 * 1024;          // ANLIEGEN_MEDIA_MAX_BYTES
  std::chrono::milliseconds retry_base{30000};        // ANLIEGEN_MEDIA_RETRY_BASE_MS
  std::chrono::milliseconds retry_cap{std::chrono::hours(1)};
  int max_attempts = 8;                               // ANLIEGEN_MEDIA_MAX_ATTEMPTS
  std::chrono::milliseconds request_timeout{60000};   // ANLIEGEN_MEDIA_TIMEOUT_MS, per HTTP request
  std::chrono::milliseconds poll{1000};
  int batch = 1;    // attachments one claim takes (a worker downloads them one after the other)
  int workers = 3;  // ANLIEGEN_MEDIA_WORKERS: downloads at the same time (each holds up to max_bytes)
  std::string user_agent = "anliegen";  // "anliegen/<version>" from media_fetcher_options
};

// Reads the ANLIEGEN_MEDIA_* variables (SettingsError on bad values) on top of `settings`.
MediaFetcherOptions media_fetcher_options(const Settings& settings, const Environment& env);

class MediaFetcher {
 public:
  MediaFetcher(DbPool& db, MediaFetcherOptions options, Metrics* metrics = nullptr);
  ~MediaFetcher();
  MediaFetcher(const MediaFetcher&) = delete;
  MediaFetcher& operator=(const MediaFetcher&) = delete;

  void start();
  void stop();    // finishes the current downloads, joins the threads
  void notify();  // new attachments are pending: look now

  // One pass: claims and processes due jobs. Returns how many were processed (for tests).
  int run_once();

  struct Outcome;  // stored / retry / failed, defined in the .cpp

 private:
  void run();
  Outcome process(const storage::MediaJob& job);
  Outcome fetch_whatsapp(const storage::MediaJob& job);
  Outcome fetch_x(const storage::MediaJob& job);
  // GET `url`, following up to 3 redirects; `authorize` (if any) is asked for the Authorization of
  // each request to `url`'s own host only.
  Outcome fetch_direct(const storage::MediaJob& job, std::string url, const Authorizer& authorize, bool trusted);
  void settle(const storage::MediaJob& job, const Outcome& outcome);

  DbPool& db_;
  MediaFetcherOptions options_;
  Metrics* metrics_;
  WakeSignal wake_;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
};

}  // namespace anliegen::gateway

#include "gateway/workers/media_fetcher.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include <algorithm>
#include <random>

#include "channels/crypto.hpp"
#include "channels/whatsapp/outbound.hpp"
#include "gateway/log.hpp"
#include "gateway/net/http_client.hpp"
#include "gateway/workers/media_policy.hpp"

namespace anliegen::gateway {

struct MediaFetcher::Outcome {
  enum class Kind { stored, retry, failed };
  Kind kind = Kind::retry;
  std::string error;
  storage::MediaContent content;
};

namespace {

using Outcome = MediaFetcher::Outcome;
constexpr int kMaxRedirects = 3;

Outcome retry(std::string error) { return {Outcome::Kind::retry, std::move(error), {}}; }
Outcome failed(std::string error) { return {Outcome::Kind::failed, std::move(error), {}}; }

std::string mb(std::size_t bytes) {
  const auto tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024);
  return std::to_string(tenths / 10) + (tenths % 10 ? "," + std::to_string(tenths % 10) : "") + " MB";
}

bool ok_status(int s) { return s >= 200 && s < 300; }
bool redirect_status(int s) { return s == 301 || s == 302 || s == 303 || s == 307 || s == 308; }

// The absolute URL a Location header points to, or "" when it is unusable.
std::string resolve_location(const std::string& base, const std::string& location) {
  auto b = boost::urls::parse_absolute_uri(base);
  auto ref = boost::urls::parse_uri_reference(location);
  if (!b || !ref) return "";
  boost::urls::url out;
  if (!boost::urls::resolve(*b, *ref, out)) return "";
  out.remove_fragment();
  return std::string(out.buffer());
}

// A transport failure as a clerk-readable outcome: size and address refusals are final.
Outcome from_fetch_error(const net::FetchError& e, const std::string& what, std::size_t limit) {
  switch (e.kind()) {
    case net::FetchErrorKind::too_large: return failed(what + " is larger than the limit of " + mb(limit));
    case net::FetchErrorKind::forbidden_address:
    case net::FetchErrorKind::invalid_url: return failed(what + " was refused: " + std::string(e.what()));
    default: return retry(what + " failed (" + std::string(net::to_string(e.kind())) + "): " + e.what());
  }
}

// Checks the platform's hash and picks the type; a mismatch is retried (often a truncated body).
Outcome finish(std::string bytes, const std::string& content_type, const std::string& declared,
               const std::string& expected_sha256_base64) {
  const auto digest = channels::sha256(bytes);
  if (!expected_sha256_base64.empty() &&
      !channels::constant_time_equal(channels::to_base64(digest), expected_sha256_base64)) {
    return retry("the downloaded file does not match the platform's SHA-256 (incomplete download?)");
  }
  Outcome o{Outcome::Kind::stored, "", {}};
  o.content.mime_type = media::choose_mime(content_type, declared);
  o.content.sha256_hex = channels::to_hex(digest);
  o.content.bytes = std::move(bytes);
  return o;
}

std::int64_t env_int(const Environment& env, const std::string& key, std::int64_t fallback, std::int64_t min,
                     std::int64_t max) {
  auto it = env.find(key);
  if (it == env.end() || it->second.empty()) return fallback;
  try {
    std::size_t used = 0;
    const auto v = std::stoll(it->second, &used);
    if (used != it->second.size() || v < min || v > max) throw std::out_of_range(key);
    return v;
  } catch (const std::exception&) {
    throw SettingsError(key, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max));
  }
}

}  // namespace

MediaFetcherOptions media_fetcher_options(const Settings& settings, const Environment& env) {
  MediaFetcherOptions o;
  o.graph_url = settings.whatsapp.graph_url;
  o.access_token = settings.whatsapp.access_token;
  o.x_api_url = settings.x.api_url;
  o.x_authorize = x_authorizer(settings.x);
  o.allow_private = settings.fetch_allow_private;
  o.max_bytes = static_cast<std::size_t>(env_int(env, "ANLIEGEN_MEDIA_MAX_BYTES", 25 * 1024 * 1024, 1024,
                                                 100 * 1024 * 1024));
  o.retry_base = std::chrono::milliseconds(env_int(env, "ANLIEGEN_MEDIA_RETRY_BASE_MS", 30000, 1, 3600000));
  o.max_attempts = static_cast<int>(env_int(env, "ANLIEGEN_MEDIA_MAX_ATTEMPTS", 8, 1, 100));
  o.request_timeout = std::chrono::milliseconds(env_int(env, "ANLIEGEN_MEDIA_TIMEOUT_MS", 60000, 100, 600000));
  o.workers = static_cast<int>(env_int(env, "ANLIEGEN_MEDIA_WORKERS", 3, 1, 32));
  o.user_agent = "anliegen/" ANLIEGEN_VERSION;
  return o;
}

MediaFetcher::MediaFetcher(DbPool& db, MediaFetcherOptions options, Metrics* metrics)
    : db_(db), options_(std::move(options)), metrics_(metrics) {
  if (!metrics_) return;
  for (const char* result : {"stored", "retry", "failed"}) metrics_->declare("media_downloads_total", "result", result);
}

MediaFetcher::~MediaFetcher() { stop(); }

void MediaFetcher::start() {
  if (!threads_.empty()) return;
  stopping_ = false;
  for (int i = 0; i < std::max(1, options_.workers); ++i) threads_.emplace_back([this] { run(); });
}

void MediaFetcher::stop() {
  stopping_ = true;
  notify();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

void MediaFetcher::notify() { wake_.notify(); }

void MediaFetcher::run() {
  while (!stopping_) {
    const auto seen = wake_.ticket();
    int done = 0;
    try {
      done = run_once();
    } catch (const std::exception& e) {
      log::warn("media_fetch_error", {{"error", e.what()}});
    }
    if (done > 0) continue;
    wake_.wait(seen, options_.poll, stopping_);
  }
}

int MediaFetcher::run_once() {
  // The lease outlasts one attempt (a lookup and a download, each possibly repeated once).
  const auto lease = std::chrono::duration_cast<std::chrono::seconds>(options_.request_timeout * 4) +
                     std::chrono::seconds(60);
  std::vector<storage::MediaJob> jobs;
  db_.run_blocking([&](storage::Connection& c) {
    c.transact([&](storage::Tx& tx) { jobs = storage::claim_media_jobs(tx, options_.batch, lease); });
  });
  for (const auto& job : jobs) {
    if (stopping_) break;  // the lease runs out and the row is claimed again later
    Outcome outcome;
    if (job.attempts > options_.max_attempts) {
      outcome = failed("gave up after " + std::to_string(options_.max_attempts) + " attempts");
    } else {
      try {
        outcome = process(job);
      } catch (const std::exception& e) {
        outcome = retry(std::string("internal error: ") + e.what());
      }
    }
    settle(job, outcome);
  }
  return static_cast<int>(jobs.size());
}

MediaFetcher::Outcome MediaFetcher::process(const storage::MediaJob& job) {
  if (job.channel == "whatsapp") return fetch_whatsapp(job);
  if (job.channel == "x" && !job.media_id.empty()) return fetch_x(job);
  if (job.source_url.empty()) return failed("nothing to download: the attachment has no URL");
  return fetch_direct(job, job.source_url, {}, false);
}

void MediaFetcher::settle(const storage::MediaJob& job, const Outcome& outcome) {
  auto kind = outcome.kind;
  std::string error = outcome.error;
  if (kind == Outcome::Kind::retry && job.attempts >= options_.max_attempts) {
    kind = Outcome::Kind::failed;
    error = "download failed after " + std::to_string(job.attempts) + " attempts; last error: " + error;
  }
  thread_local std::mt19937_64 rng{std::random_device{}()};
  const auto delay = media::retry_delay(job.attempts, options_.retry_base, options_.retry_cap,
                                        std::uniform_real_distribution<double>(0.0, 1.0)(rng));
  db_.run_blocking([&](storage::Connection& c) {
    c.transact([&](storage::Tx& tx) {
      switch (kind) {
        case Outcome::Kind::stored: storage::store_media(tx, job.id, outcome.content); break;
        case Outcome::Kind::retry: storage::retry_media_later(tx, job.id, error, delay); break;
        case Outcome::Kind::failed: storage::fail_media(tx, job.id, error); break;
      }
    });
  });
  const char* result = kind == Outcome::Kind::stored ? "stored" : kind == Outcome::Kind::retry ? "retry" : "failed";
  if (metrics_) metrics_->count("media_downloads_total", "result", result);
  log::info("media_download", {{"attachment_id", job.id.value},
                               {"channel", job.channel},
                               {"attempt", job.attempts},
                               {"result", result},
                               {"size", static_cast<std::int64_t>(outcome.content.bytes.size())},
                               {"error", error}});
}

MediaFetcher::Outcome MediaFetcher::fetch_whatsapp(const storage::MediaJob& job) {
  const auto limit = media::size_limit(job.kind, options_.max_bytes);
  const std::vector<std::pair<std::string, std::string>> auth{{"Authorization", "Bearer " + options_.access_token},
                                                              {"User-Agent", options_.user_agent}};
  std::string url = job.source_url;
  std::string expected = job.expected_sha256;
  std::string declared = job.mime_type;

  const auto lookup_timeout = std::min(options_.request_timeout, std::chrono::milliseconds(30000));

  // GET {graph}/{media_id} → the short-lived URL. An empty optional means: go on with `url`.
  auto lookup = [&]() -> std::optional<Outcome> {
    const auto r = channels::whatsapp::render_media_lookup(job.media_id);
    net::IncomingResponse res;
    try {
      res = net::fetch(net::OutgoingRequest{.method = r.method,
                                            .url = options_.graph_url + r.path,
                                            .headers = auth,
                                            .timeout = lookup_timeout,
                                            .max_response_bytes = 1 << 20});
    } catch (const net::FetchError& e) {
      return from_fetch_error(e, "the media lookup", 1 << 20);
    }
    if (res.status == 400 || res.status == 404 || res.status == 410) {
      return failed("WhatsApp no longer has this media (lookup answered HTTP " + std::to_string(res.status) +
                    "; media ids expire after 7 days)");
    }
    if (!ok_status(res.status)) return retry("the media lookup answered HTTP " + std::to_string(res.status));
    const auto info = channels::whatsapp::parse_media_lookup(res.body);
    if (!info) return retry("the media lookup answer has no download URL");
    if (info->file_size > 0 && static_cast<std::size_t>(info->file_size) > limit) {
      return failed("the file (" + mb(static_cast<std::size_t>(info->file_size)) + ") is larger than the limit of " +
                    mb(limit));
    }
    url = info->url;
    if (expected.empty()) expected = info->sha256_base64;
    if (declared.empty()) declared = info->mime_type;
    return std::nullopt;
  };

  if (!job.media_id.empty()) {
    if (auto o = lookup()) return *o;
  } else if (url.empty()) {
    return failed("nothing to download: the attachment has neither a media id nor a URL");
  }
  bool relooked = job.media_id.empty();  // a URL without media id cannot be renewed
  for (int hops = 0;; ++hops) {
    if (!media::may_follow_whatsapp_url(url, options_.graph_url)) {
      return failed("refused to download from " + media::url_host(url) +
                    ": WhatsApp media is only fetched from Meta's media hosts");
    }
    net::OutgoingRequest req{.url = url, .headers = auth, .timeout = options_.request_timeout,
                             .max_response_bytes = limit};
    net::IncomingResponse res;
    try {
      const bool graph_origin = media::url_host(url) == media::url_host(options_.graph_url);
      res = graph_origin ? net::fetch(req) : net::fetch(req, net::AddressPolicy{options_.allow_private});
    } catch (const net::FetchError& e) {
      return from_fetch_error(e, "the download", limit);
    }
    if (redirect_status(res.status) && hops < kMaxRedirects) {
      url = resolve_location(url, res.header("location"));
      continue;
    }
    if ((res.status == 403 || res.status == 404 || res.status == 410) && !relooked) {
      relooked = true;  // the 5-minute URL expired: ask for a new one, once per attempt
      if (auto o = lookup()) return *o;
      continue;
    }
    if (!ok_status(res.status)) return retry("the download answered HTTP " + std::to_string(res.status));
    return finish(std::move(res.body), res.header("content-type"), declared, expected);
  }
}

MediaFetcher::Outcome MediaFetcher::fetch_x(const storage::MediaJob& job) {
  if (!options_.x_authorize) {
    return failed("X media needs the city account's credentials (X_ACCESS_TOKEN or X_USER_TOKEN) to be downloaded");
  }
  return fetch_direct(job, options_.x_api_url + "/2/dm_conversations/media/" + job.media_id, options_.x_authorize,
                      true);
}

MediaFetcher::Outcome MediaFetcher::fetch_direct(const storage::MediaJob& job, std::string url,
                                                 const Authorizer& authorize, bool trusted) {
  const auto limit = media::size_limit(job.kind, options_.max_bytes);
  const auto auth_host = media::url_host(url);
  for (int hops = 0;; ++hops) {
    net::OutgoingRequest req{.url = url,
                             .headers = {{"User-Agent", options_.user_agent}, {"Accept", "*/*"}},
                             .timeout = options_.request_timeout,
                             .max_response_bytes = limit};
    const bool own_host = media::url_host(url) == auth_host;
    if (own_host && authorize) req.headers.emplace_back("Authorization", authorize(req.method, req.url));
    net::IncomingResponse res;
    try {
      res = trusted && own_host ? net::fetch(req) : net::fetch(req, net::AddressPolicy{options_.allow_private});
    } catch (const net::FetchError& e) {
      return from_fetch_error(e, "the download from " + media::url_host(url), limit);
    }
    if (redirect_status(res.status)) {
      if (hops >= kMaxRedirects) return failed("too many redirects");
      url = resolve_location(url, res.header("location"));
      if (url.empty()) return failed("the download redirected to an unusable location");
      continue;
    }
    if (res.status == 404 || res.status == 410) {
      return failed("the file is gone (" + media::url_host(url) + " answered HTTP " + std::to_string(res.status) + ")");
    }
    if (!ok_status(res.status)) {
      return retry(media::url_host(url) + " answered HTTP " + std::to_string(res.status));
    }
    const auto type = media::choose_mime(res.header("content-type"), job.mime_type);
    if (!media::is_accepted_generic_type(type)) return failed("files of type " + type + " are not accepted");
    return finish(std::move(res.body), type, job.mime_type, job.expected_sha256);
  }
}

}  // namespace anliegen::gateway

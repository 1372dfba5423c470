#pragma once
// The WhatsApp Graph API on a FakePlatform: message sends, call rejections, media lookups and media
// downloads behaving like Meta's (bearer token and User-Agent required, short-lived URLs).
//
//   FakePlatform fake;
//   auto graph = make_fake_graph(fake);            // WHATSAPP_GRAPH_URL = graph->graph_url()
//   graph->add_media("900000000000003", bytes, "image/jpeg");
//   graph->expire_media_url("900000000000003");    // first download 404, re-lookup, then success
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "fake_platform.hpp"

namespace anliegen::testing {

struct FakeGraphOptions {
  std::string version_prefix;                      // e.g. "/v23.0"; "" = no version segment
  std::string access_token = "test-access-token";  // the bearer token every Graph call must carry
};

// State behind the Graph handlers installed by make_fake_graph:
//  * POST {v}/{phone_number_id}/messages → {"messaging_product":"whatsapp","contacts":[...],
//    "messages":[{"id":"wamid.FAKE-<n>"}]} (mark-as-read bodies → {"success":true});
//    A template whose name starts with "missing_" is refused: 404 with error code 132001 (not recorded);
//  * POST {v}/{phone_number_id}/calls → {"success":true};
//  * GET {v}/{media_id} → the media lookup for media added with add_media (else 404 with a Graph error);
//  * GET /media-download/{id} → the bytes, only with "Authorization: Bearer <token>" (else 401) and a
//    User-Agent (else 403); 404 while the media URL is expired.
// A wrong bearer token on Graph calls gets 401 with error code 190.
class FakeGraph {
 public:
  FakeGraph(FakePlatform& platform, FakeGraphOptions options);

  std::string graph_url() const;  // base_url + version prefix: the value for WHATSAPP_GRAPH_URL
  const std::string& access_token() const { return options_.access_token; }

  void add_media(const std::string& id, std::string bytes, std::string mime_type);
  // The next `n` downloads of this media answer 404 (the short-lived URL "expired"); a new lookup
  // does not reset it, so n = 1 means: first download fails, the one after the re-lookup works.
  void expire_media_url(const std::string& id, int n = 1);
  // The next `n` downloads of this media return truncated bytes (the hash check must fail).
  void truncate_next_download(const std::string& id, int n = 1);
  // Makes the lookup of this media return `url` instead of the fake's own download URL.
  void set_media_url(const std::string& id, std::string url);
  // Makes the lookup state this base64 SHA-256 instead of the real one.
  void set_media_sha256(const std::string& id, std::string sha256_base64);

  // The next `n` free-text messages (type "text") to this recipient (the "to" or "recipient" value) are
  // refused with error 131047, as Meta refuses them once the 24-hour window has closed.
  void close_window(const std::string& recipient, int n = 1);

  // Accepted POST .../messages (including mark-as-read) in order, the wamids handed out, and the
  // accepted POST .../calls.
  std::vector<RecordedRequest> sent_messages() const;
  std::vector<std::string> issued_wamids() const;
  std::vector<RecordedRequest> call_actions() const;

  static std::string sha256_base64(const std::string& bytes);

 private:
  friend std::shared_ptr<FakeGraph> make_fake_graph(FakePlatform& platform, FakeGraphOptions options);
  struct Media {
    std::string bytes;
    std::string mime_type;
    std::string url_override;
    std::string sha_override;
    int expired = 0;
    int truncated = 0;
  };
  FakeResponse handle_graph(const RecordedRequest& r);
  FakeResponse handle_download(const RecordedRequest& r);
  bool authorized(const RecordedRequest& r) const;

  std::string base_url_;
  FakeGraphOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, int> closed_windows_;
  std::map<std::string, Media> media_;
  std::vector<std::string> wamids_;
  std::vector<RecordedRequest> sent_;
  std::vector<RecordedRequest> calls_;
  int next_wamid_ = 1;
};

// Installs the Graph behaviour on `platform` (handlers under the version prefix and /media-download/).
// The handlers share ownership of the returned object.
std::shared_ptr<FakeGraph> make_fake_graph(FakePlatform& platform, FakeGraphOptions options = {});

}  // namespace anliegen::testing

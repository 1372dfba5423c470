// MediaFetcher against the fake Graph API and the real PostgreSQL.
#include <doctest/doctest.h>

#include <thread>

#include "channels/crypto.hpp"
#include "fake_graph.hpp"
#include "gateway/workers/media_fetcher.hpp"
#include "media_fixture.hpp"
#include "storage/attachments.hpp"

using namespace anliegen;
using namespace anliegen::gateway;
using testing::FakePlatform;
using testing::FakeResponse;
using testing::RecordedRequest;

namespace {

struct Rig {
  testing::MediaFixture f;
  FakePlatform fake;
  std::shared_ptr<testing::FakeGraph> graph = testing::make_fake_graph(fake, {.version_prefix = "/v23.0"});
  DbPool pool{f.db.dsn(), 1, 100};
  Metrics metrics;
  MediaFetcherOptions options;

  Rig() {
    options.graph_url = graph->graph_url();
    options.access_token = graph->access_token();
    options.retry_base = std::chrono::milliseconds(20);
    options.max_attempts = 3;
    options.request_timeout = std::chrono::milliseconds(3000);
    options.user_agent = "anliegen/test";
  }
  ~Rig() { pool.stop(); }

  // Runs the fetcher until the attachment left `pending` (or ~10 s passed).
  std::string drive(std::int64_t id, MediaFetcher& fetcher) {
    for (int i = 0; i < 500 && f.state(id) == "pending"; ++i) {
      if (fetcher.run_once() == 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return f.state(id);
  }
  std::string content_hex(std::int64_t id) const { return f.column(id, "encode(content, 'hex')"); }
};

std::string hex(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

const std::string kJpeg = std::string("\xff\xd8\xff\xe0", 4) + std::string(3000, '\x42') + std::string("\0\xff\xd9", 3);

}  // namespace

TEST_CASE("a WhatsApp image is looked up, downloaded with token and User-Agent, verified and stored") {
  Rig r;
  r.graph->add_media("900000000000001", kJpeg, "image/jpeg");
  const auto id = r.f.add({.media_id = "900000000000001",
                           .expected_sha256 = testing::FakeGraph::sha256_base64(kJpeg),
                           .mime_type = "image/jpeg"});
  MediaFetcher fetcher(r.pool, r.options, &r.metrics);
  CHECK(r.drive(id, fetcher) == "stored");
  CHECK(r.content_hex(id) == hex(kJpeg));
  CHECK(r.f.column(id, "size") == std::to_string(kJpeg.size()));
  CHECK(r.f.column(id, "sha256") == channels::to_hex(channels::sha256(kJpeg)));
  CHECK(r.f.column(id, "mime_type") == "image/jpeg");
  CHECK(r.f.attempts(id) == 1);

  const auto lookups = r.fake.requests("/v23.0/900000000000001");
  REQUIRE(lookups.size() == 1);
  CHECK(lookups[0].header("authorization") == "Bearer test-access-token");
  const auto downloads = r.fake.requests("/media-download/");
  REQUIRE(downloads.size() == 1);
  CHECK(downloads[0].header("authorization") == "Bearer test-access-token");
  CHECK(downloads[0].header("user-agent") == "anliegen/test");
  CHECK(downloads[0].answered_status == 200);
  CHECK(r.metrics.render().find("media_downloads_total{result=\"stored\"} 1") != std::string::npos);
}

TEST_CASE("an expired media URL gets a new lookup within the same attempt") {
  Rig r;
  r.graph->add_media("m-exp", kJpeg, "image/jpeg");
  r.graph->expire_media_url("m-exp", 1);
  const auto id = r.f.add({.media_id = "m-exp"});
  MediaFetcher fetcher(r.pool, r.options);
  CHECK(r.drive(id, fetcher) == "stored");
  CHECK(r.f.attempts(id) == 1);
  CHECK(r.fake.requests("/v23.0/m-exp").size() == 2);
  const auto downloads = r.fake.requests("/media-download/m-exp");
  REQUIRE(downloads.size() == 2);
  CHECK(downloads[0].answered_status == 404);
  CHECK(downloads[1].answered_status == 200);
  CHECK(r.content_hex(id) == hex(kJpeg));
}

TEST_CASE("a hash mismatch (truncated download) is retried, then stored") {
  Rig r;
  r.graph->add_media("m-trunc", kJpeg, "image/jpeg");
  r.graph->truncate_next_download("m-trunc", 1);
  const auto id = r.f.add({.media_id = "m-trunc"});
  MediaFetcher fetcher(r.pool, r.options);
  CHECK(fetcher.run_once() == 1);
  CHECK(r.f.state(id) == "pending");
  CHECK(r.f.error(id).find("SHA-256") != std::string::npos);
  CHECK(r.drive(id, fetcher) == "stored");
  CHECK(r.f.attempts(id) == 2);
  CHECK(r.f.error(id).empty());
  CHECK(r.content_hex(id) == hex(kJpeg));
}

TEST_CASE("a download that keeps failing is marked failed after the maximum attempts, visibly") {
  Rig r;
  r.graph->add_media("m-down", kJpeg, "image/jpeg");
  r.fake.fail_next(100, 500, "/media-download/");
  const auto id = r.f.add({.media_id = "m-down"});
  MediaFetcher fetcher(r.pool, r.options);
  CHECK(r.drive(id, fetcher) == "failed");
  CHECK(r.f.attempts(id) == 3);
  CHECK(r.f.error(id) == "download failed after 3 attempts; last error: the download answered HTTP 500");
  CHECK(r.fake.requests("/media-download/").size() == 3);

  std::optional<domain::Anliegen> a;
  r.f.conn->read([&](storage::Tx& tx) { a = storage::get_case(tx, domain::AnliegenId{r.f.anliegen_id}); });
  REQUIRE(a);
  REQUIRE(a->messages.at(0).attachments.size() == 1);
  CHECK(a->messages[0].attachments[0].state == "failed");
  CHECK(a->messages[0].attachments[0].error.find("HTTP 500") != std::string::npos);
}

TEST_CASE("unknown media and files over the size limit fail at once") {
  Rig r;
  r.graph->add_media("m-sticker", std::string(600 * 1024, 's'), "image/webp");
  const auto unknown = r.f.add({.media_id = "m-unknown"});
  const auto sticker = r.f.add({.kind = "sticker", .media_id = "m-sticker"});
  MediaFetcher fetcher(r.pool, r.options);
  CHECK(r.drive(unknown, fetcher) == "failed");
  CHECK(r.f.error(unknown).find("no longer has this media") != std::string::npos);
  CHECK(r.drive(sticker, fetcher) == "failed");
  CHECK(r.f.error(sticker).find("larger than the limit of 0,5 MB") != std::string::npos);
  CHECK(r.fake.requests("/media-download/").empty());
}

TEST_CASE("a lookup pointing to another host is refused without contacting it") {
  Rig r;
  FakePlatform elsewhere;  // same address, other port: another origin
  elsewhere.on("GET", "/", [](const RecordedRequest&) { return FakeResponse{200, "image/jpeg", "stolen", {}}; });
  r.graph->add_media("m-evil", kJpeg, "image/jpeg");
  r.graph->set_media_url("m-evil", elsewhere.base_url() + "/media-download/m-evil");
  r.graph->add_media("m-http", kJpeg, "image/jpeg");
  r.graph->set_media_url("m-http", "http://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1");
  const auto evil = r.f.add({.media_id = "m-evil"});
  const auto plain = r.f.add({.media_id = "m-http"});
  MediaFetcher fetcher(r.pool, r.options);
  CHECK(r.drive(evil, fetcher) == "failed");
  CHECK(r.f.error(evil) ==
        "refused to download from 127.0.0.1: WhatsApp media is only fetched from Meta's media hosts");
  CHECK(r.drive(plain, fetcher) == "failed");
  CHECK(r.f.error(plain).find("lookaside.fbsbx.com") != std::string::npos);
  CHECK(elsewhere.count() == 0);
  CHECK(r.f.error(plain).find("mid=") == std::string::npos);  // no URL query in messages
}

TEST_CASE("source_url downloads: private addresses refused unless allowed, types checked") {
  Rig r;
  r.fake.on("GET", "/files/", [](const RecordedRequest& req) {
    if (req.path == "/files/page.html") return FakeResponse{200, "text/html", "<script>1</script>", {}};
    if (req.path == "/files/moved.jpg") return FakeResponse{302, "", "", {{"Location", "/files/photo.jpg"}}};
    return FakeResponse{200, "image/jpeg", std::string("\xff\xd8\xff", 3) + "photo", {}};
  });
  const auto url = r.fake.base_url() + "/files/photo.jpg";
  const auto refused = r.f.add({.channel = "maengelmelder", .source_url = url});
  {
    MediaFetcher strict(r.pool, r.options);
    CHECK(r.drive(refused, strict) == "failed");
    CHECK(r.f.error(refused) ==
          "the download from 127.0.0.1 was refused: the host resolves to a loopback address, which is not fetched");
    CHECK(r.fake.count("/files/") == 0);
  }
  r.options.allow_private = true;
  MediaFetcher lenient(r.pool, r.options);
  const auto ok = r.f.add({.channel = "maengelmelder", .source_url = url});
  const auto redirected = r.f.add({.channel = "maengelmelder", .source_url = r.fake.base_url() + "/files/moved.jpg"});
  const auto html =
      r.f.add({.channel = "maengelmelder", .kind = "document", .source_url = r.fake.base_url() + "/files/page.html"});
  const auto ftp = r.f.add({.channel = "maengelmelder", .source_url = "ftp://example.org/x.jpg"});
  CHECK(r.drive(ok, lenient) == "stored");
  CHECK(r.f.column(ok, "mime_type") == "image/jpeg");
  CHECK(r.fake.requests("/files/photo.jpg").at(0).header("authorization").empty());  // no token leaves us
  CHECK(r.drive(redirected, lenient) == "stored");
  CHECK(r.drive(html, lenient) == "failed");
  CHECK(r.f.error(html) == "files of type text/html are not accepted");
  CHECK(r.drive(ftp, lenient) == "failed");
}

TEST_CASE("the worker thread picks up pending attachments and stops cleanly") {
  Rig r;
  r.graph->add_media("m-thread", kJpeg, "image/jpeg");
  MediaFetcher fetcher(r.pool, r.options);
  fetcher.start();
  const auto id = r.f.add({.media_id = "m-thread"});
  fetcher.notify();
  for (int i = 0; i < 200 && r.f.state(id) == "pending"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(r.f.state(id) == "stored");
  fetcher.stop();
  fetcher.stop();  // idempotent
}

TEST_CASE("a hanging download holds up only its own worker") {
  Rig r;
  r.options.workers = 2;
  r.options.request_timeout = std::chrono::milliseconds(60000);
  r.graph->add_media("m-slow", kJpeg, "image/jpeg");
  r.graph->add_media("m-fast", kJpeg, "image/jpeg");
  r.fake.hang_next(1, "/v23.0/m-slow");  // the lookup is read and never answered
  MediaFetcher fetcher(r.pool, r.options);
  fetcher.start();
  const auto slow = r.f.add({.media_id = "m-slow"});
  fetcher.notify();
  for (int i = 0; i < 200 && r.fake.dropped().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  REQUIRE(r.fake.dropped().size() == 1);
  const auto fast = r.f.add({.media_id = "m-fast"});
  fetcher.notify();
  for (int i = 0; i < 200 && r.f.state(fast) == "pending"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(r.f.state(fast) == "stored");
  CHECK(r.f.state(slow) == "pending");
  r.fake.stop();  // ends the hanging request, so the worker can stop
  fetcher.stop();
}

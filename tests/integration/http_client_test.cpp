// net::fetch against a FakePlatform on 127.0.0.1, and the fake's own programmable behaviour.
#include <doctest/doctest.h>

#include <filesystem>
#include <thread>

#include "fake_platform.hpp"
#include "gateway/net/http_client.hpp"
#include "test_env.hpp"

using namespace anliegen;
using namespace anliegen::gateway;
using testing::FakePlatform;
using testing::FakeResponse;
using testing::RecordedRequest;

namespace {

net::FetchErrorKind fetch_error(const net::OutgoingRequest& req, const net::AddressPolicy* policy = nullptr) {
  try {
    if (policy) {
      net::fetch(req, *policy);
    } else {
      net::fetch(req);
    }
  } catch (const net::FetchError& e) {
    return e.kind();
  }
  FAIL("no FetchError for " << req.url);
  return net::FetchErrorKind::protocol;
}

std::size_t thread_count() {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& task : std::filesystem::directory_iterator("/proc/self/task")) ++n;
  return n;
}

}  // namespace

TEST_CASE("a GET returns status, lower-case headers and body; the request carries Host and a User-Agent") {
  FakePlatform fake;
  fake.on("GET", "/hello", [](const RecordedRequest& r) {
    return FakeResponse{200, "text/plain", "hi " + r.query, {{"X-Extra", "1"}}};
  });
  const auto res = net::fetch({.url = fake.base_url() + "/hello/world?a=1&b=%20", .headers = {{"X-Test", "yes"}}});
  CHECK(res.status == 200);
  CHECK(res.body == "hi a=1&b=%20");
  CHECK(res.header("content-type") == "text/plain");
  CHECK(res.header("x-extra") == "1");
  const auto seen = fake.requests("/hello");
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].method == "GET");
  CHECK(seen[0].target == "/hello/world?a=1&b=%20");
  CHECK(seen[0].header("host") == "127.0.0.1:" + std::to_string(fake.port()));
  CHECK(seen[0].header("x-test") == "yes");
  CHECK(seen[0].header("user-agent").rfind("anliegen/", 0) == 0);
  CHECK(seen[0].answered_status == 200);
}

TEST_CASE("a POST sends its body; HTTP errors and redirects are answers, not exceptions") {
  FakePlatform fake;
  fake.on("POST", "/", [](const RecordedRequest& r) { return FakeResponse{201, "application/json", r.body, {}}; });
  fake.on("GET", "/moved", [](const RecordedRequest&) {
    return FakeResponse{302, "", "", {{"Location", "https://example.org/"}}};
  });
  auto res = net::fetch({.method = "POST", .url = fake.base_url() + "/x", .body = R"({"a":1})"});
  CHECK(res.status == 201);
  CHECK(res.body == R"({"a":1})");
  CHECK(fake.requests("/x")[0].header("content-length") == "7");

  fake.fail_next(1, 503, "/x");
  res = net::fetch({.method = "POST", .url = fake.base_url() + "/x", .body = "{}"});
  CHECK(res.status == 503);
  CHECK(fake.requests("/x").back().answered_status == 503);

  res = net::fetch({.url = fake.base_url() + "/moved"});
  CHECK(res.status == 302);
  CHECK(res.header("location") == "https://example.org/");
  CHECK(net::fetch({.url = fake.base_url() + "/nothing-here"}).status == 404);
}

TEST_CASE("limits: too large bodies and timeouts; a hung request is dropped, not received") {
  FakePlatform fake;
  fake.on("GET", "/big", [](const RecordedRequest&) {
    return FakeResponse{200, "application/octet-stream", std::string(5000, 'x'), {}};
  });
  CHECK(fetch_error({.url = fake.base_url() + "/big", .max_response_bytes = 4000}) == net::FetchErrorKind::too_large);
  CHECK(net::fetch({.url = fake.base_url() + "/big", .max_response_bytes = 5000}).body.size() == 5000);

  fake.hang_next(1, "/big");
  const auto started = std::chrono::steady_clock::now();
  CHECK(fetch_error({.url = fake.base_url() + "/big", .timeout = std::chrono::milliseconds(300)}) ==
        net::FetchErrorKind::timeout);
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(3));
  CHECK(fake.dropped("/big").size() == 1);
  CHECK(fake.requests("/big").size() == 2);  // the two answered ones only
}

TEST_CASE("the address guard refuses loopback unless private addresses are allowed") {
  FakePlatform fake;
  fake.on("GET", "/", [](const RecordedRequest&) { return FakeResponse{200, "text/plain", "ok", {}}; });
  const net::AddressPolicy strict{};
  const net::AddressPolicy lenient{.allow_private = true};
  CHECK(fetch_error({.url = fake.base_url() + "/a"}, &strict) == net::FetchErrorKind::forbidden_address);
  CHECK(fetch_error({.url = "http://localhost:" + std::to_string(fake.port()) + "/a"}, &strict) ==
        net::FetchErrorKind::forbidden_address);
  CHECK(fetch_error({.url = "http://[::1]:" + std::to_string(fake.port()) + "/a"}, &strict) ==
        net::FetchErrorKind::forbidden_address);
  CHECK(fetch_error({.url = "http://169.254.169.254/latest/meta-data/"}, &lenient) ==
        net::FetchErrorKind::forbidden_address);
  CHECK(fake.count() == 0);  // refused before connecting
  CHECK(net::fetch({.url = fake.base_url() + "/a"}, lenient).body == "ok");
}

TEST_CASE("connection failures, TLS failures and invalid URLs") {
  const auto closed = testing::free_port();
  CHECK(fetch_error({.url = "http://127.0.0.1:" + std::to_string(closed) + "/"}) == net::FetchErrorKind::connect);
  CHECK(fetch_error({.url = "https://127.0.0.1:" + std::to_string(closed) + "/"}) == net::FetchErrorKind::connect);
  {
    FakePlatform fake;  // speaks plain HTTP: the TLS handshake cannot succeed
    CHECK(fetch_error({.url = "https://127.0.0.1:" + std::to_string(fake.port()) + "/",
                       .timeout = std::chrono::milliseconds(3000)}) == net::FetchErrorKind::tls);
  }
  for (const char* url : {"ftp://example.org/x", "not a url", "http://", "/relative/path",
                          "http://user:pw@example.org/", "http://example.org:99999/", "http://exa mple.org/",
                          "file:///etc/passwd", "javascript:alert(1)"}) {
    CAPTURE(url);
    CHECK(fetch_error({.url = url}) == net::FetchErrorKind::invalid_url);
  }
}

TEST_CASE("the fake platform: longest prefix wins, failures are counted per prefix, wait_for sees answers") {
  FakePlatform fake;
  fake.on("*", "/", [](const RecordedRequest&) { return FakeResponse{200, "text/plain", "root", {}}; });
  fake.on("GET", "/a/", [](const RecordedRequest&) { return FakeResponse{200, "text/plain", "a", {}}; });
  fake.on("GET", "/a/b/", [](const RecordedRequest&) { return FakeResponse{200, "text/plain", "ab", {}}; });
  CHECK(net::fetch({.url = fake.base_url() + "/a/b/c"}).body == "ab");
  CHECK(net::fetch({.url = fake.base_url() + "/a/c"}).body == "a");
  CHECK(net::fetch({.method = "DELETE", .url = fake.base_url() + "/a/c"}).body == "root");

  fake.fail_next(2, 429, "/a/b/");
  CHECK(net::fetch({.url = fake.base_url() + "/a/c"}).status == 200);
  CHECK(net::fetch({.url = fake.base_url() + "/a/b/1"}).status == 429);
  CHECK(net::fetch({.url = fake.base_url() + "/a/b/2"}).status == 429);
  CHECK(net::fetch({.url = fake.base_url() + "/a/b/3"}).status == 200);
  fake.fail_next(1, FakeResponse{500, "application/json", R"({"error":{"code":130429}})", {}});
  CHECK(net::fetch({.url = fake.base_url() + "/z"}).body == R"({"error":{"code":130429}})");

  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    net::fetch({.url = fake.base_url() + "/late"});
  });
  CHECK(fake.wait_for(1, "/late", std::chrono::seconds(10)));
  later.join();
  CHECK_FALSE(fake.wait_for(2, "/late", std::chrono::milliseconds(50)));
  fake.clear();
  CHECK(fake.count() == 0);
}

TEST_CASE("stopping the fake closes hung connections") {
  auto fake = std::make_unique<FakePlatform>();
  fake->hang_next(1);
  const auto url = fake->base_url() + "/hang";
  std::thread client([&] {
    CHECK(fetch_error({.url = url, .timeout = std::chrono::seconds(30)}) != net::FetchErrorKind::timeout);
  });
  for (int i = 0; i < 200 && fake->dropped().empty(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(fake->dropped().size() == 1);
  const auto started = std::chrono::steady_clock::now();
  fake.reset();
  client.join();
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(10));
}

TEST_CASE("a thread's requests share one context: one resolver thread, not one per request") {
  FakePlatform fake;
  fake.on("GET", "/", [](const RecordedRequest&) { return FakeResponse{200, "text/plain", "ok", {}}; });
  const auto by_name = "http://localhost:" + std::to_string(fake.port()) + "/n";
  std::thread worker([&] {  // a fresh thread, as an outbox worker is
    const auto before = thread_count();
    CHECK(net::fetch({.url = by_name}).body == "ok");
    const auto with_resolver = thread_count();
    CHECK(with_resolver == before + 1);  // the name lookup's thread stays for the next request
    for (int i = 0; i < 10; ++i) CHECK(net::fetch({.url = by_name}).body == "ok");
    CHECK(fetch_error({.url = "http://127.0.0.1:" + std::to_string(testing::free_port()) + "/"}) ==
          net::FetchErrorKind::connect);
    CHECK(net::fetch({.url = fake.base_url() + "/ip"}).body == "ok");  // an address: no lookup at all
    CHECK(thread_count() == with_resolver);
  });
  worker.join();
  CHECK(fake.requests("/").size() == 12);
}

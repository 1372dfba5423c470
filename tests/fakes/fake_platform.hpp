#pragma once
// A programmable HTTP/1.1 server on 127.0.0.1:<free port> that stands in for a platform API (Graph API,
// X API, holdieob) in integration and e2e tests. It runs on its own thread and records every request.
//
//   FakePlatform fake;
//   fake.on("POST", "/v23.0/", [](const RecordedRequest& r) { return FakeResponse{200, "application/json", "{}"}; });
//   fake.fail_next(2, 503);          // the next two requests get 503 (and are recorded)
//   fake.hang_next(1);               // the next request is read but never answered (recorded as dropped)
//   ... point the gateway at fake.base_url() ...
//   CHECK(fake.wait_for(1, "/v23.0/"));
//   auto seen = fake.requests("/v23.0/");
//
// A handler that returns status 0 makes the fake read the request and never answer it (like hang_next).
// Handlers are matched by method and the longest path prefix (ties: the later registration wins); no
// match answers 404. Handlers run on the server thread; every method here is thread-safe.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace anliegen::testing {

struct RecordedRequest {
  std::string method;
  std::string target;  // as sent: path and query
  std::string path;    // without the query
  std::string query;   // without '?'
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  int answered_status = 0;  // the status the fake answered with (0 while being handled)
  std::string header(const std::string& lower_case_name) const;
};

struct FakeResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
};

class FakePlatform {
 public:
  using Handler = std::function<FakeResponse(const RecordedRequest&)>;

  FakePlatform();   // listens and starts the server thread
  ~FakePlatform();  // stop()
  FakePlatform(const FakePlatform&) = delete;
  FakePlatform& operator=(const FakePlatform&) = delete;

  std::uint16_t port() const { return port_; }
  std::string base_url() const;  // "http://127.0.0.1:<port>"

  // Installs a handler for `method` ("*" = any) and paths starting with `path_prefix`.
  void on(std::string method, std::string path_prefix, Handler handler);

  // The next `n` requests whose path starts with `path_prefix` are answered with `status` (a small JSON
  // error body) or with `response`, without calling the handler. They are still recorded.
  void fail_next(int n, int status, std::string path_prefix = "");
  void fail_next(int n, FakeResponse response, std::string path_prefix = "");
  // The next `n` matching requests are read but never answered; the connection stays open until the
  // client gives up or the fake stops. They are recorded in dropped(), not in requests().
  void hang_next(int n, std::string path_prefix = "");

  // Snapshots of what arrived, in arrival order, filtered by path prefix.
  std::vector<RecordedRequest> requests(const std::string& path_prefix = "") const;
  std::vector<RecordedRequest> dropped(const std::string& path_prefix = "") const;
  std::size_t count(const std::string& path_prefix = "") const;
  // Waits until at least `n` matching requests were answered (true) or the timeout passed (false).
  bool wait_for(std::size_t n, const std::string& path_prefix = "",
                std::chrono::milliseconds timeout = std::chrono::seconds(20)) const;
  void clear();  // forgets recorded and dropped requests (handlers and pending failures stay)

  void stop();  // closes every connection and joins the thread; idempotent

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::uint16_t port_ = 0;
};

}  // namespace anliegen::testing

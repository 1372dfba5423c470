#include <thread>

#include "e2e.hpp"

using namespace anliegen::testing;

TEST_CASE("unknown route 404 and wrong method 405, both problem+json") {
  RunningGateway gw;
  auto missing = gw.get("/does/not/exist");
  check_problem(missing, 404);
  auto wrong = http_request(gw.port(), "DELETE", "/healthz");
  check_problem(wrong, 405);
  CHECK(wrong.header("allow") == "GET, HEAD");
  auto trailing = gw.get("/healthz/");
  check_problem(trailing, 404);
}

TEST_CASE("a target that is not URL syntax is a 400 problem+json that says why") {
  RunningGateway gw;
  for (const std::string target : {"/healthz?x=%G1", "/api/v1/cases?status=%", "/api/v1/cases/1%2"}) {
    CAPTURE(target);
    const auto res = gw.get(target);
    check_problem(res, 400);
    CHECK(res.body.find("percent-encoded") != std::string::npos);
  }
}

TEST_CASE("an oversized body is 413 and a huge header 431") {
  RunningGateway gw(std::map<std::string, std::string>{{"ANLIEGEN_MAX_BODY_BYTES", "2048"}});
  auto big = http_request(gw.port(), "POST", "/api/v1/cases", std::string(4096, 'x'),
                          {{"Content-Type", "application/json"}});
  check_problem(big, 413);
  // Open311 clients get it in their own format: 400 and the list of errors (GeoReport v2 has no 413).
  auto report = http_request(gw.port(), "POST", "/open311/v2/requests.xml?jurisdiction_id=x", std::string(4096, 'x'),
                             {{"Content-Type", "application/x-www-form-urlencoded"}});
  CHECK(report.status == 400);
  CHECK(report.header("content-type") == "text/xml; charset=utf-8");
  CHECK(report.body.find("<errors><error><code>400</code>") != std::string::npos);
  auto small = http_request(gw.port(), "POST", "/api/v1/cases", "{}", {{"Content-Type", "application/json"}});
  CHECK(small.status == 401);  // within the limit, reaches the handler
  auto headers = http_request(gw.port(), "GET", "/healthz", "", {{"X-Big", std::string(20000, 'a')}});
  check_problem(headers, 431);
  CHECK(gw.get("/healthz").status == 200);  // still serving
}

TEST_CASE("by default a body of Meta's largest webhook batch (3 MB) is read") {
  RunningGateway gw;
  auto batch = http_request(gw.port(), "POST", "/api/v1/cases", std::string(3 * 1000 * 1000, ' '),
                            {{"Content-Type", "application/json"}});
  CHECK(batch.status == 401);  // reaches the handler instead of being refused with 413
}

TEST_CASE("malformed HTTP is 400 and does not hurt the server") {
  RunningGateway gw;
  auto answer = raw_exchange(gw.port(), "THIS IS NOT HTTP\r\n\r\n", std::chrono::milliseconds(3000));
  CHECK(answer.rfind("HTTP/1.1 400", 0) == 0);
  auto bad_length = raw_exchange(gw.port(), "POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                                 std::chrono::milliseconds(3000));
  CHECK(bad_length.rfind("HTTP/1.1 400", 0) == 0);
  CHECK(gw.get("/healthz").status == 200);
}

TEST_CASE("slow clients are timed out") {
  RunningGateway gw(std::map<std::string, std::string>{{"ANLIEGEN_REQUEST_TIMEOUT", "1"}, {"ANLIEGEN_IDLE_TIMEOUT", "1"}});
  const auto started = std::chrono::steady_clock::now();
  // Half a request line, then nothing: the server must hang up by itself.
  auto answer = raw_exchange(gw.port(), "GET /heal", std::chrono::milliseconds(8000));
  CHECK(answer.empty());
  CHECK(std::chrono::steady_clock::now() - started < std::chrono::seconds(6));
  CHECK(gw.get("/healthz").status == 200);
}

TEST_CASE("keep-alive connections serve several requests") {
  RunningGateway gw;
  auto answer = raw_exchange(gw.port(),
                             "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                             std::chrono::milliseconds(3000));
  std::size_t count = 0;
  for (auto pos = answer.find("HTTP/1.1 200"); pos != std::string::npos; pos = answer.find("HTTP/1.1 200", pos + 1)) ++count;
  CHECK(count == 2);
}

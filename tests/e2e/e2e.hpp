#pragma once
// Shared set-up for end-to-end tests: a fresh database and a running `anliegen serve` on a free port.
#include <boost/json.hpp>
#include <doctest/doctest.h>

#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include <unistd.h>

#include "test_env.hpp"

namespace anliegen::testing {

struct RunningGateway {
  TestDatabase db;
  std::unique_ptr<ServerProcess> server;

  explicit RunningGateway(std::map<std::string, std::string> env = {}) {
    // The free port is picked before the server binds it; another process may take it in between.
    for (int attempt = 0;; ++attempt) {
      server = std::make_unique<ServerProcess>(db.dsn(), env);
      if (server->wait_ready()) break;
      if (attempt < 3 && server->log().find("Address already in use") != std::string::npos) continue;
      FAIL("anliegen serve did not start:\n" << server->log());
    }
  }
  std::uint16_t port() const { return server->port(); }

  HttpResponse get(const std::string& target, const std::string& token = "") const {
    std::map<std::string, std::string> h;
    if (!token.empty()) h["Authorization"] = "Bearer " + token;
    return http_request(port(), "GET", target, "", h);
  }
  HttpResponse send_json(const std::string& method, const std::string& target, const std::string& body,
                         const std::string& token = "") const {
    std::map<std::string, std::string> h{{"Content-Type", "application/json"}};
    if (!token.empty()) h["Authorization"] = "Bearer " + token;
    return http_request(port(), method, target, body, h);
  }
};

inline boost::json::value parse(const std::string& body) { return boost::json::parse(body); }

// The example city configuration (deploy/config) changed by `edit`, in a file of its own for one
// gateway's ANLIEGEN_CONFIG. The gateway reads it at start-up; remove the file once it runs.
inline std::string city_config_file(const std::string& name, const std::function<void(boost::json::object&)>& edit) {
  auto city = boost::json::parse(read_file(std::string(ANLIEGEN_SOURCE_DIR) + "/deploy/config/ludwigshafen.example.json"));
  edit(city.as_object());
  const std::string path = "/tmp/anliegen-city-" + name + "-" + std::to_string(getpid()) + ".json";
  std::ofstream(path) << boost::json::serialize(city);
  return path;
}

// Every error response is RFC 9457 problem+json with the status repeated in the body.
inline void check_problem(const HttpResponse& r, int status) {
  CHECK(r.status == status);
  CHECK(r.header("content-type") == "application/problem+json");
  const auto v = boost::json::parse(r.body);
  CHECK(v.at("status").as_int64() == status);
  CHECK(v.at("title").is_string());
  CHECK(v.at("detail").is_string());
}

}  // namespace anliegen::testing

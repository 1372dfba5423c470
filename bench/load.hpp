#pragma once
// The load generator behind `deploy/dev bench`: `concurrency` keep-alive connections to one gateway,
// each sending requests back to back for `duration`, with per-request latency recorded.
//
//   whatsapp mode: POST /webhooks/whatsapp, one signed text delivery per request with a unique message
//                  id (and a citizen of its own, so every delivery is a new Anliegen); the ids that got
//                  a 200 are written to `acked_file`, one per line, for the lost/duplicated check.
//   get mode:      GET the targets listed in `targets_file` (one per line, round robin) with a Bearer
//                  token.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace anliegen::bench {

struct LoadOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;
  std::string mode = "whatsapp";  // or "get"
  int concurrency = 64;
  std::chrono::seconds duration{30};
  std::string secret;        // whatsapp: the app secret to sign with
  std::string run_id = "r";  // whatsapp: part of every message id, so runs never collide
  std::string acked_file;    // whatsapp: where the acknowledged message ids go
  std::string targets_file;  // get: the targets
  std::string token;         // get: the API token
};

struct LoadResult {
  std::uint64_t requests = 0;
  std::uint64_t ok = 0;  // 2xx
  std::uint64_t failed = 0;  // other statuses and connection errors
  double seconds = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;
  std::vector<std::string> acked;  // whatsapp: message ids answered 200
};

LoadResult run_load(const LoadOptions& options);

}  // namespace anliegen::bench

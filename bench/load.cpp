#include "load.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "channels/crypto.hpp"

namespace anliegen::bench {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;

struct Worker {
  int index = 0;
  std::vector<std::uint32_t> latencies_us;
  std::uint64_t ok = 0, failed = 0;
  std::vector<std::string> acked;
};

// A WhatsApp delivery as Meta sends it: one entry, one change, one contact, one text message.
std::string whatsapp_body(const std::string& message_id, const std::string& user, long long timestamp) {
  std::string b;
  b.reserve(700);
  b += R"({"object":"whatsapp_business_account","entry":[{"id":"300000000000001","changes":[{"field":"messages",)";
  b += R"("value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"496211234",)";
  b += R"("phone_number_id":"400000000000002"},"contacts":[{"profile":{"name":"Lasttest"},"user_id":")";
  b += user;
  b += R"("}],"messages":[{"from_user_id":")";
  b += user;
  b += R"(","id":")";
  b += message_id;
  b += R"(","timestamp":")";
  b += std::to_string(timestamp);
  b += R"(","type":"text","text":{"body":"Die Straßenlaterne vor Hausnummer 12 ist seit Tagen dunkel."}}]}}]}]})";
  return b;
}

std::vector<std::string> read_lines(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  if (lines.empty()) throw std::runtime_error(path + " lists no targets");
  return lines;
}

http::request<http::string_body> make_request(const LoadOptions& o, Worker& w, std::uint64_t seq,
                                              const std::vector<std::string>& targets, std::string& message_id) {
  http::request<http::string_body> req;
  req.version(11);
  req.set(http::field::host, o.host);
  if (o.mode == "whatsapp") {
    message_id = "wamid.bench." + o.run_id + "." + std::to_string(w.index) + "." + std::to_string(seq);
    const std::string user = "DE.bench." + o.run_id + "." + std::to_string(w.index) + "." + std::to_string(seq);
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    req.method(http::verb::post);
    req.target("/webhooks/whatsapp");
    req.body() = whatsapp_body(message_id, user, now);
    req.set(http::field::content_type, "application/json");
    req.set("X-Hub-Signature-256", "sha256=" + channels::to_hex(channels::hmac_sha256(o.secret, req.body())));
  } else {
    req.method(http::verb::get);
    req.target(targets[seq % targets.size()]);
    req.set(http::field::authorization, "Bearer " + o.token);
  }
  req.prepare_payload();
  return req;
}

asio::awaitable<void> run_worker(const LoadOptions& o, Worker& w, Clock::time_point deadline,
                                 const std::vector<std::string>& targets) {
  auto ex = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(ex);
  const auto endpoints = co_await resolver.async_resolve(o.host, std::to_string(o.port), asio::use_awaitable);
  std::uint64_t seq = static_cast<std::uint64_t>(w.index);  // round robin offset for get mode
  beast::flat_buffer buffer;
  while (Clock::now() < deadline) {
    beast::tcp_stream stream(ex);
    try {
      co_await stream.async_connect(endpoints, asio::use_awaitable);
      stream.socket().set_option(asio::ip::tcp::no_delay(true));
    } catch (const std::exception&) {
      ++w.failed;
      continue;
    }
    while (Clock::now() < deadline) {
      std::string message_id;
      auto req = make_request(o, w, ++seq, targets, message_id);
      const auto started = Clock::now();
      http::response<http::string_body> res;
      try {
        co_await http::async_write(stream, req, asio::use_awaitable);
        co_await http::async_read(stream, buffer, res, asio::use_awaitable);
      } catch (const std::exception&) {
        ++w.failed;
        break;  // reconnect
      }
      const auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started).count();
      w.latencies_us.push_back(static_cast<std::uint32_t>(us));
      if (res.result_int() / 100 == 2) {
        ++w.ok;
        if (!message_id.empty()) w.acked.push_back(std::move(message_id));
      } else {
        ++w.failed;
      }
      if (!res.keep_alive()) break;
    }
  }
}

double percentile_ms(std::vector<std::uint32_t>& v, double p) {
  if (v.empty()) return 0;
  const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k] / 1000.0;
}

}  // namespace

LoadResult run_load(const LoadOptions& o) {
  const std::vector<std::string> targets = o.mode == "get" ? read_lines(o.targets_file) : std::vector<std::string>{};
  asio::io_context io(1);
  std::vector<Worker> workers(static_cast<std::size_t>(o.concurrency));
  const auto started = Clock::now();
  const auto deadline = started + o.duration;
  for (std::size_t i = 0; i < workers.size(); ++i) {
    workers[i].index = static_cast<int>(i);
    workers[i].latencies_us.reserve(1 << 16);
    asio::co_spawn(io, run_worker(o, workers[i], deadline, targets), asio::detached);
  }
  io.run();
  LoadResult r;
  r.seconds = std::chrono::duration<double>(Clock::now() - started).count();
  std::vector<std::uint32_t> all;
  for (auto& w : workers) {
    r.ok += w.ok;
    r.failed += w.failed;
    all.insert(all.end(), w.latencies_us.begin(), w.latencies_us.end());
    for (auto& id : w.acked) r.acked.push_back(std::move(id));
  }
  r.requests = all.size();
  r.p50_ms = percentile_ms(all, 0.50);
  r.p99_ms = percentile_ms(all, 0.99);
  r.max_ms = all.empty() ? 0 : *std::max_element(all.begin(), all.end()) / 1000.0;
  return r;
}

}  // namespace anliegen::bench

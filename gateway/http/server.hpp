#pragma once
// The HTTP server: accepts connections on several I/O threads, reads requests with size limits and
// timeouts, hands each to a dispatch function, writes the response, and shuts down gracefully
// (stop accepting, finish in-flight requests, close idle keep-alive connections).
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>

#include "gateway/http/types.hpp"

namespace anliegen::gateway {

struct ServerLimits {
  std::size_t max_body_bytes = 4 * 1024 * 1024;
  std::uint32_t max_header_bytes = 16 * 1024;
  std::chrono::seconds read_timeout{30};   // a whole request (headers and body) must arrive within this
  std::chrono::seconds idle_timeout{60};   // keep-alive connections idle for longer are closed
  std::chrono::seconds write_timeout{30};
};

// Turns a request into a response; runs on the connection's strand. Must not throw.
using Dispatch = std::function<boost::asio::awaitable<Response>(const Request&)>;
// Makes the answer to a request refused before dispatch (413, 431, 400), and counts and logs it; `path`
// is the request's path without the query, empty when the request line could not be read. Without a
// hook the answer is problem+json.
using RefusalHook = std::function<Response(http::status status, std::string_view detail, std::string_view path)>;

class Server {
 public:
  Server(boost::asio::io_context& ioc, ServerLimits limits, Dispatch dispatch, RefusalHook on_refusal);
  ~Server();
  // Binds and starts accepting. Throws boost::system::system_error when the address is unusable.
  void listen(const boost::asio::ip::tcp::endpoint& endpoint);
  boost::asio::ip::tcp::endpoint local_endpoint() const;
  // Stops accepting and closes idle connections; in-flight requests finish. Thread-safe.
  void stop();

 private:
  struct State;
  std::shared_ptr<State> state_;
};

}  // namespace anliegen::gateway

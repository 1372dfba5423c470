#include "gateway/http/server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include <atomic>
#include <list>
#include <mutex>

#include "gateway/http/responses.hpp"

namespace anliegen::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

// A connection the server can reach at shutdown. Only touched on the connection's strand.
struct Connection {
  beast::tcp_stream* stream = nullptr;
  bool idle = true;
};

struct Server::State : std::enable_shared_from_this<Server::State> {
  asio::io_context& ioc;
  ServerLimits limits;
  Dispatch dispatch;
  RefusalHook on_refusal;
  tcp::acceptor acceptor;
  std::atomic<bool> stopping{false};
  std::mutex mutex;
  std::list<std::pair<asio::any_io_executor, std::shared_ptr<Connection>>> connections;

  State(asio::io_context& io, ServerLimits l, Dispatch d, RefusalHook r)
      : ioc(io), limits(l), dispatch(std::move(d)), on_refusal(std::move(r)), acceptor(asio::make_strand(io)) {}

  asio::awaitable<void> accept_loop();
  asio::awaitable<void> session(tcp::socket socket);
  asio::awaitable<bool> refuse(beast::tcp_stream& stream, http::status status, std::string_view detail,
                               std::string_view path);
};

namespace {

http::status status_for_read_error(const beast::error_code& ec) {
  if (ec == http::error::body_limit) return http::status::payload_too_large;
  if (ec == http::error::header_limit) return http::status::request_header_fields_too_large;
  return http::status::bad_request;
}

// The path of a request whose request line was read (for protocols with their own error format), else
// empty. A body over the limit is refused while the header is read, before it counts as done.
std::string path_of(const http::request_parser<http::string_body>& parser) {
  const auto target = parser.get().target();
  return std::string(target.substr(0, target.find('?')));
}

std::string_view detail_for(http::status s) {
  switch (s) {
    case http::status::payload_too_large: return "the request body is larger than this endpoint accepts";
    case http::status::request_header_fields_too_large: return "the request headers are too large";
    default: return "the request is not valid HTTP/1.1";
  }
}

}  // namespace

asio::awaitable<bool> Server::State::refuse(beast::tcp_stream& stream, http::status status, std::string_view detail,
                                            std::string_view path) {
  auto res = on_refusal ? on_refusal(status, detail, path) : problem(status, detail);
  res.keep_alive(false);
  beast::error_code ec;
  stream.expires_after(limits.write_timeout);
  co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
  co_return false;
}

asio::awaitable<void> Server::State::session(tcp::socket socket) {
  auto self = shared_from_this();
  beast::tcp_stream stream(std::move(socket));
  auto conn = std::make_shared<Connection>();
  conn->stream = &stream;
  std::list<std::pair<asio::any_io_executor, std::shared_ptr<Connection>>>::iterator registration;
  {
    std::lock_guard lock(mutex);
    connections.emplace_front(stream.get_executor(), conn);
    registration = connections.begin();
  }
  beast::flat_buffer buffer;
  beast::error_code ec;
  for (;;) {
    if (stopping) break;
    http::request_parser<http::string_body> parser;
    parser.body_limit(limits.max_body_bytes);
    parser.header_limit(limits.max_header_bytes);
    conn->idle = true;
    stream.expires_after(buffer.size() ? limits.read_timeout : limits.idle_timeout);
    co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    conn->idle = false;
    if (ec == http::error::end_of_stream || ec == asio::error::operation_aborted || ec == beast::error::timeout ||
        ec == asio::error::connection_reset || ec == asio::error::eof) {
      break;
    }
    if (ec) {
      co_await refuse(stream, status_for_read_error(ec), detail_for(status_for_read_error(ec)), path_of(parser));
      break;
    }
    if (parser.get()[http::field::expect] == "100-continue") {
      http::response<http::empty_body> cont{http::status::continue_, 11};
      stream.expires_after(limits.write_timeout);
      co_await http::async_write(stream, cont, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
    }
    stream.expires_after(limits.read_timeout);
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    if (ec == beast::error::timeout || ec == asio::error::connection_reset || ec == asio::error::eof ||
        ec == http::error::end_of_stream || ec == asio::error::operation_aborted) {
      break;
    }
    if (ec) {
      co_await refuse(stream, status_for_read_error(ec), detail_for(status_for_read_error(ec)), path_of(parser));
      break;
    }
    auto request = parser.release();
    Response res = co_await dispatch(request);
    res.version(request.version());
    const bool keep = request.keep_alive() && !stopping;
    res.keep_alive(keep);
    if (request.method() == http::verb::head) {
      const auto length = res.body().size();
      res.body().clear();
      res.content_length(length);
    }
    stream.expires_after(limits.write_timeout);
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    if (ec || !keep) break;
  }
  stream.socket().shutdown(tcp::socket::shutdown_send, ec);
  conn->stream = nullptr;
  std::lock_guard lock(mutex);
  connections.erase(registration);
}

asio::awaitable<void> Server::State::accept_loop() {
  auto self = shared_from_this();
  for (;;) {
    beast::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(asio::make_strand(ioc),
                                                         asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || stopping || !acceptor.is_open()) co_return;
    if (ec) continue;  // e.g. too many open files: keep serving the connections we have
    socket.set_option(tcp::no_delay(true), ec);
    auto ex = socket.get_executor();
    asio::co_spawn(ex, session(std::move(socket)), asio::detached);
  }
}

Server::Server(asio::io_context& ioc, ServerLimits limits, Dispatch dispatch, RefusalHook on_refusal)
    : state_(std::make_shared<State>(ioc, limits, std::move(dispatch), std::move(on_refusal))) {}

Server::~Server() = default;

void Server::listen(const tcp::endpoint& endpoint) {
  auto& a = state_->acceptor;
  a.open(endpoint.protocol());
  a.set_option(asio::socket_base::reuse_address(true));
  a.bind(endpoint);
  a.listen(asio::socket_base::max_listen_connections);
  asio::co_spawn(a.get_executor(), state_->accept_loop(), asio::detached);
}

tcp::endpoint Server::local_endpoint() const { return state_->acceptor.local_endpoint(); }

void Server::stop() {
  auto state = state_;
  if (state->stopping.exchange(true)) return;
  asio::post(state->acceptor.get_executor(), [state] {
    beast::error_code ec;
    state->acceptor.close(ec);
  });
  std::lock_guard lock(state->mutex);
  for (auto& [ex, conn] : state->connections) {
    asio::post(ex, [conn] {
      if (conn->stream && conn->idle) conn->stream->cancel();
    });
  }
}

}  // namespace anliegen::gateway

// The test HTTP client and the database proxy (Boost.Beast/Asio, synchronous where possible).
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json.hpp>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <future>
#include <list>
#include <mutex>
#include <thread>

#include "test_env.hpp"

namespace anliegen::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::uint16_t free_port() {
  asio::io_context ioc;
  tcp::acceptor a(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  return a.local_endpoint().port();
}

namespace {

// When ANLIEGEN_RECORD_RESPONSES names a file, every response http_request receives is appended to it as
// one JSON line {method, target, status, content_type, headers, body}; tests/openapi/check_responses.mjs
// validates them against docs/api/openapi.yaml. One write(2) per line on an O_APPEND descriptor, under a
// mutex, so lines from several threads (or processes sharing the file) never interleave.
void record_response(const std::string& method, const std::string& target, const HttpResponse& res) {
  static const char* path = std::getenv("ANLIEGEN_RECORD_RESPONSES");
  if (!path || !*path) return;
  static std::mutex mutex;
  boost::json::object headers;
  for (const auto& [k, v] : res.headers) headers[k] = v;
  const auto query = target.find('?');
  const boost::json::object line{{"method", method},
                                 {"target", target.substr(0, query)},
                                 {"status", res.status},
                                 {"content_type", res.header("content-type")},
                                 {"headers", std::move(headers)},
                                 {"body", res.body}};
  const std::string text = boost::json::serialize(line) + "\n";
  std::lock_guard lock(mutex);
  const int fd = ::open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) throw std::runtime_error(std::string("cannot open ANLIEGEN_RECORD_RESPONSES file ") + path);
  const auto written = ::write(fd, text.data(), text.size());
  ::close(fd);
  if (written != static_cast<ssize_t>(text.size())) {
    throw std::runtime_error(std::string("cannot write to ANLIEGEN_RECORD_RESPONSES file ") + path);
  }
}

}  // namespace

HttpResponse http_request(std::uint16_t port, const std::string& method, const std::string& target,
                          const std::string& body, const std::map<std::string, std::string>& headers) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.expires_after(std::chrono::seconds(60));
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1:" + std::to_string(port));
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
    req.body() = body;
    req.prepare_payload();
  }
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(64 * 1024 * 1024);
  if (method == "HEAD") parser.skip(true);
  http::read(stream, buffer, parser);
  const auto& res = parser.get();
  HttpResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) {
    std::string name(f.name_string());
    std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
    out.headers[name] = std::string(f.value());
  }
  out.body = res.body();
  beast::error_code ec;
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  record_response(method, target, out);
  return out;
}

std::string raw_exchange(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout) {
  asio::io_context ioc;
  tcp::socket s(ioc);
  s.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  timeval tv{static_cast<long>(timeout.count() / 1000), static_cast<long>((timeout.count() % 1000) * 1000)};
  setsockopt(s.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  boost::system::error_code ec;
  asio::write(s, asio::buffer(bytes), ec);
  std::string out;
  char buf[4096];
  for (;;) {
    const auto n = s.read_some(asio::buffer(buf), ec);
    if (ec) break;
    out.append(buf, n);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// DatabaseProxy

struct DatabaseProxy::Impl {
  asio::io_context ioc;
  tcp::acceptor acceptor{ioc};
  std::uint16_t port = 0;
  std::string socket_path;
  std::mutex mutex;
  std::list<std::weak_ptr<tcp::socket>> clients;
  std::list<std::weak_ptr<asio::local::stream_protocol::socket>> servers;
  std::unique_ptr<asio::executor_work_guard<asio::io_context::executor_type>> work;
  bool refusing = false;  // only touched on the io thread
  std::thread thread;

  void open() {
    acceptor.open(tcp::v4());
    acceptor.set_option(asio::socket_base::reuse_address(true));
    acceptor.bind(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    acceptor.listen();
    port = acceptor.local_endpoint().port();
    asio::co_spawn(ioc, accept_loop(), asio::detached);
  }

  template <class From, class To>
  static asio::awaitable<void> pump(std::shared_ptr<From> from, std::shared_ptr<To> to) {
    char buf[16384];
    boost::system::error_code ec;
    for (;;) {
      const auto n = co_await from->async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      co_await asio::async_write(*to, asio::buffer(buf, n), asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
    }
    from->close(ec);
    to->close(ec);
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      boost::system::error_code ec;
      auto client = std::make_shared<tcp::socket>(co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec)));
      if (ec) co_return;
      if (refusing) {
        client->close(ec);
        continue;
      }
      auto server = std::make_shared<asio::local::stream_protocol::socket>(ioc);
      server->connect(asio::local::stream_protocol::endpoint(socket_path), ec);
      if (ec) {
        client->close(ec);
        continue;
      }
      {
        std::lock_guard lock(mutex);
        clients.push_back(client);
        servers.push_back(server);
      }
      asio::co_spawn(ioc, pump(client, server), asio::detached);
      asio::co_spawn(ioc, pump(server, client), asio::detached);
    }
  }
};

DatabaseProxy::DatabaseProxy() : impl_(std::make_unique<Impl>()) {
  const char* dir = std::getenv("ANLIEGEN_TEST_PG_DIR");
  if (!dir) throw std::runtime_error("ANLIEGEN_TEST_PG_DIR is not set: run the tests through deploy/dev test");
  impl_->socket_path = std::string(dir) + "/run/.s.PGSQL.5432";
  impl_->work = std::make_unique<asio::executor_work_guard<asio::io_context::executor_type>>(impl_->ioc.get_executor());
  impl_->open();
  impl_->thread = std::thread([this] { impl_->ioc.run(); });
}

DatabaseProxy::~DatabaseProxy() {
  cut();
  asio::post(impl_->ioc, [this] {
    boost::system::error_code ec;
    impl_->acceptor.close(ec);
  });
  impl_->work.reset();
  impl_->ioc.stop();
  impl_->thread.join();
}

std::uint16_t DatabaseProxy::port() const { return impl_->port; }

std::string DatabaseProxy::dsn(const std::string& database) const {
  return "host=127.0.0.1 port=" + std::to_string(impl_->port) + " user=anliegen dbname=" + database;
}

void DatabaseProxy::cut() {
  std::promise<void> done;
  asio::post(impl_->ioc, [this, &done] {
    boost::system::error_code ec;
    impl_->refusing = true;
    std::lock_guard lock(impl_->mutex);
    for (auto& w : impl_->clients) {
      if (auto s = w.lock()) s->close(ec);
    }
    for (auto& w : impl_->servers) {
      if (auto s = w.lock()) s->close(ec);
    }
    impl_->clients.clear();
    impl_->servers.clear();
    done.set_value();
  });
  done.get_future().wait();
}

void DatabaseProxy::restore() {
  std::promise<void> done;
  asio::post(impl_->ioc, [this, &done] {
    impl_->refusing = false;
    done.set_value();
  });
  done.get_future().wait();
}

}  // namespace anliegen::testing

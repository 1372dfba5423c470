// FakePlatform: one Asio thread, one coroutine per connection, keep-alive, and per-request decisions
// (pending failure, hang, handler) taken under one mutex.
#include "fake_platform.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <thread>

namespace anliegen::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string RecordedRequest::header(const std::string& lower_case_name) const {
  auto it = headers.find(lower_case_name);
  return it == headers.end() ? std::string() : it->second;
}

namespace {

bool starts_with(const std::string& s, const std::string& prefix) { return s.compare(0, prefix.size(), prefix) == 0; }

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

FakeResponse error_response(int status) {
  return FakeResponse{status, "application/json",
                      R"({"error":{"message":"injected failure by the fake platform","type":"FakeError","code":)" +
                          std::to_string(status) + "}}",
                      {}};
}

}  // namespace

struct FakePlatform::Impl {
  struct Route {
    std::string method;
    std::string prefix;
    Handler handler;
  };
  struct Rule {  // a pending failure or hang
    int remaining = 0;
    std::string prefix;
    bool hang = false;
    FakeResponse response;
  };
  struct Decision {
    bool hang = false;
    std::optional<FakeResponse> fixed;
    Handler handler;
  };

  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  std::thread thread;

  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::vector<Route> routes;
  std::deque<Rule> rules;
  std::vector<RecordedRequest> recorded;
  std::vector<RecordedRequest> dropped;
  bool stopped = false;

  Decision decide(const RecordedRequest& r) {
    std::lock_guard lock(mutex);
    Decision d;
    for (auto it = rules.begin(); it != rules.end(); ++it) {
      if (it->remaining <= 0 || !starts_with(r.path, it->prefix)) continue;
      --it->remaining;
      if (it->hang) {
        d.hang = true;
      } else {
        d.fixed = it->response;
      }
      if (it->remaining == 0) rules.erase(it);
      return d;
    }
    const Route* best = nullptr;
    for (const auto& route : routes) {
      if ((route.method == "*" || route.method == r.method) && starts_with(r.path, route.prefix) &&
          (!best || route.prefix.size() >= best->prefix.size())) {
        best = &route;
      }
    }
    if (best) {
      d.handler = best->handler;
    } else {
      d.fixed = FakeResponse{404, "application/json", R"({"error":{"message":"no such path on the fake platform"}})",
                             {}};
    }
    return d;
  }

  void keep(RecordedRequest r, bool as_dropped) {
    {
      std::lock_guard lock(mutex);
      (as_dropped ? dropped : recorded).push_back(std::move(r));
    }
    changed.notify_all();
  }

  asio::awaitable<void> session(tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer;
    beast::error_code ec;
    for (;;) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(256u * 1024 * 1024);
      parser.header_limit(64 * 1024);
      co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) break;
      const auto& req = parser.get();
      RecordedRequest rec;
      rec.method = std::string(req.method_string());
      rec.target = std::string(req.target());
      const auto q = rec.target.find('?');
      rec.path = rec.target.substr(0, q);
      rec.query = q == std::string::npos ? std::string() : rec.target.substr(q + 1);
      for (const auto& f : req) rec.headers[lower(std::string(f.name_string()))] = std::string(f.value());
      rec.body = req.body();

      auto decision = decide(rec);
      FakeResponse answer;
      if (!decision.hang && !decision.fixed) {
        try {
          answer = decision.handler(rec);
        } catch (const std::exception& e) {
          answer = FakeResponse{500, "text/plain", std::string("fake handler threw: ") + e.what(), {}};
        }
        decision.hang = answer.status == 0;  // a handler's way of saying "never answer this one"
      } else if (decision.fixed) {
        answer = std::move(*decision.fixed);
      }
      if (decision.hang) {
        keep(std::move(rec), true);
        // Never answer: wait until the client closes the connection (or the fake stops).
        char sink[512];
        for (;;) {
          co_await stream.socket().async_read_some(asio::buffer(sink), asio::redirect_error(asio::use_awaitable, ec));
          if (ec) co_return;
        }
      }
      http::response<http::string_body> res{static_cast<http::status>(answer.status), req.version()};
      res.set(http::field::server, "anliegen-fake-platform");
      if (!answer.content_type.empty()) res.set(http::field::content_type, answer.content_type);
      for (const auto& [name, value] : answer.headers) res.set(name, value);
      res.body() = std::move(answer.body);
      res.keep_alive(req.keep_alive());
      res.prepare_payload();
      rec.answered_status = answer.status;
      keep(std::move(rec), false);  // recorded before the client can see the answer
      co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
      if (ec || !res.keep_alive()) break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  }

  asio::awaitable<void> listen() {
    for (;;) {
      beast::error_code ec;
      tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (!acceptor.is_open()) co_return;
        continue;
      }
      asio::co_spawn(ioc, session(std::move(socket)), asio::detached);
    }
  }

  template <class Pred>
  std::vector<RecordedRequest> filter(const std::vector<RecordedRequest>& from, Pred pred) const {
    std::lock_guard lock(mutex);
    std::vector<RecordedRequest> out;
    for (const auto& r : from) {
      if (pred(r)) out.push_back(r);
    }
    return out;
  }
};

FakePlatform::FakePlatform() : impl_(std::make_unique<Impl>()) {
  const tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  port_ = impl_->acceptor.local_endpoint().port();
  asio::co_spawn(impl_->ioc, impl_->listen(), asio::detached);
  impl_->thread = std::thread([impl = impl_.get()] { impl->ioc.run(); });
}

FakePlatform::~FakePlatform() { stop(); }

void FakePlatform::stop() {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stopped) return;
    impl_->stopped = true;
  }
  asio::post(impl_->ioc, [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor.close(ec);
    impl->ioc.stop();  // pending sessions (hung ones too) are destroyed with the io_context
  });
  if (impl_->thread.joinable()) impl_->thread.join();
  impl_->changed.notify_all();
}

std::string FakePlatform::base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }

void FakePlatform::on(std::string method, std::string path_prefix, Handler handler) {
  std::lock_guard lock(impl_->mutex);
  impl_->routes.push_back({std::move(method), std::move(path_prefix), std::move(handler)});
}

void FakePlatform::fail_next(int n, int status, std::string path_prefix) {
  fail_next(n, error_response(status), std::move(path_prefix));
}

void FakePlatform::fail_next(int n, FakeResponse response, std::string path_prefix) {
  if (n <= 0) return;
  std::lock_guard lock(impl_->mutex);
  impl_->rules.push_back({n, std::move(path_prefix), false, std::move(response)});
}

void FakePlatform::hang_next(int n, std::string path_prefix) {
  if (n <= 0) return;
  std::lock_guard lock(impl_->mutex);
  impl_->rules.push_back({n, std::move(path_prefix), true, {}});
}

std::vector<RecordedRequest> FakePlatform::requests(const std::string& path_prefix) const {
  return impl_->filter(impl_->recorded, [&](const RecordedRequest& r) { return starts_with(r.path, path_prefix); });
}

std::vector<RecordedRequest> FakePlatform::dropped(const std::string& path_prefix) const {
  return impl_->filter(impl_->dropped, [&](const RecordedRequest& r) { return starts_with(r.path, path_prefix); });
}

std::size_t FakePlatform::count(const std::string& path_prefix) const { return requests(path_prefix).size(); }

bool FakePlatform::wait_for(std::size_t n, const std::string& path_prefix, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(impl_->mutex);
  return impl_->changed.wait_for(lock, timeout, [&] {
    return static_cast<std::size_t>(std::count_if(impl_->recorded.begin(), impl_->recorded.end(),
                                                  [&](const RecordedRequest& r) {
                                                    return starts_with(r.path, path_prefix);
                                                  })) >= n;
  });
}

void FakePlatform::clear() {
  std::lock_guard lock(impl_->mutex);
  impl_->recorded.clear();
  impl_->dropped.clear();
}

}  // namespace anliegen::testing

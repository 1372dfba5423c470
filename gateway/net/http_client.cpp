// net::fetch: one request on the calling thread's own io_context. Every step (resolve, connect, TLS handshake, write,
// read) is bounded by one deadline; the error of the step that failed decides the FetchError kind.
#include "gateway/net/http_client.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/url/parse.hpp>
#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <optional>

namespace anliegen::gateway::net {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

std::string IncomingResponse::header(std::string_view lower_case_name) const {
  auto it = headers.find(std::string(lower_case_name));
  return it == headers.end() ? std::string() : it->second;
}

std::string_view to_string(FetchErrorKind kind) {
  switch (kind) {
    case FetchErrorKind::invalid_url: return "invalid_url";
    case FetchErrorKind::connect: return "connect";
    case FetchErrorKind::timeout: return "timeout";
    case FetchErrorKind::tls: return "tls";
    case FetchErrorKind::too_large: return "too_large";
    case FetchErrorKind::protocol: return "protocol";
    case FetchErrorKind::forbidden_address: return "forbidden_address";
  }
  return "protocol";
}

namespace {

struct Target {
  bool tls = false;
  bool ip_literal = false;
  std::string host;         // without brackets
  std::string port;         // digits
  std::string host_header;  // as sent in Host
  std::string path;         // origin-form: path and query
};

[[noreturn]] void fail(FetchErrorKind kind, const std::string& message) { throw FetchError(kind, message); }

Target parse_target(const std::string& url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed) fail(FetchErrorKind::invalid_url, "not an absolute URL");
  const auto& u = *parsed;
  Target t;
  if (u.scheme_id() == boost::urls::scheme::https) {
    t.tls = true;
  } else if (u.scheme_id() != boost::urls::scheme::http) {
    fail(FetchErrorKind::invalid_url, "only http and https URLs can be fetched");
  }
  if (!u.has_authority() || u.encoded_host().empty()) fail(FetchErrorKind::invalid_url, "the URL has no host");
  if (u.has_userinfo()) fail(FetchErrorKind::invalid_url, "credentials in the URL are not accepted");
  switch (u.host_type()) {
    case boost::urls::host_type::ipv4:
    case boost::urls::host_type::ipv6: t.ip_literal = true; break;
    case boost::urls::host_type::name: break;
    default: fail(FetchErrorKind::invalid_url, "unsupported host");
  }
  t.host = u.host_address();
  if (!t.ip_literal) {
    std::transform(t.host.begin(), t.host.end(), t.host.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const bool clean = std::all_of(t.host.begin(), t.host.end(), [](unsigned char c) {
      return std::isalnum(c) || c == '-' || c == '.' || c == '_';
    });
    if (!clean || t.host.size() > 253) fail(FetchErrorKind::invalid_url, "the host name is not valid");
  }
  const std::string default_port = t.tls ? "443" : "80";
  if (u.has_port()) {
    t.port = std::string(u.port());
    const bool digits = !t.port.empty() && t.port.size() <= 5 &&
                        std::all_of(t.port.begin(), t.port.end(), [](unsigned char c) { return std::isdigit(c); });
    if (!digits || std::stoi(t.port) < 1 || std::stoi(t.port) > 65535) {
      fail(FetchErrorKind::invalid_url, "the port is not valid");
    }
  } else {
    t.port = default_port;
  }
  t.host_header = u.host_type() == boost::urls::host_type::ipv6 ? "[" + t.host + "]" : t.host;
  if (t.port != default_port) t.host_header += ":" + t.port;
  t.path = u.encoded_path().empty() ? "/" : std::string(u.encoded_path());
  if (u.has_query()) t.path += "?" + std::string(u.encoded_query());
  return t;
}

ssl::context& tls_context() {
  static ssl::context ctx = [] {
    ssl::context c(ssl::context::tls_client);
    c.set_default_verify_paths();
    c.set_verify_mode(ssl::verify_peer);
    SSL_CTX_set_min_proto_version(c.native_handle(), TLS1_2_VERSION);
    return c;
  }();
  return ctx;
}

bool is_timeout(const beast::error_code& ec) {
  return ec == beast::error::timeout || ec == asio::error::timed_out;
}

// Maps a failed write or read to a FetchError.
[[noreturn]] void fail_exchange(const beast::error_code& ec, const char* step) {
  if (is_timeout(ec)) fail(FetchErrorKind::timeout, std::string("timed out while ") + step);
  if (ec == http::error::body_limit || ec == http::error::buffer_overflow || ec == http::error::header_limit) {
    fail(FetchErrorKind::too_large, "the response exceeds the size limit");
  }
  if (ec.category() == asio::error::get_ssl_category() || ec == ssl::error::stream_truncated) {
    fail(FetchErrorKind::tls, std::string("TLS error while ") + step + ": " + ec.message());
  }
  if (ec.category() == http::make_error_code(http::error::end_of_stream).category() || ec == asio::error::eof) {
    fail(FetchErrorKind::protocol, std::string("invalid or incomplete HTTP response: ") + ec.message());
  }
  fail(FetchErrorKind::connect, std::string("connection failed while ") + step + ": " + ec.message());
}

template <class Stream>
asio::awaitable<void> exchange(Stream& stream, const Target& t, const OutgoingRequest& in, IncomingResponse& out) {
  http::request<http::string_body> req;
  const auto verb = http::string_to_verb(in.method);
  if (verb == http::verb::unknown) {
    req.method_string(in.method);
  } else {
    req.method(verb);
  }
  req.target(t.path);
  req.version(11);
  req.set(http::field::host, t.host_header);
  bool has_agent = false;
  for (const auto& [name, value] : in.headers) {
    if (beast::iequals(name, "user-agent")) has_agent = true;
    req.set(name, value);
  }
  if (!has_agent) req.set(http::field::user_agent, "anliegen/" ANLIEGEN_VERSION);
  req.set(http::field::connection, "close");
  if (!in.body.empty() || verb == http::verb::post || verb == http::verb::put || verb == http::verb::patch) {
    req.body() = in.body;
    req.prepare_payload();
  }
  beast::error_code ec;
  co_await http::async_write(stream, req, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) fail_exchange(ec, "sending the request");

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(in.max_response_bytes);
  parser.header_limit(64 * 1024);
  if (verb == http::verb::head) parser.skip(true);
  co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) fail_exchange(ec, "reading the response");
  auto& res = parser.get();
  out.status = static_cast<int>(res.result_int());
  for (const auto& f : res) {
    std::string name(f.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto [it, inserted] = out.headers.emplace(name, std::string(f.value()));
    if (!inserted) it->second += ", " + std::string(f.value());
  }
  out.body = std::move(res.body());
}

asio::awaitable<void> run(const Target& t, const OutgoingRequest& in, const AddressPolicy* policy,
                          Clock::time_point deadline, IncomingResponse& out) {
  auto ex = co_await asio::this_coro::executor;
  beast::error_code ec;
  std::vector<tcp::endpoint> endpoints;
  if (t.ip_literal) {  // no name to resolve: no trip through the resolver's thread
    endpoints.emplace_back(asio::ip::make_address(t.host), static_cast<unsigned short>(std::stoi(t.port)));
  } else {
    tcp::resolver resolver(ex);
    auto resolved = co_await resolver.async_resolve(t.host, t.port, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) fail(FetchErrorKind::connect, "cannot resolve the host: " + ec.message());
    for (const auto& entry : resolved) endpoints.push_back(entry.endpoint());
  }
  for (const auto& endpoint : endpoints) {
    if (policy && !is_allowed(endpoint.address(), *policy)) {
      fail(FetchErrorKind::forbidden_address, "the host resolves to a " +
                                                  std::string(to_string(classify(endpoint.address()))) +
                                                  " address, which is not fetched");
    }
  }
  if (endpoints.empty()) fail(FetchErrorKind::connect, "the host has no address");

  if (!t.tls) {
    beast::tcp_stream stream(ex);
    stream.expires_at(deadline);
    co_await stream.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) fail(is_timeout(ec) ? FetchErrorKind::timeout : FetchErrorKind::connect, "cannot connect: " + ec.message());
    co_await exchange(stream, t, in, out);
    stream.socket().shutdown(tcp::socket::shutdown_both, ec);
    co_return;
  }
  ssl::stream<beast::tcp_stream> stream(ex, tls_context());
  auto& lowest = beast::get_lowest_layer(stream);
  lowest.expires_at(deadline);
  co_await lowest.async_connect(endpoints, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) fail(is_timeout(ec) ? FetchErrorKind::timeout : FetchErrorKind::connect, "cannot connect: " + ec.message());
  if (!t.ip_literal && !SSL_set_tlsext_host_name(stream.native_handle(), t.host.c_str())) {
    fail(FetchErrorKind::tls, "cannot set the TLS server name");
  }
  stream.set_verify_callback(ssl::host_name_verification(t.host));
  co_await stream.async_handshake(ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) fail(is_timeout(ec) ? FetchErrorKind::timeout : FetchErrorKind::tls, "TLS handshake failed: " + ec.message());
  co_await exchange(stream, t, in, out);
  lowest.socket().shutdown(tcp::socket::shutdown_both, ec);  // no close_notify wait: the body is complete
}

IncomingResponse fetch_impl(const OutgoingRequest& request, const AddressPolicy* policy) {
  const auto target = parse_target(request.url);
  const auto timeout = std::max(request.timeout, std::chrono::milliseconds(1));
  const auto deadline = Clock::now() + timeout;
  IncomingResponse out;
  std::exception_ptr error;
  bool done = false;
  // One io_context per calling thread, kept between requests: its resolver thread is started once, not
  // once per request (a burst of outbox sends would otherwise start a thread for each).
  thread_local std::optional<asio::io_context> ioc;
  if (!ioc) ioc.emplace(1);
  ioc->restart();
  asio::co_spawn(*ioc, run(target, request, policy, deadline, out), [&](std::exception_ptr e) {
    error = e;
    done = true;
  });
  // The socket steps time out by themselves at the deadline; this bounds name resolution too.
  ioc->run_until(deadline + std::chrono::milliseconds(200));
  if (!done) {
    ioc.reset();  // abandons the stuck step (a hanging name lookup); the next request gets a new context
    fail(FetchErrorKind::timeout, "timed out");
  }
  if (error) {
    try {
      std::rethrow_exception(error);
    } catch (const FetchError&) {
      throw;
    } catch (const std::exception& e) {
      fail(FetchErrorKind::protocol, e.what());
    }
  }
  return out;
}

}  // namespace

IncomingResponse fetch(const OutgoingRequest& request) { return fetch_impl(request, nullptr); }

IncomingResponse fetch(const OutgoingRequest& request, const AddressPolicy& policy) {
  return fetch_impl(request, &policy);
}

}  // namespace anliegen::gateway::net

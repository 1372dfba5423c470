#pragma once
// HTTP types shared by the gateway's server, router and handlers.
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace anliegen::gateway {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

// Path parameters captured by the router, e.g. {"id", "42"} for /api/v1/cases/{id}.
struct PathParams {
  std::vector<std::pair<std::string, std::string>> values;
  std::string_view get(std::string_view name) const;
};

// Everything a handler gets for one request. Handlers may set `anliegen_id` for the request log.
struct RequestContext {
  const Request& request;
  PathParams params;
  std::string_view route;  // the route pattern, e.g. "/api/v1/cases/{id}" (never the raw target)
  std::string path;        // decoded path without the query
  std::string query;       // raw query string without '?'
  std::int64_t anliegen_id = 0;
};

using Handler = std::function<boost::asio::awaitable<Response>(RequestContext&)>;

}  // namespace anliegen::gateway

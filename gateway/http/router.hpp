#pragma once
// URL → handler. Patterns are literal segments and {name} placeholders ("/api/v1/cases/{id}").
// `match` tells apart "no such path" (404) from "path exists, other method" (405 with Allow).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/http/types.hpp"

namespace anliegen::gateway {

class Router {
 public:
  void add(http::verb method, std::string pattern, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // null: see allowed
    std::string_view pattern;
    PathParams params;
    std::vector<http::verb> allowed;   // methods of the path when handler is null (empty: 404)
  };
  Match match(http::verb method, std::string_view path) const;

 private:
  struct Route {
    http::verb method;
    std::string pattern;
    std::vector<std::string> segments;
    Handler handler;
  };
  static bool match_segments(const Route& r, const std::vector<std::string_view>& parts, PathParams& params);
  std::vector<Route> routes_;
};

// Splits an already-decoded path "/a/b/c" into {"a","b","c"}.
std::vector<std::string> split_path(std::string_view path);

}  // namespace anliegen::gateway

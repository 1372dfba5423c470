#include "gateway/http/router.hpp"

#include <algorithm>

namespace anliegen::gateway {

std::vector<std::string> split_path(std::string_view path) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < path.size()) {
    if (path[i] == '/') {
      ++i;
      continue;
    }
    const auto j = path.find('/', i);
    out.emplace_back(path.substr(i, j == std::string_view::npos ? std::string_view::npos : j - i));
    if (j == std::string_view::npos) break;
    i = j;
  }
  return out;
}

void Router::add(http::verb method, std::string pattern, Handler handler) {
  Route r{method, pattern, split_path(pattern), std::move(handler)};
  routes_.push_back(std::move(r));
}

bool Router::match_segments(const Route& r, const std::vector<std::string_view>& parts, PathParams& params) {
  if (r.segments.size() != parts.size()) return false;
  params.values.clear();
  for (std::size_t i = 0; i < parts.size(); ++i) {
    const auto& seg = r.segments[i];
    if (seg.size() > 2 && seg.front() == '{' && seg.back() == '}') {
      if (parts[i].empty()) return false;
      params.values.emplace_back(seg.substr(1, seg.size() - 2), std::string(parts[i]));
    } else if (seg != parts[i]) {
      return false;
    }
  }
  return true;
}

Router::Match Router::match(http::verb method, std::string_view path) const {
  const auto owned = split_path(path);
  std::vector<std::string_view> parts(owned.begin(), owned.end());
  // A trailing slash is a different resource: "/healthz/" is 404.
  if (path.size() > 1 && path.back() == '/') parts.emplace_back();
  Match m;
  for (const auto& r : routes_) {
    PathParams params;
    if (!match_segments(r, parts, params)) continue;
    if (r.method == method || (method == http::verb::head && r.method == http::verb::get)) {
      m.handler = &r.handler;
      m.pattern = r.pattern;
      m.params = std::move(params);
      return m;
    }
    if (std::find(m.allowed.begin(), m.allowed.end(), r.method) == m.allowed.end()) m.allowed.push_back(r.method);
    m.pattern = r.pattern;
  }
  return m;
}

}  // namespace anliegen::gateway

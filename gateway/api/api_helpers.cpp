#include "gateway/api/api_helpers.hpp"

#include "gateway/app.hpp"
#include "gateway/http/responses.hpp"

#include <algorithm>
#include <charconv>

namespace anliegen::gateway {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::optional<std::int64_t> parse_path_id(std::string_view s) {
  if (s.empty() || s.size() > 18 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  std::int64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  if (v <= 0) return std::nullopt;
  return v;
}

std::string etag_for(std::int64_t version) { return "\"" + std::to_string(version) + "\""; }

bool IfMatch::matches(std::int64_t version) const {
  return !present || any || std::find(versions.begin(), versions.end(), version) != versions.end();
}

IfMatch parse_if_match(std::string_view header) {
  IfMatch m;
  header = trim(header);
  if (header.empty()) return m;
  m.present = true;
  while (!header.empty()) {
    const auto comma = header.find(',');
    auto tag = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    if (tag == "*") {
      m.any = true;
      continue;
    }
    if (tag.size() < 3 || tag.front() != '"' || tag.back() != '"') continue;  // weak or malformed: no match
    const auto digits = tag.substr(1, tag.size() - 2);
    if (auto v = parse_path_id(digits)) m.versions.push_back(*v);
  }
  return m;
}

bool may_see_unit(const Principal& who, std::string_view unit) {
  return who.role != domain::Role::clerk || who.unit == unit;
}

boost::asio::awaitable<void> read_single(DbPool& db, DbPool::TxWork work) {
  return db.run([w = std::move(work)](storage::Connection& c) { c.read_single(w); });
}

boost::asio::awaitable<ChangeStart> begin_change(App& app, RequestContext& ctx,
                                                 std::initializer_list<domain::Role> roles, std::string_view not_found) {
  auto auth = co_await app.authorize(ctx, roles);
  if (auto* refusal = std::get_if<Response>(&auth)) co_return std::move(*refusal);
  const auto id = parse_path_id(ctx.params.get("id"));
  if (!id) co_return problem(boost::beast::http::status::not_found, not_found);
  auto body = parse_json_object(ctx.request);
  if (auto* refusal = std::get_if<Response>(&body)) co_return std::move(*refusal);
  co_return ChangeRequest{std::get<Principal>(std::move(auth)), *id, std::get<boost::json::object>(std::move(body))};
}

std::optional<bool> read_bool(FieldReader& r, const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  if (!v || v->is_null()) return std::nullopt;
  if (!v->is_bool()) {
    r.fail(key, "must be true or false");
    return std::nullopt;
  }
  return v->as_bool();
}

}  // namespace anliegen::gateway

#pragma once
// Small helpers shared by the case and routing API handlers: who may call them, path ids, ETags/If-Match,
// what a clerk may see, the common start of a change request, and reading booleans from request bodies.
#include <boost/json/object.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "domain/model.hpp"
#include "gateway/api/validation.hpp"
#include "gateway/auth.hpp"
#include "gateway/db_pool.hpp"
#include "gateway/http/types.hpp"

namespace anliegen::gateway {

class App;
void register_case_list_routes(App& app);  // case_list.cpp; called by register_case_api_routes

// Role sets for App::authorize (named: a braced list inside a coroutine call trips gcc 12).
inline constexpr std::initializer_list<domain::Role> kAnyRole = {domain::Role::clerk, domain::Role::office,
                                                                 domain::Role::admin};
inline constexpr std::initializer_list<domain::Role> kOfficeOrAdmin = {domain::Role::office, domain::Role::admin};
inline constexpr std::initializer_list<domain::Role> kAdmin = {domain::Role::admin};

// A positive decimal id from a path segment or a command-line argument, or std::nullopt (→ 404).
std::optional<std::int64_t> parse_path_id(std::string_view s);

// `"<version>"`, the ETag of a versioned resource.
std::string etag_for(std::int64_t version);

// The If-Match header: absent, "*", or a list of entity tags of which any may match.
struct IfMatch {
  bool present = false;
  bool any = false;
  std::vector<std::int64_t> versions;  // unparseable tags match nothing
  bool matches(std::int64_t version) const;
};
IfMatch parse_if_match(std::string_view header);

// Clerks see and change only their own unit's Anliegen; office and admin see all.
bool may_see_unit(const Principal& who, std::string_view unit);

// A read of one statement on a database thread, outside a transaction block
// (storage::Connection::read_single): one round trip instead of four.
boost::asio::awaitable<void> read_single(DbPool& db, DbPool::TxWork work);

// The start every change of one resource shares: the caller may (401/403), the path's {id} names one
// (404 with `not_found`), and the body is a JSON object (400/415/422) — checked in that order.
struct ChangeRequest {
  Principal who;
  std::int64_t id = 0;
  boost::json::object body;
};
using ChangeStart = std::variant<ChangeRequest, Response>;
boost::asio::awaitable<ChangeStart> begin_change(App& app, RequestContext& ctx,
                                                 std::initializer_list<domain::Role> roles, std::string_view not_found);

// A boolean field; null counts as absent.
std::optional<bool> read_bool(FieldReader& r, const boost::json::object& o, std::string_view key);

}  // namespace anliegen::gateway

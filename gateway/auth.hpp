#pragma once
// Bearer-token authentication for the REST API. Tokens look like "anl_<43 base64url chars>"; only
// their SHA-256 is stored. Valid tokens are cached briefly so that most requests need no lookup.
#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "domain/enums.hpp"
#include "gateway/db_pool.hpp"

namespace anliegen::gateway {

struct Principal {
  std::int64_t token_id = 0;
  domain::Role role = domain::Role::clerk;
  std::string unit;  // clerks only
  std::string name;
  // The actor recorded in audit events: "token:<id>:<name>".
  std::string actor() const;
};

// A new random token and the hash to store.
struct NewToken {
  std::string token;
  std::string hash;
};
NewToken generate_token();
std::string hash_token(std::string_view token);
// The token in an Authorization header: `Bearer <token>`, or `Basic base64(<any user>:<token>)` for
// clients that can only send a user name and password (calendar subscriptions in Thunderbird).
std::optional<std::string> token_from_authorization(std::string_view authorization);

class Authenticator {
 public:
  explicit Authenticator(DbPool& db, std::chrono::seconds cache_ttl = std::chrono::seconds(30));
  // The principal for an Authorization header value, or std::nullopt (→ 401).
  boost::asio::awaitable<std::optional<Principal>> authenticate(std::string_view authorization);

 private:
  DbPool& db_;
  std::chrono::seconds ttl_;
  std::mutex mutex_;
  std::map<std::string, std::pair<Principal, std::chrono::steady_clock::time_point>> cache_;
};

}  // namespace anliegen::gateway

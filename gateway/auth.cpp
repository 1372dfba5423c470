#include "gateway/auth.hpp"

#include <boost/beast/core/string.hpp>

#include "channels/crypto.hpp"
#include "storage/tokens.hpp"

namespace anliegen::gateway {

std::string Principal::actor() const { return "token:" + std::to_string(token_id) + ":" + name; }

NewToken generate_token() {
  NewToken t;
  t.token = "anl_" + channels::random_token(32);
  t.hash = hash_token(t.token);
  return t;
}

std::string hash_token(std::string_view token) { return channels::to_hex(channels::sha256(token)); }

std::optional<std::string> token_from_authorization(std::string_view authorization) {
  constexpr std::string_view kBearer = "Bearer ";
  constexpr std::string_view kBasic = "Basic ";
  auto value = authorization;
  // RFC 9110 §11.1: the scheme name is case-insensitive ("bearer", "BASIC" are fine).
  const bool bearer = boost::beast::iequals(value.substr(0, kBearer.size()), kBearer);
  const bool basic = boost::beast::iequals(value.substr(0, kBasic.size()), kBasic);
  if (!bearer && !basic) return std::nullopt;
  value.remove_prefix(bearer ? kBearer.size() : kBasic.size());
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  std::string token(value);
  if (basic) {  // user:password, the password being the token (calendar clients send nothing else)
    auto decoded = channels::from_base64(value);
    if (!decoded) return std::nullopt;
    const auto colon = decoded->find(':');
    if (colon == std::string::npos) return std::nullopt;
    token = decoded->substr(colon + 1);
  }
  if (token.size() < 8 || token.size() > 200) return std::nullopt;
  return token;
}

Authenticator::Authenticator(DbPool& db, std::chrono::seconds cache_ttl) : db_(db), ttl_(cache_ttl) {}

boost::asio::awaitable<std::optional<Principal>> Authenticator::authenticate(std::string_view authorization) {
  const auto token = token_from_authorization(authorization);
  if (!token) co_return std::nullopt;
  const auto hash = hash_token(*token);
  const auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(mutex_);
    if (auto it = cache_.find(hash); it != cache_.end()) {
      if (it->second.second > now) co_return it->second.first;
      cache_.erase(it);
    }
  }
  std::optional<storage::TokenRecord> record;
  co_await db_.read([&](storage::Tx& tx) { record = storage::find_token(tx, hash); });
  if (!record) co_return std::nullopt;
  Principal p{record->id, record->role, record->unit, record->name};
  std::lock_guard lock(mutex_);
  if (cache_.size() > 10000) cache_.clear();
  cache_[hash] = {p, now + ttl_};
  co_return p;
}

}  // namespace anliegen::gateway

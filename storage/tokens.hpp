#pragma once
// API tokens: only the SHA-256 of a token is stored; lookups go by that hash.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/enums.hpp"
#include "domain/time.hpp"
#include "storage/database.hpp"

namespace anliegen::storage {

struct TokenRecord {
  std::int64_t id = 0;
  domain::Role role = domain::Role::clerk;
  std::string unit;  // clerks only
  std::string name;
};

// Stores a new token hash. Throws StorageError if the unit does not exist.
std::int64_t insert_token(Tx& tx, const std::string& token_hash, domain::Role role, const std::string& unit,
                          const std::string& name);
// The token with this hash, unless unknown or revoked.
std::optional<TokenRecord> find_token(Tx& tx, const std::string& token_hash);

struct TokenListing {
  TokenRecord token;
  domain::Timestamp created_at{};
  bool revoked = false;
};
std::vector<TokenListing> list_tokens(Tx& tx);
// Revokes the token; false when unknown or already revoked.
bool revoke_token(Tx& tx, std::int64_t id);

}  // namespace anliegen::storage

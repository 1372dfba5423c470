#include "storage/tokens.hpp"

#include "storage/detail/pq.hpp"

namespace anliegen::storage {

std::int64_t insert_token(Tx& tx, const std::string& token_hash, domain::Role role, const std::string& unit,
                          const std::string& name) {
  auto& t = detail::txn(tx);
  return t
      .exec_params1("INSERT INTO api_tokens (token_hash, role, unit_code, name) VALUES ($1, $2, NULLIF($3, ''), $4) "
                    "RETURNING id",
                    token_hash, std::string(domain::to_string(role)), unit, name)[0]
      .as<std::int64_t>();
}

std::optional<TokenRecord> find_token(Tx& tx, const std::string& token_hash) {
  auto& t = detail::txn(tx);
  const auto r = t.exec_params(
      "SELECT id, role, coalesce(unit_code, ''), name FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
      token_hash);
  if (r.empty()) return std::nullopt;
  TokenRecord rec;
  rec.id = r[0][0].as<std::int64_t>();
  rec.role = domain::parse_role(r[0][1].as<std::string>()).value_or(domain::Role::clerk);
  rec.unit = r[0][2].as<std::string>();
  rec.name = r[0][3].as<std::string>();
  return rec;
}

std::vector<TokenListing> list_tokens(Tx& tx) {
  std::vector<TokenListing> out;
  for (const auto& r : detail::txn(tx).exec(
           "SELECT id, role, coalesce(unit_code, ''), name, (extract(epoch FROM created_at) * 1000)::bigint, "
           "revoked_at IS NOT NULL FROM api_tokens ORDER BY id")) {
    TokenListing t;
    t.token.id = r[0].as<std::int64_t>();
    t.token.role = domain::parse_role(r[1].as<std::string>()).value_or(domain::Role::clerk);
    t.token.unit = r[2].as<std::string>();
    t.token.name = r[3].as<std::string>();
    t.created_at = detail::timestamp_from_ms(r[4]);
    t.revoked = r[5].as<bool>();
    out.push_back(std::move(t));
  }
  return out;
}

bool revoke_token(Tx& tx, std::int64_t id) {
  return !detail::txn(tx)
              .exec_params("UPDATE api_tokens SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id",
                           id)
              .empty();
}

}  // namespace anliegen::storage

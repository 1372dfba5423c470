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

}  // namespace anliegen::storage

#include "storage/units.hpp"

#include "storage/detail/pq.hpp"

namespace anliegen::storage {

void sync_units(Tx& tx, const std::vector<domain::Unit>& units) {
  auto& t = detail::txn(tx);
  std::vector<std::string> codes;
  for (const auto& u : units) {
    t.exec_params(
        "INSERT INTO units (code, name, contact, target_days, active) VALUES ($1, $2, $3, $4, true) "
        "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, contact = EXCLUDED.contact, "
        "target_days = EXCLUDED.target_days, active = true, updated_at = now() "
        "WHERE (units.name, units.contact, units.target_days, units.active) IS DISTINCT FROM "
        "(EXCLUDED.name, EXCLUDED.contact, EXCLUDED.target_days, true)",
        u.code, u.name, u.contact, u.target_days);
    codes.push_back(u.code);
  }
  t.exec_params("UPDATE units SET active = false, updated_at = now() WHERE active AND NOT (code = ANY($1::text[]))",
                detail::text_array_param(codes));
}

std::vector<UnitWithCounts> list_units(Tx& tx) {
  auto& t = detail::txn(tx);
  const auto r = t.exec(
      "SELECT u.code, u.name, u.contact, u.target_days, u.active, "
      "  (SELECT count(*) FROM anliegen a WHERE a.unit_code = u.code AND a.status IN ('new','in_progress','answered')) "
      "FROM units u ORDER BY u.code");
  std::vector<UnitWithCounts> out;
  for (const auto& row : r) {
    UnitWithCounts u;
    u.unit.code = row[0].as<std::string>();
    u.unit.name = row[1].as<std::string>();
    u.unit.contact = row[2].as<std::string>();
    u.unit.target_days = row[3].as<int>();
    u.active = row[4].as<bool>();
    u.open = row[5].as<std::int64_t>();
    out.push_back(std::move(u));
  }
  return out;
}

bool unit_exists(Tx& tx, const std::string& code) {
  return !detail::txn(tx).exec_params("SELECT 1 FROM units WHERE code = $1 AND active", code).empty();
}

}  // namespace anliegen::storage

#include "storage/routing_rules.hpp"

#include "storage/detail/pq.hpp"

namespace anliegen::storage {
namespace {

using detail::txn;

// Serialises writers (save, seed) so that "max + 1" is never taken twice; readers are not blocked.
constexpr const char* kLockWriters = "SELECT pg_advisory_xact_lock(7020668107969291635)";  // "anlrules" in ASCII

constexpr const char* kCurrentVersion = "SELECT coalesce(max(version), 0) FROM routing_rules";

constexpr const char* kLoadCurrent = R"sql(
  SELECT version, rules, actor, (extract(epoch FROM updated_at) * 1000)::bigint
  FROM routing_rules ORDER BY version DESC LIMIT 1)sql";

constexpr const char* kInsertNext = R"sql(
  INSERT INTO routing_rules (version, rules, actor)
  SELECT coalesce(max(version), 0) + 1, $1, $2 FROM routing_rules
  RETURNING version)sql";

constexpr const char* kAuditSave = R"sql(
  INSERT INTO audit_events (anliegen_id, actor, type, data)
  VALUES (NULL, $1, 'routing_rules_updated', jsonb_build_object('version', $2::bigint)))sql";

}  // namespace

// Prepared: asked once per group of webhook deliveries.
std::int64_t current_rules_version(Tx& tx) { return detail::exec_prepared1(tx, kCurrentVersion)[0].as<std::int64_t>(); }

std::optional<StoredRules> load_rules(Tx& tx) {
  const auto r = txn(tx).exec(kLoadCurrent);
  if (r.empty()) return std::nullopt;
  return StoredRules{r[0][0].as<std::int64_t>(), r[0][1].as<std::string>(), r[0][2].as<std::string>(),
                     detail::timestamp_from_ms(r[0][3])};
}

std::int64_t save_rules(Tx& tx, const std::string& json, const std::string& actor) {
  auto& t = txn(tx);
  t.exec(kLockWriters);
  const auto version = t.exec_params1(kInsertNext, json, actor)[0].as<std::int64_t>();
  t.exec_params(kAuditSave, actor, version);
  return version;
}

bool seed_rules_if_empty(Tx& tx, const std::string& json, const std::string& actor) {
  auto& t = txn(tx);
  t.exec(kLockWriters);
  if (current_rules_version(tx) != 0) return false;
  t.exec_params(kInsertNext, json, actor);
  return true;
}

}  // namespace anliegen::storage

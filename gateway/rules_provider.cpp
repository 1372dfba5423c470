#include "gateway/rules_provider.hpp"

#include <variant>

#include "config/rules_json.hpp"
#include "gateway/log.hpp"
#include "storage/routing_rules.hpp"

namespace anliegen::gateway {

RulesProvider::RulesProvider(domain::RuleSet from_config, std::vector<std::string> unit_codes)
    : config_(std::make_shared<const domain::RuleSet>(std::move(from_config))), unit_codes_(std::move(unit_codes)) {}

RulesProvider::Snapshot RulesProvider::snapshot(storage::Tx& tx) {
  const auto version = storage::current_rules_version(tx);
  if (version == 0) return {0, config_};
  {
    std::lock_guard lock(mutex_);
    if (cached_.rules && cached_.version == version) return cached_;
  }
  // Load and parse outside the lock; another thread may do the same work, which is harmless.
  auto stored = storage::load_rules(tx);
  if (!stored) return {0, config_};
  Snapshot fresh{stored->version, nullptr};
  auto parsed = config::parse_rule_set(stored->json, unit_codes_);
  if (auto* err = std::get_if<config::RuleError>(&parsed)) {
    log::error("routing_rules_invalid", {{"version", stored->version}, {"error", config::to_string(*err)}});
    fresh.rules = config_;
  } else {
    fresh.rules = std::make_shared<const domain::RuleSet>(std::get<domain::RuleSet>(std::move(parsed)));
  }
  std::lock_guard lock(mutex_);
  if (!cached_.rules || cached_.version < fresh.version) cached_ = fresh;
  return fresh;
}

}  // namespace anliegen::gateway

#pragma once
// The routing rules in force, shared by every gateway instance through the database
// (storage/routing_rules.hpp). Each call costs one tiny query (the current version number); the JSON is
// parsed again only when the version changed, so a PUT on one instance applies to the next Anliegen on
// all of them without restart. While no set was saved, the configuration's rules apply.
//
//   co_await app.db().transact([&](storage::Tx& tx) {
//     auto rules = app.rules().current(tx);                // shared_ptr<const RuleSet>
//     auto outcome = domain::decide(input, *rules);
//   });
//
// Thread-safe: called from every database thread. A stored set that no longer validates (e.g. it names
// a unit removed from the configuration) is logged once and the configuration's rules apply instead.
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "domain/routing.hpp"
#include "storage/database.hpp"

namespace anliegen::gateway {

class RulesProvider {
 public:
  struct Snapshot {
    std::int64_t version = 0;  // 0: the configuration's rules (nothing stored)
    std::shared_ptr<const domain::RuleSet> rules;
  };

  RulesProvider(domain::RuleSet from_config, std::vector<std::string> unit_codes);

  std::shared_ptr<const domain::RuleSet> current(storage::Tx& tx) { return snapshot(tx).rules; }
  Snapshot snapshot(storage::Tx& tx);

  const domain::RuleSet& from_config() const { return *config_; }
  // The unit codes rules may name (the configured units).
  const std::vector<std::string>& unit_codes() const { return unit_codes_; }

 private:
  std::shared_ptr<const domain::RuleSet> config_;
  std::vector<std::string> unit_codes_;
  std::mutex mutex_;
  Snapshot cached_;
};

}  // namespace anliegen::gateway

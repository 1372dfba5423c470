#pragma once
// Routing rule sets kept in the database so that every gateway instance routes by the same rules and a
// change applies without restart. Each save adds a row with the next version; the highest version is in
// force, older rows are the history. An empty table means "the configuration's rules".
//
//   auto v = storage::current_rules_version(tx);          // one index lookup; 0 when none saved
//   auto stored = storage::load_rules(tx);                // the JSON text of the current set
//   auto nv = storage::save_rules(tx, json, "token:1:admin");
//
// The JSON is stored as given (callers pass config::rule_set_to_json output); it is not validated here.
#include <cstdint>
#include <optional>
#include <string>

#include "domain/time.hpp"
#include "storage/database.hpp"

namespace anliegen::storage {

struct StoredRules {
  std::int64_t version = 0;
  std::string json;
  std::string actor;
  domain::Timestamp updated_at{};
};

// The version in force, 0 when no set was ever saved.
std::int64_t current_rules_version(Tx& tx);
// The set in force, std::nullopt when none was saved.
std::optional<StoredRules> load_rules(Tx& tx);
// Saves a new set and returns its version (previous + 1). Concurrent saves are serialised. Also writes an
// audit event (type "routing_rules_updated", no Anliegen).
std::int64_t save_rules(Tx& tx, const std::string& json, const std::string& actor);
// Saves `json` as version 1 if nothing was saved yet; returns true when it did.
bool seed_rules_if_empty(Tx& tx, const std::string& json, const std::string& actor);

}  // namespace anliegen::storage

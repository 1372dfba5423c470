#pragma once
// The city's units (departments and offices). The configuration is the source of truth: on start-up
// the gateway upserts the configured units; units no longer configured are marked inactive, never
// deleted, because Anliegen still refer to them.
#include <cstdint>
#include <vector>

#include "domain/model.hpp"
#include "storage/database.hpp"

namespace anliegen::storage {

struct UnitWithCounts {
  domain::Unit unit;
  bool active = true;
  std::int64_t open = 0;  // Anliegen in new, in_progress or answered
};

void sync_units(Tx& tx, const std::vector<domain::Unit>& units);
std::vector<UnitWithCounts> list_units(Tx& tx);
bool unit_exists(Tx& tx, const std::string& code);

}  // namespace anliegen::storage

// Defaults of the gateway's settings that depend on the machine.
#include <doctest/doctest.h>

#include <algorithm>
#include <thread>

#include "gateway/settings.hpp"

using namespace anliegen::gateway;

TEST_CASE("the database pool has one thread per core, at least 2 and at most 16, unless set") {
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  const auto s = load_settings({{"ANLIEGEN_DATABASE_URL", "host=/tmp"}});
  CHECK(s.db_pool_size == std::clamp(cores, 2, 16));
  CHECK(s.db_pool_size >= 2);
  CHECK(s.db_pool_size <= 16);
  CHECK(load_settings({{"ANLIEGEN_DATABASE_URL", "host=/tmp"}, {"ANLIEGEN_DB_POOL_SIZE", "7"}}).db_pool_size == 7);
}

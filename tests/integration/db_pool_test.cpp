// The database threads of the gateway (gateway::DbPool) against a real PostgreSQL: grouped work from
// many threads is committed together and none of it is left waiting, and a read is never held up by
// a group being written.
#include <doctest/doctest.h>

#include <chrono>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "gateway/db_pool.hpp"
#include "storage/inbox.hpp"
#include "storage_fixture.hpp"

using namespace anliegen;
using namespace std::chrono_literals;

namespace {

void store(storage::Tx& tx, const std::string& key, const std::string& body) {
  storage::insert_inbox(tx, "whatsapp", key, body);
}

long long stored(gateway::DbPool& pool) {
  long long n = 0;
  pool.run_blocking([&](storage::Connection& c) {
    c.read([&](storage::Tx& tx) { n = storage::count_inbox(tx, "whatsapp", storage::InboxState::processed); });
  });
  return n;
}

}  // namespace

TEST_CASE("grouped work from many threads is all committed, sharing commits, with reads in between") {
  testing::MigratedDatabase f({});
  gateway::DbPool pool(f.db.dsn(), 4, 10000);
  constexpr int kSenders = 8;
  constexpr int kEach = 100;
  const std::string body = "{}";
  std::vector<std::future<void>> senders;
  for (int s = 0; s < kSenders; ++s) {
    senders.push_back(std::async(std::launch::async, [&, s] {
      for (int i = 0; i < kEach; ++i) {
        const auto key = std::to_string(s) + "-" + std::to_string(i);
        pool.transact_grouped_blocking([&](storage::Tx& tx) { store(tx, key, body); });
        if (i % 25 == 0) stored(pool);  // a read between the deliveries of this sender
      }
    }));
  }
  for (auto& s : senders) REQUIRE(s.wait_for(60s) == std::future_status::ready);
  for (auto& s : senders) s.get();

  CHECK(stored(pool) == kSenders * kEach);
  // Deliveries that waited at the same time were committed in one transaction.
  const auto transactions = std::stoll(f.db.scalar("SELECT count(DISTINCT xmin::text) FROM inbox"));
  CHECK(transactions < kSenders * kEach);
  CHECK(pool.queued() == 0);
}

TEST_CASE("a read runs while a group is being written; the next group waits for it and then runs") {
  testing::MigratedDatabase f({});
  gateway::DbPool pool(f.db.dsn(), 2, 100);
  std::promise<void> release;
  auto released = release.get_future().share();
  std::promise<void> writing;

  auto first = std::async(std::launch::async, [&] {
    pool.transact_grouped_blocking([&](storage::Tx& tx) {
      store(tx, "first", "{}");
      writing.set_value();
      released.wait();  // the group stays "being written" until the test lets it go
    });
  });
  writing.get_future().wait();

  auto second = std::async(std::launch::async, [&] {
    pool.transact_grouped_blocking([&](storage::Tx& tx) { store(tx, "second", "{}"); });
  });
  auto read = std::async(std::launch::async, [&] { return stored(pool); });
  REQUIRE(read.wait_for(30s) == std::future_status::ready);
  CHECK(read.get() == 0);  // nothing committed yet
  CHECK(second.wait_for(300ms) == std::future_status::timeout);  // one group written at a time

  release.set_value();
  REQUIRE(first.wait_for(30s) == std::future_status::ready);
  REQUIRE(second.wait_for(30s) == std::future_status::ready);
  first.get();
  second.get();
  CHECK(stored(pool) == 2);
}

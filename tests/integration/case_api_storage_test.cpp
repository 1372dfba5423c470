// Integration tests for the case API's storage: routing rule sets, the case list (filters, German
// full-text search, keyset pages) and case updates (version check, forwarding, notes).
#include <doctest/doctest.h>

#include <set>

#include "domain/time.hpp"
#include "storage/case_queries.hpp"
#include "storage/case_updates.hpp"
#include "storage/cases.hpp"
#include "storage/migrations.hpp"
#include "storage/routing_rules.hpp"
#include "storage/units.hpp"
#include "storage_fixture.hpp"
#include "test_env.hpp"

using namespace anliegen;

namespace {

struct Fixture : testing::MigratedDatabase {
  Fixture()
      : MigratedDatabase({{"ob", "Büro OB", "", 5}, {"buergerservice", "Bürgerservice", "", 3},
                          {"tiefbau", "Tiefbau", "", 10}, {"gruen", "Grün", "", 10}}) {}
  domain::AnliegenId add(const std::string& text, const std::string& unit, const std::string& at,
                         domain::Channel channel = domain::Channel::phone, std::vector<std::string> tags = {}) {
    storage::NewCase c;
    c.channel = channel;
    c.citizen = {{}, channel, "ext-" + std::to_string(++n), "", "", ""};
    c.text = text;
    c.received_at = *domain::parse_iso8601(at);
    c.routing = {unit, "", "", "test → " + unit};
    c.tags = std::move(tags);
    c.actor = "test";
    storage::CreatedCase created;
    conn->transact([&](storage::Tx& tx) { created = storage::create_case(tx, c); });
    return created.id;
  }
  storage::CasePage list(const storage::CaseFilter& f) {
    storage::CasePage page;
    conn->read([&](storage::Tx& tx) { page = storage::list_cases(tx, f); });
    return page;
  }
  int n = 0;
};

std::vector<std::int64_t> ids(const storage::CasePage& p) {
  std::vector<std::int64_t> out;
  for (const auto& s : p.items) out.push_back(s.anliegen.id.value);
  return out;
}

}  // namespace

TEST_CASE("rule sets: none at first, seeding once, saving adds versions and keeps the history") {
  Fixture f;
  std::int64_t version = -1;
  std::optional<storage::StoredRules> stored;
  f.conn->read([&](storage::Tx& tx) {
    version = storage::current_rules_version(tx);
    stored = storage::load_rules(tx);
  });
  CHECK(version == 0);
  CHECK_FALSE(stored);

  bool seeded = false;
  f.conn->transact([&](storage::Tx& tx) { seeded = storage::seed_rules_if_empty(tx, R"({"rules":[]})", "config"); });
  CHECK(seeded);
  f.conn->transact([&](storage::Tx& tx) { seeded = storage::seed_rules_if_empty(tx, R"({"x":1})", "config"); });
  CHECK_FALSE(seeded);

  f.conn->transact([&](storage::Tx& tx) { version = storage::save_rules(tx, R"({"rules":[1]})", "token:1:admin"); });
  CHECK(version == 2);
  f.conn->read([&](storage::Tx& tx) { stored = storage::load_rules(tx); });
  REQUIRE(stored);
  CHECK(stored->version == 2);
  CHECK(stored->json == R"({"rules":[1]})");
  CHECK(stored->actor == "token:1:admin");
  CHECK(f.db.scalar("SELECT count(*) FROM routing_rules") == "2");
  CHECK(f.db.scalar("SELECT count(*) FROM audit_events WHERE type = 'routing_rules_updated' AND anliegen_id IS NULL") ==
        "1");
  // A save that rolls back leaves no version behind.
  CHECK_THROWS(f.conn->transact([&](storage::Tx& tx) {
    storage::save_rules(tx, "{}", "x");
    throw std::runtime_error("abort");
  }));
  f.conn->read([&](storage::Tx& tx) { version = storage::current_rules_version(tx); });
  CHECK(version == 2);
}

TEST_CASE("the case list filters, pages by keyset without gaps or duplicates, and sorts both ways") {
  Fixture f;
  std::vector<domain::AnliegenId> all;
  for (int i = 0; i < 25; ++i) {
    // Pairs share a received time, so that the id decides the order inside a pair.
    const auto at = "2026-03-" + std::string(i / 2 + 1 < 10 ? "0" : "") + std::to_string(i / 2 + 1) + "T10:00:00Z";
    all.push_back(f.add("Anliegen " + std::to_string(i), i % 3 == 0 ? "tiefbau" : "buergerservice", at,
                        i % 2 ? domain::Channel::letter : domain::Channel::phone, i % 5 == 0 ? std::vector<std::string>{"laerm"} : std::vector<std::string>{}));
  }
  storage::CaseFilter filter;
  filter.limit = 7;
  std::vector<std::int64_t> seen;
  for (int page_no = 0; page_no < 10; ++page_no) {
    auto page = f.list(filter);
    for (auto id : ids(page)) seen.push_back(id);
    if (!page.next) break;
    CHECK(page.items.size() == 7);
    filter.after = page.next;
  }
  REQUIRE(seen.size() == 25);
  CHECK(std::set<std::int64_t>(seen.begin(), seen.end()).size() == 25);
  // Newest first; within the same time the higher id first.
  CHECK(seen.front() == all[24].value);
  CHECK(seen[1] == all[23].value);
  CHECK(seen[2] == all[22].value);
  CHECK(seen.back() == all[0].value);

  storage::CaseFilter asc;
  asc.oldest_first = true;
  asc.limit = 200;
  auto first = f.list(asc);
  CHECK(ids(first).front() == all[0].value);
  CHECK(ids(first)[1] == all[1].value);
  CHECK_FALSE(first.next);

  storage::CaseFilter by_unit;
  by_unit.unit = "tiefbau";
  CHECK(f.list(by_unit).items.size() == 9);
  by_unit.channels = {domain::Channel::letter};
  CHECK(f.list(by_unit).items.size() == 4);  // i = 3, 9, 15, 21

  storage::CaseFilter tagged;
  tagged.tag = "laerm";
  CHECK(f.list(tagged).items.size() == 5);

  storage::CaseFilter window;
  window.received_from = *domain::parse_iso8601("2026-03-02T00:00:00Z");
  window.received_to = *domain::parse_iso8601("2026-03-03T00:00:00Z");
  CHECK(ids(f.list(window)) == std::vector<std::int64_t>{all[3].value, all[2].value});

  storage::CaseFilter status;
  status.statuses = {domain::Status::closed};
  CHECK(f.list(status).items.empty());
  status.statuses = {domain::Status::closed, domain::Status::new_};
  CHECK(f.list(status).items.size() == 20 + 5);

  const auto s = f.list(by_unit).items.front();
  CHECK(s.anliegen.routing.reason == "test → tiefbau");
  CHECK(s.anliegen.messages.empty());
  CHECK_FALSE(s.anliegen.citizen);
}

TEST_CASE("full-text search covers the whole thread with German stemming") {
  Fixture f;
  const auto pothole = f.add("In der Bismarckstraße ist ein tiefes Schlagloch.", "tiefbau", "2026-03-01T10:00:00Z");
  const auto trees = f.add("Die Bäume im Ebertpark müssten geschnitten werden.", "gruen", "2026-03-02T10:00:00Z");
  storage::CaseFilter q;
  q.q = "Schlagloch";
  CHECK(ids(f.list(q)) == std::vector<std::int64_t>{pothole.value});
  // The German snowball stemmer removes endings and umlauts: "Schlaglöcher" → schlagloch, "Bäume" → baum.
  q.q = "Schlaglöcher";
  CHECK(ids(f.list(q)) == std::vector<std::int64_t>{pothole.value});
  q.q = "Baum";
  CHECK(ids(f.list(q)) == std::vector<std::int64_t>{trees.value});
  q.q = "Bismarckstrasse";  // ß and ss are the same word
  CHECK(ids(f.list(q)) == std::vector<std::int64_t>{pothole.value});
  q.q = "Schlagloch -Bismarckstraße";  // websearch syntax: minus excludes
  CHECK(f.list(q).items.empty());
  q.q = "\"Ebertpark müssten\"";       // phrase
  CHECK(ids(f.list(q)) == std::vector<std::int64_t>{trees.value});

  // A note added later is searchable; erasing its text removes the words again.
  domain::Message note;
  f.conn->transact([&](storage::Tx& tx) { note = storage::add_note(tx, trees, "Rückruf wegen Astbruch vereinbart", "Frau Test"); });
  q.q = "Astbruch";
  CHECK(ids(f.list(q)) == std::vector<std::int64_t>{trees.value});
  f.db.scalar("UPDATE messages SET text = '' WHERE id = " + std::to_string(note.id.value));
  CHECK(f.list(q).items.empty());
  q.q = "Bäume";
  CHECK(ids(f.list(q)) == std::vector<std::int64_t>{trees.value});
}

TEST_CASE("the Sprechstunde filter works with or without the Sprechstunden schema") {
  Fixture f;
  f.add("x", "ob", "2026-03-01T10:00:00Z");
  storage::CaseFilter s;
  s.in_any_sprechstunde = true;
  CHECK(f.list(s).items.empty());
  s.in_any_sprechstunde = false;
  s.sprechstunde_id = 1;
  CHECK(f.list(s).items.empty());
}

TEST_CASE("updates check the version, set and clear closed_at, and record forwards and notes") {
  Fixture f;
  const auto id = f.add("Müll am Rheinufer", "buergerservice", "2026-03-01T10:00:00Z");
  std::optional<storage::LockedCase> cur;
  f.conn->read([&](storage::Tx& tx) {
    const auto unit = storage::case_unit(tx, id);
    REQUIRE(unit);
    CHECK(*unit == "buergerservice");
    CHECK_FALSE(storage::case_unit(tx, domain::AnliegenId{999999}));
  });
  f.conn->transact([&](storage::Tx& tx) { cur = storage::lock_case(tx, id); });
  REQUIRE(cur);
  CHECK(cur->version == 1);
  CHECK(cur->fields.status == domain::Status::new_);

  auto next = cur->fields;
  next.status = domain::Status::closed;
  next.tags = {"a", "b"};
  std::optional<std::int64_t> v;
  f.conn->transact([&](storage::Tx& tx) { v = storage::update_case_fields(tx, id, 1, next); });
  CHECK(v == 2);
  CHECK(f.db.scalar("SELECT closed_at IS NOT NULL FROM anliegen WHERE id = " + std::to_string(id.value)) == "t");
  f.conn->transact([&](storage::Tx& tx) { v = storage::update_case_fields(tx, id, 1, next); });
  CHECK_FALSE(v);  // stale version: nothing written
  next.status = domain::Status::in_progress;
  next.unit = "tiefbau";
  f.conn->transact([&](storage::Tx& tx) {
    v = storage::update_case_fields(tx, id, 2, next);
    storage::record_routing_decision(tx, id, {"tiefbau", "", "", "forwarded"}, "token:2:clerk");
  });
  CHECK(v == 3);
  std::optional<domain::Anliegen> a;
  f.conn->read([&](storage::Tx& tx) { a = storage::get_case(tx, id); });
  REQUIRE(a);
  CHECK(a->unit == "tiefbau");
  CHECK(a->status == domain::Status::in_progress);
  CHECK_FALSE(a->closed_at);
  CHECK(a->tags == std::vector<std::string>{"a", "b"});
  CHECK(a->routing.reason == "forwarded");
  CHECK(f.db.scalar("SELECT actor FROM routing_decisions ORDER BY id DESC LIMIT 1") == "token:2:clerk");

  domain::Message note;
  f.conn->transact([&](storage::Tx& tx) { note = storage::add_note(tx, id, "intern", "Frau Test"); });
  CHECK(note.direction == domain::Direction::internal);
  f.conn->read([&](storage::Tx& tx) { a = storage::get_case(tx, id); });
  REQUIRE(a->messages.size() == 2);
  CHECK(a->messages[1].text == "intern");
  CHECK(a->messages[1].author == "Frau Test");
  CHECK(a->version == 3);  // notes do not change the version
}

// storage/invitations against PostgreSQL: the current count is the latest "at" whatever the arrival
// order, threshold and withdrawal are set once, early events are handed over once, decisions once,
// and the month ranking.
#include <doctest/doctest.h>

#include "domain/time.hpp"
#include "storage/cases.hpp"
#include "storage/invitations.hpp"
#include "storage/migrations.hpp"
#include "storage/units.hpp"
#include "storage_fixture.hpp"
#include "test_env.hpp"

using namespace anliegen;

namespace {

domain::Timestamp at(const char* iso) { return *domain::parse_iso8601(iso); }

struct InvitationFixture : testing::MigratedDatabase {
  InvitationFixture() : MigratedDatabase({{"ob", "Büro der Oberbürgermeisterin", "", 5}}) {}
  domain::AnliegenId invitation(const std::string& external_id, const char* created) {
    domain::AnliegenId id;
    conn->transact([&](storage::Tx& tx) {
      storage::NewCase c;
      c.kind = domain::Kind::invitation;
      c.channel = domain::Channel::holdieob;
      c.citizen = {{}, domain::Channel::holdieob, "invitation:" + external_id, "", "", ""};
      c.text = "Einladung";
      c.received_at = at(created);
      c.routing = {"ob", "holdieob", "Einladungen", "channel 'holdieob' → ob"};
      c.actor = "channel:holdieob";
      id = storage::create_case(tx, c).id;
      storage::insert_invitation(tx, {id, external_id, "Titel " + external_id, at(created), {"2026-12-10"}});
    });
    return id;
  }
};

}  // namespace

TEST_CASE("supporter counts: history kept, the latest 'at' is current, repeats ignored") {
  InvitationFixture f;
  const auto id = f.invitation("inv-1", "2026-11-20T10:00:00+01:00");
  f.conn->transact([&](storage::Tx& tx) {
    CHECK(storage::record_supporters(tx, id, at("2026-11-22T10:00:00Z"), 40) == 40);
    CHECK(storage::record_supporters(tx, id, at("2026-11-21T10:00:00Z"), 30) == 40);
    CHECK(storage::record_supporters(tx, id, at("2026-11-22T10:00:00Z"), 99) == 40);  // same "at": ignored
    CHECK(storage::record_supporters(tx, id, at("2026-11-23T10:00:00Z"), 35) == 35);  // newer and lower: current
    CHECK(storage::mark_threshold_reached(tx, id, at("2026-11-23T10:00:00Z")));
    CHECK_FALSE(storage::mark_threshold_reached(tx, id, at("2026-11-24T10:00:00Z")));
    CHECK(storage::mark_withdrawn(tx, id, at("2026-11-25T10:00:00Z")));
    CHECK_FALSE(storage::mark_withdrawn(tx, id, at("2026-11-26T10:00:00Z")));
    const auto inv = storage::get_invitation(tx, id);
    REQUIRE(inv);
    CHECK(inv->supporters == 35);
    CHECK(domain::format_utc(*inv->threshold_reached_at) == "2026-11-23T10:00:00.000Z");
    CHECK(inv->withdrawn_at.has_value());
    CHECK(storage::find_invitation(tx, "inv-1") == id);
    CHECK_FALSE(storage::find_invitation(tx, "inv-2"));
  });
  CHECK(f.db.scalar("SELECT count(*) FROM invitation_supporter_counts") == "3");
  CHECK(f.db.scalar("SELECT supporters_updated_at = '2026-11-23T10:00:00Z' FROM invitations") == "t");
}

TEST_CASE("early events are handed over once, oldest first") {
  InvitationFixture f;
  f.conn->transact([&](storage::Tx& tx) {
    storage::keep_early_event(tx, "inv-9", {"supported", at("2026-11-22T10:00:00Z"), 12});
    storage::keep_early_event(tx, "inv-9", {"withdrawn", at("2026-11-21T10:00:00Z"), 0});
    storage::keep_early_event(tx, "inv-9", {"supported", at("2026-11-22T10:00:00Z"), 12});  // repeated
    const auto taken = storage::take_early_events(tx, "inv-9");
    REQUIRE(taken.size() == 2);
    CHECK(taken[0].type == "withdrawn");
    CHECK(taken[1].supporters == 12);
    CHECK(storage::take_early_events(tx, "inv-9").empty());
  });
}

TEST_CASE("a decision is recorded once; accepted visits and the month ranking") {
  InvitationFixture f;
  const auto a = f.invitation("inv-a", "2026-11-02T10:00:00+01:00");
  const auto b = f.invitation("inv-b", "2026-11-03T10:00:00+01:00");
  f.invitation("inv-c", "2026-12-01T00:30:00+01:00");
  f.conn->transact([&](storage::Tx& tx) {
    storage::record_supporters(tx, b, at("2026-11-04T10:00:00Z"), 5);
    CHECK(storage::record_decision(tx, a, {"accepted", at("2026-11-30T10:00:00Z"), at("2026-12-10T13:00:00Z"), "Gern"}));
    CHECK_FALSE(storage::record_decision(tx, a, {"declined", at("2026-11-30T11:00:00Z"), std::nullopt, ""}));
    const auto visits = storage::accepted_visits(tx);
    REQUIRE(visits.size() == 1);
    CHECK(visits[0].anliegen == a);
    CHECK(visits[0].title == "Titel inv-a");
    const auto nov = storage::list_invitations(tx, at("2026-10-31T23:00:00Z"), at("2026-11-30T23:00:00Z"));
    REQUIRE(nov.size() == 2);
    CHECK(nov[0].anliegen == b);
    CHECK(nov[1].decision == "accepted");
  });
}

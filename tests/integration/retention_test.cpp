// Automatic retention (storage::anonymise_expired): closed Anliegen past their channel's period lose
// their content as in an erasure, open and recent ones keep it, and a citizen record goes only when
// nothing of the citizen is left un-anonymised.
#include <doctest/doctest.h>

#include "domain/time.hpp"
#include "storage/case_updates.hpp"
#include "storage/cases.hpp"
#include "storage/citizens.hpp"
#include "storage/migrations.hpp"
#include "storage/units.hpp"
#include "storage_fixture.hpp"
#include "test_env.hpp"

using namespace anliegen;

namespace {

struct RetentionFixture : testing::MigratedDatabase {
  RetentionFixture() : MigratedDatabase({{"buergerservice", "Bürgerservice", "", 3}}) {}

  // An Anliegen from `who` on `channel`, closed `closed_days_ago` days ago (or open: -1).
  std::int64_t add(domain::Channel channel, const std::string& who, const std::string& text, int closed_days_ago) {
    storage::NewCase c;
    c.channel = channel;
    c.citizen = {{}, channel, who, "Name " + who, "+49621" + who, ""};
    c.text = text;
    c.location = {49.48, 8.43, "Bismarckstraße 10"};
    c.received_at = *domain::parse_iso8601("2025-01-10T09:00:00Z");
    c.routing = {"buergerservice", "", "", "default"};
    c.actor = "test";
    std::int64_t id = 0;
    conn->transact([&](storage::Tx& tx) { id = storage::create_case(tx, c).id.value; });
    if (closed_days_ago >= 0) {
      db.scalar("UPDATE anliegen SET status = 'closed', closed_at = now() - interval '" +
                std::to_string(closed_days_ago) + " days' WHERE id = " + std::to_string(id) + " RETURNING id");
    }
    return id;
  }

  storage::RetentionRun run(const storage::RetentionPolicy& policy, int limit = 100) {
    storage::RetentionRun r;
    conn->transact([&](storage::Tx& tx) { r = storage::anonymise_expired(tx, policy, limit); });
    return r;
  }

  std::string text_of(std::int64_t id) {
    return db.scalar("SELECT string_agg(text, '|') FROM messages WHERE anliegen_id = " + std::to_string(id));
  }
};

}  // namespace

TEST_CASE("closed Anliegen past their channel's period are anonymised; open and recent ones are not") {
  RetentionFixture f;
  const auto old_whatsapp = f.add(domain::Channel::whatsapp, "1001", "Sperrmüll vor meiner Haustür", 40);
  const auto recent_whatsapp = f.add(domain::Channel::whatsapp, "1002", "Laterne defekt", 10);
  const auto old_phone = f.add(domain::Channel::phone, "2001", "Lärm in der Nacht", 40);
  const auto very_old_phone = f.add(domain::Channel::phone, "2002", "Baum umgestürzt", 400);
  const auto open_phone = f.add(domain::Channel::phone, "2003", "Schlagloch", -1);
  const auto statistics = "SELECT string_agg(status || ' ' || unit_code || ' ' || channel || ' ' || "
                          "coalesce(closed_at::text, '-'), ',' ORDER BY id) FROM anliegen";
  const auto before = f.db.scalar(statistics);

  // WhatsApp 30 days, everything else a year.
  const storage::RetentionPolicy policy{365, {{"whatsapp", 30}}};
  const auto run = f.run(policy);
  CHECK(run.content.anliegen == 2);
  CHECK(run.citizens == 2);

  CHECK(f.text_of(old_whatsapp).empty());
  CHECK(f.text_of(very_old_phone).empty());
  CHECK(f.text_of(recent_whatsapp) == "Laterne defekt");
  CHECK(f.text_of(old_phone) == "Lärm in der Nacht");
  CHECK(f.text_of(open_phone) == "Schlagloch");
  const auto id = std::to_string(old_whatsapp);
  CHECK(f.db.scalar("SELECT address || '/' || coalesce(lat::text, '-') || '/' || (anonymised_at IS NOT NULL) "
                    "FROM anliegen WHERE id = " + id) == "/-/true");
  CHECK(f.db.scalar("SELECT search::text FROM anliegen WHERE id = " + id).empty());
  CHECK(f.db.scalar("SELECT actor || ' ' || type FROM audit_events WHERE anliegen_id = " + id +
                    " ORDER BY id DESC LIMIT 1") == "retention anonymised");
  CHECK(f.db.scalar("SELECT display_name || phone || '/' || external_id FROM citizens c JOIN anliegen a "
                    "ON a.citizen_id = c.id WHERE a.id = " + id) == "/erased-" +
                                                                   f.db.scalar("SELECT citizen_id FROM anliegen WHERE id = " + id));
  CHECK(f.db.scalar("SELECT display_name FROM citizens WHERE external_id = '1002'") == "Name 1002");
  CHECK(f.db.scalar(statistics) == before);  // status, unit, channel and times stay

  // Nothing left to do: a second run changes nothing; 0 days for a channel keeps it for good.
  CHECK(f.run(policy).content.anliegen == 0);
  CHECK(f.run({0, {{"whatsapp", 0}}}).content.anliegen == 0);
  CHECK_FALSE(storage::RetentionPolicy{0, {{"phone", 0}}}.any());
  CHECK(f.run({20, {{"phone", 0}}}).content.anliegen == 0);  // phone kept; WhatsApp (10 days) not yet due
}

TEST_CASE("a citizen's record stays while one of their Anliegen keeps its content") {
  RetentionFixture f;
  const auto old_one = f.add(domain::Channel::whatsapp, "3001", "alt", 100);
  const auto still_open = f.add(domain::Channel::whatsapp, "3001", "noch offen", -1);
  const auto run = f.run({30, {}});
  CHECK(run.content.anliegen == 1);
  CHECK(run.citizens == 0);
  CHECK(f.text_of(old_one).empty());
  CHECK(f.text_of(still_open) == "noch offen");
  CHECK(f.db.scalar("SELECT display_name FROM citizens WHERE external_id = '3001'") == "Name 3001");
}

TEST_CASE("a large backlog goes in batches, oldest first") {
  RetentionFixture f;
  std::vector<std::int64_t> ids;
  for (int i = 0; i < 5; ++i) ids.push_back(f.add(domain::Channel::phone, "40" + std::to_string(i), "Text", 50 + i));
  const storage::RetentionPolicy policy{30, {}};
  CHECK(f.run(policy, 2).content.anliegen == 2);
  CHECK(f.text_of(ids[4]).empty());  // closed 54 days ago: the oldest
  CHECK(f.text_of(ids[3]).empty());
  CHECK(f.text_of(ids[0]) == "Text");
  CHECK(f.run(policy, 2).content.anliegen == 2);
  CHECK(f.run(policy, 2).content.anliegen == 1);
  CHECK(f.run(policy, 2).content.anliegen == 0);
  CHECK(f.db.scalar("SELECT count(*) FROM anliegen WHERE anonymised_at IS NULL") == "0");
}

TEST_CASE("an anonymised Anliegen that is reopened counts again from its next closing") {
  RetentionFixture f;
  const auto id = f.add(domain::Channel::phone, "5001", "alt", 100);
  CHECK(f.run({30, {}}).content.anliegen == 1);
  const domain::AnliegenId aid{id};
  auto reopen = [&](domain::Status status) {
    f.conn->transact([&](storage::Tx& tx) {
      const auto locked = storage::lock_case(tx, aid);
      REQUIRE(locked);
      auto fields = locked->fields;
      fields.status = status;
      REQUIRE(storage::update_case_fields(tx, aid, locked->version, fields));
    });
  };
  reopen(domain::Status::in_progress);
  CHECK(f.db.scalar("SELECT anonymised_at IS NULL FROM anliegen WHERE id = " + std::to_string(id)) == "t");
  f.db.scalar("INSERT INTO messages (anliegen_id, direction, channel, text, sent_at, author) VALUES (" +
              std::to_string(id) + ", 'inbound', 'phone', 'neuer Hinweis', now(), '') RETURNING id");
  reopen(domain::Status::closed);
  CHECK(f.run({30, {}}).content.anliegen == 0);  // closed just now
  f.db.scalar("UPDATE anliegen SET closed_at = now() - interval '31 days' WHERE id = " + std::to_string(id) +
              " RETURNING id");
  CHECK(f.run({30, {}}).content.anliegen == 1);
  CHECK(f.text_of(id).find("neuer Hinweis") == std::string::npos);
}

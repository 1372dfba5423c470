#include <doctest/doctest.h>

#include "domain/time.hpp"
#include "storage/cases.hpp"
#include "storage/errors.hpp"
#include "storage/migrations.hpp"
#include "storage/units.hpp"
#include "storage_fixture.hpp"
#include "test_env.hpp"

using namespace anliegen;

namespace {

std::vector<domain::Unit> demo_units() {
  return {{"ob", "Büro der Oberbürgermeisterin", "ob@example.org", 5},
          {"buergerservice", "Bürgerservice", "", 3},
          {"tiefbau", "Tiefbau", "", 10}};
}

storage::NewCase phone_case(const std::string& text) {
  storage::NewCase c;
  c.channel = domain::Channel::phone;
  c.citizen = {{}, domain::Channel::phone, "+49621111111", "Erika Mustermann", "+49621111111", ""};
  c.text = text;
  c.category = "pothole";
  c.location = {49.4811, 8.4353, "Bismarckstraße 10"};
  c.received_at = *domain::parse_iso8601("2026-11-30T09:15:00+01:00");
  c.routing = {"buergerservice", "", "", "no rule matched → buergerservice (default unit)"};
  c.tags = {"strasse", "mit \"Anführungszeichen\""};
  c.actor = "token:1:test";
  return c;
}

struct Fixture : testing::MigratedDatabase {
  Fixture() : MigratedDatabase(demo_units()) {}
};

}  // namespace

TEST_CASE("a case is created with its citizen, first message, decision and audit event") {
  Fixture f;
  storage::CreatedCase created;
  f.conn->transact([&](storage::Tx& tx) { created = storage::create_case(tx, phone_case("Schlagloch")); });
  CHECK(created.id.value > 0);
  CHECK(created.reference == "A-2026-" + std::string(6 - std::to_string(created.id.value).size(), '0') +
                                 std::to_string(created.id.value));

  std::optional<domain::Anliegen> a;
  std::vector<storage::AuditEvent> events;
  f.conn->read([&](storage::Tx& tx) {
    a = storage::get_case(tx, created.id);
    events = storage::list_events(tx, created.id);
  });
  REQUIRE(a);
  CHECK(a->status == domain::Status::new_);
  CHECK(a->unit == "buergerservice");
  CHECK(a->category == "pothole");
  CHECK(a->tags == std::vector<std::string>{"strasse", "mit \"Anführungszeichen\""});
  REQUIRE(a->location.lat);
  CHECK(*a->location.lat == doctest::Approx(49.4811));
  CHECK(a->location.address == "Bismarckstraße 10");
  CHECK(domain::format_utc(a->received_at) == "2026-11-30T08:15:00.000Z");
  REQUIRE(a->citizen);
  CHECK(a->citizen->display_name == "Erika Mustermann");
  REQUIRE(a->messages.size() == 1);
  CHECK(a->messages[0].text == "Schlagloch");
  CHECK(a->messages[0].direction == domain::Direction::inbound);
  CHECK(a->routing.reason.find("default unit") != std::string::npos);
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == "created");
  CHECK(events[0].actor == "token:1:test");
}

TEST_CASE("a case reads back whole in one statement: thread in order, attachments, invitation") {
  Fixture f;
  auto input = phone_case("Erste Nachricht \"mit\" Zeichen\n\u00e4\u00f6\u00fc \\ und \x01");
  input.kind = domain::Kind::invitation;
  storage::CreatedCase created;
  f.conn->transact([&](storage::Tx& tx) { created = storage::create_case(tx, input); });
  const auto id = std::to_string(created.id.value);
  // An answer sent earlier than the first message was received (sent_at orders the thread), and one later.
  const auto early = f.db.scalar(
      "INSERT INTO messages (anliegen_id, direction, channel, text, sent_at, author, delivery_status, delivery_error, flags) "
      "VALUES (" + id + ", 'outbound', 'phone', 'Antwort', '2026-11-30T08:00:00.25Z', 'Sachbearbeitung', 'failed', "
      "'kaputt', '{auto_reply,edited}') RETURNING id");
  const auto late = f.db.scalar("INSERT INTO messages (anliegen_id, direction, channel, text, sent_at) VALUES (" + id +
                                ", 'inbound', 'phone', 'Foto', '2026-11-30T10:00:00Z') RETURNING id");
  f.db.scalar("INSERT INTO attachments (message_id, kind, mime_type, size, sha256, filename, state) VALUES (" + late +
              ", 'image', 'image/jpeg', 1234, 'ab', 'b.jpg', 'stored'), (" + late + ", 'document', 'application/pdf', 5, "
              "'', 'a.pdf', 'pending') RETURNING 1");
  f.db.scalar("INSERT INTO invitations (anliegen_id, external_id, title, created_at, supporters) VALUES (" + id +
              ", 'inv-1', 'Besuch', '2026-11-01T10:00:00Z', 7) RETURNING 1");

  std::optional<domain::Anliegen> in_tx, single;
  f.conn->read([&](storage::Tx& tx) { in_tx = storage::get_case(tx, created.id); });
  f.conn->read_single([&](storage::Tx& tx) { single = storage::get_case(tx, created.id); });
  REQUIRE(single);
  REQUIRE(single->messages.size() == 3);
  CHECK(std::to_string(single->messages[0].id.value) == early);
  CHECK(single->messages[0].direction == domain::Direction::outbound);
  CHECK(domain::format_utc(single->messages[0].sent_at) == "2026-11-30T08:00:00.250Z");
  CHECK(single->messages[0].delivery_status == "failed");
  CHECK(single->messages[0].delivery_error == "kaputt");
  CHECK(single->messages[0].flags == std::vector<std::string>{"auto_reply", "edited"});
  CHECK(single->messages[0].attachments.empty());
  CHECK(single->messages[1].text == input.text);
  CHECK(single->messages[1].flags.empty());
  REQUIRE(single->messages[2].attachments.size() == 2);
  CHECK(single->messages[2].attachments[0].filename == "b.jpg");
  CHECK(single->messages[2].attachments[0].kind == domain::AttachmentKind::image);
  CHECK(single->messages[2].attachments[0].size == 1234);
  CHECK(single->messages[2].attachments[0].state == "stored");
  CHECK(single->messages[2].attachments[1].mime_type == "application/pdf");
  REQUIRE(single->invitation);
  CHECK(single->invitation->external_id == "inv-1");
  CHECK(single->invitation->supporters == 7);
  CHECK_FALSE(single->invitation->decided_at);
  // The same whether read in a transaction or on its own.
  REQUIRE(in_tx);
  CHECK(in_tx->messages.size() == single->messages.size());
  CHECK(in_tx->invitation->title == single->invitation->title);
}

TEST_CASE("read_single passes errors on and leaves no transaction behind") {
  Fixture f;
  CHECK_THROWS_AS(f.conn->read_single([](storage::Tx&) { throw storage::StorageError("failed"); }),
                  storage::StorageError);
  std::optional<domain::Anliegen> a;
  f.conn->read_single([&](storage::Tx& tx) { a = storage::get_case(tx, domain::AnliegenId{1}); });
  CHECK_FALSE(a);
  CHECK(f.conn->usable());
  f.conn->transact([&](storage::Tx& tx) { storage::create_case(tx, phone_case("danach")); });
  CHECK(f.db.scalar("SELECT count(*) FROM anliegen") == "1");
}

TEST_CASE("the same citizen identity is one record, and empty fields never overwrite") {
  Fixture f;
  auto first = phone_case("eins");
  auto second = phone_case("zwei");
  second.citizen.display_name = "";
  storage::CreatedCase a, b;
  f.conn->transact([&](storage::Tx& tx) {
    a = storage::create_case(tx, first);
    b = storage::create_case(tx, second);
  });
  CHECK(a.id != b.id);
  CHECK(f.db.scalar("SELECT count(*) FROM citizens") == "1");
  CHECK(f.db.scalar("SELECT display_name FROM citizens") == "Erika Mustermann");
}

TEST_CASE("a duplicate platform message id is refused and nothing of that case is kept") {
  Fixture f;
  auto c = phone_case("eins");
  c.channel = domain::Channel::whatsapp;
  c.citizen.channel = domain::Channel::whatsapp;
  c.external_message_id = "wamid.DUP";
  f.conn->transact([&](storage::Tx& tx) { storage::create_case(tx, c); });
  CHECK_THROWS_AS(f.conn->transact([&](storage::Tx& tx) { storage::create_case(tx, c); }), storage::StorageError);
  CHECK(f.db.scalar("SELECT count(*) FROM anliegen") == "1");
  CHECK(f.db.scalar("SELECT count(*) FROM messages") == "1");
}

TEST_CASE("a case for an unknown unit is refused by the database") {
  Fixture f;
  auto c = phone_case("x");
  c.routing.unit = "gibtsnicht";
  CHECK_THROWS_AS(f.conn->transact([&](storage::Tx& tx) { storage::create_case(tx, c); }), storage::StorageError);
  CHECK(f.db.scalar("SELECT count(*) FROM anliegen") == "0");
}

TEST_CASE("an unknown id reads as nothing") {
  Fixture f;
  std::optional<domain::Anliegen> a;
  f.conn->read([&](storage::Tx& tx) { a = storage::get_case(tx, domain::AnliegenId{987654}); });
  CHECK_FALSE(a);
}

TEST_CASE("a lost connection is reported as Unavailable and the connection as unusable") {
  Fixture f;
  f.conn->read([](storage::Tx&) {});
  const auto pid = f.db.scalar("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() LIMIT 1");
  REQUIRE_FALSE(pid.empty());
  f.db.scalar("SELECT pg_terminate_backend(" + pid + ")");
  CHECK_THROWS_AS(f.conn->read([](storage::Tx& tx) { storage::get_case(tx, domain::AnliegenId{1}); }),
                  storage::Unavailable);
  CHECK_FALSE(f.conn->usable());
}

TEST_CASE("texts with quotes, backslashes, braces and NUL survive the batched statements") {
  Fixture f;
  const std::string tricky = std::string("Er sagte: \"Hilfe\" \\ {a,b} C:\\Pfad\\ ende\\") + '\0' + "nach NUL";
  std::vector<storage::NewCase> cases{phone_case(tricky), phone_case("\\"), phone_case("\"")};
  f.conn->transact([&](storage::Tx& tx) {
    const auto id = storage::upsert_citizen(tx, cases[0].citizen);
    for (auto& c : cases) c.citizen.id = id;
  });
  std::vector<storage::CreatedCase> created;
  f.conn->transact([&](storage::Tx& tx) { created = storage::create_cases(tx, cases); });
  REQUIRE(created.size() == 3);
  std::vector<std::string> texts;
  f.conn->read([&](storage::Tx& tx) {
    for (const auto& c : created) texts.push_back(storage::get_case(tx, c.id)->messages.at(0).text);
  });
  CHECK(texts[0] == "Er sagte: \"Hilfe\" \\ {a,b} C:\\Pfad\\ ende\\nach NUL");  // NUL dropped
  CHECK(texts[1] == "\\");
  CHECK(texts[2] == "\"");
}

// The batched ingest of a group commit (gateway::IngestBatch) against a real PostgreSQL: a group of
// deliveries must leave exactly what the same deliveries leave when stored one transaction each.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include "config/city_config.hpp"
#include "gateway/ingest/chat_ingest.hpp"
#include "storage/citizens.hpp"
#include "storage/migrations.hpp"
#include "storage/outbox.hpp"
#include "storage/threads.hpp"
#include "storage/units.hpp"
#include "test_env.hpp"

using namespace anliegen;

namespace {

// One delivery as the webhook route holds it while its transaction runs.
struct Sent {
  std::string key;
  std::string body;
  channels::ParseResult parsed;
  gateway::IngestSummary summary;
  bool duplicate = false;
};

channels::InboundMessage text(const std::string& id, const std::string& citizen, const std::string& body) {
  channels::InboundMessage m;
  m.kind = domain::Kind::message;
  m.dedupe_key = id;
  m.account_id = "100";
  m.sender = {citizen, "Name " + citizen, "49" + citizen, ""};
  m.sent_at = domain::SystemClock{}.now();
  m.type = "text";
  m.text = body;
  return m;
}

Sent delivery(const std::string& key, std::vector<channels::InboundEvent> events) {
  Sent s;
  s.key = key;
  s.body = "{\"delivery\":\"" + key + "\"}";
  s.parsed.events = std::move(events);
  return s;
}

struct Ingest {
  testing::TestDatabase db;
  std::unique_ptr<storage::Connection> conn;
  config::CityConfig city = config::builtin_city_config();
  domain::SystemClock clock;
  gateway::IngestEnvironment env;

  Ingest() {
    storage::migrate(db.dsn());
    conn = storage::Connection::open(db.dsn());
    conn->transact([&](storage::Tx& tx) { storage::sync_units(tx, city.units); });
    city.abusive_words = {"idiot"};
    env.city = &city;
    env.clock = &clock;
    env.rules = [this](storage::Tx&) { return std::make_shared<const domain::RuleSet>(city.rules); };
  }

  // The deliveries in one transaction, as one group commit stores them.
  void together(std::vector<Sent>& group) {
    conn->transact([&](storage::Tx& tx) {
      for (auto& s : group) add(tx, s);
    });
  }

  // Each delivery in a transaction of its own.
  void one_by_one(std::vector<Sent>& group) {
    for (auto& s : group) conn->transact([&](storage::Tx& tx) { add(tx, s); });
  }

  void add(storage::Tx& tx, Sent& s) {
    s.summary = {};
    s.duplicate = false;
    tx.deferred<gateway::IngestBatch>().add(
        {domain::Channel::whatsapp, s.key, &s.body, &s.parsed, &env, &s.summary, &s.duplicate});
  }

  std::string scalar(const std::string& sql) const { return db.scalar(sql); }

  // Everything a clerk would see, without ids: citizens, their Anliegen, the threads (in the order the
  // case API shows them), the outbox.
  std::string contents() const {
    return scalar(R"sql(
      SELECT string_agg(line, E'\n' ORDER BY line) FROM (
        SELECT c.external_id || ' ' || c.display_name || ' auto=' || (c.last_auto_reply_at IS NOT NULL)
               || ' netiquette=' || (c.netiquette_notified_at IS NOT NULL) AS line
        FROM citizens c
        UNION ALL
        SELECT c.external_id || ' | ' || a.status || ' ' || a.unit_code || ' ' || array_to_string(a.tags, ',') || ' | '
               || (SELECT string_agg(m.direction || ':' || m.text || ':' || array_to_string(m.flags, ','), ' / '
                                     ORDER BY m.sent_at, m.id) FROM messages m WHERE m.anliegen_id = a.id)
        FROM anliegen a JOIN citizens c ON c.id = a.citizen_id
        UNION ALL
        SELECT 'outbox ' || o.kind || ' ' || o.state || ' ' || (o.payload->'target'->>'recipient_key')
        FROM outbox o
        UNION ALL
        SELECT 'inbox ' || i.dedupe_key || ' ' || i.state FROM inbox i) lines)sql");
  }
};

std::vector<Sent> mixed_group() {
  std::vector<Sent> group;
  group.push_back(delivery("d1", {text("wamid.1", "A", "Schlagloch in der Bismarckstraße")}));
  group.push_back(delivery("d2", {text("wamid.2", "A", "Es ist sehr tief")}));
  // B's message, and A's first message once more (a platform retry inside another delivery).
  group.push_back(delivery("d3", {text("wamid.3", "B", "Laterne dunkel"), text("wamid.1", "A", "Schlagloch")}));
  group.push_back(delivery("d1", {text("wamid.1", "A", "Schlagloch in der Bismarckstraße")}));  // the same again
  group.push_back(delivery("d5", {}));
  group.back().parsed.parse_error = "not JSON";
  group.push_back(delivery("d6", {text("wamid.6", "C", "Du Idiot, mach das Licht an")}));
  return group;
}

// A clerk's reply to `citizen`, held until their 24-hour window opens again.
void hold_reply_for(Ingest& ingest, const std::string& citizen) {
  ingest.conn->transact([&](storage::Tx& tx) {
    const auto c = storage::lock_citizen(tx, {{}, domain::Channel::whatsapp, citizen, "", "", ""});
    storage::enqueue_outbox(tx, {"whatsapp", "reply", "{}", std::nullopt, std::nullopt, c.id, true});
  });
}

}  // namespace

TEST_CASE("a group of deliveries leaves what the same deliveries leave one by one") {
  Ingest grouped, single;
  auto together = mixed_group();
  auto apart = mixed_group();
  grouped.together(together);
  single.one_by_one(apart);

  CHECK(grouped.contents() == single.contents());
  for (std::size_t i = 0; i < together.size(); ++i) {
    CAPTURE(i);
    CHECK(together[i].duplicate == apart[i].duplicate);
    CHECK(together[i].summary.messages == apart[i].summary.messages);
    CHECK(together[i].summary.duplicates == apart[i].summary.duplicates);
    CHECK(together[i].summary.outbox_written == apart[i].summary.outbox_written);
    CHECK(together[i].summary.anliegen.size() == apart[i].summary.anliegen.size());
  }

  // And what that is: A's two messages in one Anliegen with one automatic answer, B and C one each,
  // C's abusive message answered with the netiquette notice too; d1 twice is one delivery.
  CHECK(grouped.scalar("SELECT count(*) FROM anliegen") == "3");
  CHECK(grouped.scalar("SELECT count(*) FROM messages WHERE direction = 'inbound'") == "4");
  CHECK(grouped.scalar("SELECT count(*) FROM messages m JOIN anliegen a ON a.id = m.anliegen_id "
                       "JOIN citizens c ON c.id = a.citizen_id WHERE c.external_id = 'A'") == "3");
  CHECK(grouped.scalar("SELECT count(*) FROM outbox WHERE kind = 'reply'") == "4");
  CHECK(grouped.scalar("SELECT count(*) FROM inbox") == "5");
  CHECK(grouped.scalar("SELECT count(*) FROM inbox WHERE state = 'dead_letter'") == "1");
  // The reply memory of the three new citizens was written with their records.
  CHECK(grouped.scalar("SELECT count(*) FROM citizens WHERE last_auto_reply_at IS NOT NULL") == "3");
  CHECK(grouped.scalar("SELECT string_agg(external_id, ',') FROM citizens WHERE netiquette_notified_at IS NOT NULL") ==
        "C");
  CHECK(together[3].duplicate);
  CHECK(together[2].summary.duplicates == 1);
  CHECK(together[2].summary.messages == 1);
  CHECK(together[0].summary.anliegen == together[1].summary.anliegen);
}

TEST_CASE("every message of a group is searchable, first messages and appended ones") {
  Ingest ingest;
  auto group = mixed_group();
  ingest.together(group);
  auto matches = [&](const std::string& word) {
    return ingest.scalar("SELECT count(*) FROM anliegen WHERE search @@ plainto_tsquery('german', '" + word + "')");
  };
  CHECK(matches("Bismarckstraße") == "1");  // A's first message, written with the Anliegen
  CHECK(matches("tief") == "1");            // A's second message, appended in the same statement group
  CHECK(matches("Laterne") == "1");
  CHECK(matches("Sprechstunde") == "0");    // automatic answers are not indexed
  // Each word once: the trigger did not index the first messages a second time.
  CHECK(ingest.scalar("SELECT count(*) FROM anliegen WHERE length(search) <> "
                      "length(to_tsvector('german', (SELECT string_agg(text, E'\\n' ORDER BY id) FROM messages m "
                      "WHERE m.anliegen_id = anliegen.id AND direction = 'inbound')))") == "0");
}

TEST_CASE("a returning citizen's message joins the stored thread and releases replies held for them") {
  Ingest ingest;
  std::vector<Sent> first{delivery("d1", {text("wamid.1", "A", "Schlagloch in der Bismarckstraße")})};
  ingest.together(first);
  hold_reply_for(ingest, "A");

  std::vector<Sent> second{delivery("d2", {text("wamid.2", "A", "Noch eine Frage")})};
  ingest.together(second);
  CHECK(ingest.scalar("SELECT count(*) FROM anliegen") == "1");
  CHECK(second[0].summary.anliegen == first[0].summary.anliegen);
  CHECK(ingest.scalar("SELECT count(*) FROM outbox WHERE state = 'held'") == "0");
  CHECK(second[0].summary.outbox_written);
  // The automatic answer went out with the first message; within the interval there is no second one.
  CHECK(ingest.scalar("SELECT count(*) FROM outbox WHERE kind = 'reply' AND payload ? 'text'") == "1");
  CHECK(ingest.scalar("SELECT count(*) FROM anliegen WHERE search @@ plainto_tsquery('german', 'Frage')") == "1");
}

TEST_CASE("a message older than 24 hours is stored without automatic answers, together or one by one") {
  auto group_of = [] {
    std::vector<Sent> group;
    auto late = text("wamid.L1", "D", "Du Idiot, die Laterne ist immer noch dunkel");
    late.sent_at -= std::chrono::hours(30);
    group.push_back(delivery("d1", {late}));
    group.push_back(delivery("d2", {text("wamid.E1", "E", "Schlagloch")}));
    return group;
  };
  Ingest grouped, single;
  auto together = group_of();
  auto apart = group_of();
  grouped.together(together);
  single.one_by_one(apart);
  CHECK(grouped.contents() == single.contents());
  CHECK(grouped.scalar("SELECT count(*) FROM anliegen") == "2");
  CHECK(grouped.scalar("SELECT string_agg(payload->'target'->>'recipient_key', ',') FROM outbox") == "E");
  // D's reply memory stays empty: the next fresh message is answered.
  CHECK(grouped.scalar("SELECT string_agg(external_id, ',' ORDER BY external_id) FROM citizens "
                       "WHERE last_auto_reply_at IS NULL AND netiquette_notified_at IS NULL") == "D");
  CHECK_FALSE(together[0].summary.outbox_written);
}

TEST_CASE("a returning citizen's message older than 24 hours does not release replies held for them") {
  Ingest ingest;
  std::vector<Sent> first{delivery("d1", {text("wamid.1", "A", "Schlagloch in der Bismarckstraße")})};
  ingest.together(first);
  hold_reply_for(ingest, "A");
  auto late = text("wamid.2", "A", "Noch eine Frage");
  late.sent_at -= std::chrono::hours(25);
  std::vector<Sent> second{delivery("d2", {late})};
  ingest.together(second);
  CHECK(second[0].summary.messages == 1);
  CHECK(ingest.scalar("SELECT count(*) FROM outbox WHERE state = 'held'") == "1");
  CHECK_FALSE(second[0].summary.outbox_written);
}

TEST_CASE("an edit and a withdrawal that come before their message are applied once it is stored") {
  Ingest ingest;
  const auto now = domain::SystemClock{}.now();
  channels::MessageEdited edit{.channel = domain::Channel::whatsapp, .dedupe_key = "wamid.E1",
                               .original_id = "wamid.LATE", .new_text = "Schlagloch, korrigiert", .at = now,
                               .sender_key = "A"};
  channels::MessageWithdrawn revoke{.channel = domain::Channel::whatsapp, .dedupe_key = "wamid.R1",
                                    .original_id = "wamid.GONE", .at = now, .sender_key = "B"};
  std::vector<Sent> early;
  early.push_back(delivery("e1", {edit}));
  early.push_back(delivery("e2", {revoke}));
  ingest.together(early);
  CHECK(ingest.scalar("SELECT count(*) FROM parked_message_changes") == "2");
  int applied = -1;
  ingest.conn->transact([&](storage::Tx& tx) { applied = gateway::apply_parked_message_changes(tx, 100); });
  CHECK(applied == 0);  // their messages are not there yet

  // The platform delivers the originals later (a retry).
  std::vector<Sent> late;
  late.push_back(delivery("l1", {text("wamid.LATE", "A", "Schlaglohc")}));
  late.push_back(delivery("l2", {text("wamid.GONE", "B", "Etwas, das ich zurücknehme")}));
  ingest.together(late);
  ingest.conn->transact([&](storage::Tx& tx) { applied = gateway::apply_parked_message_changes(tx, 100); });
  CHECK(applied == 2);
  CHECK(ingest.scalar("SELECT text || '|' || array_to_string(flags, ',') FROM messages WHERE external_id = "
                      "'wamid.LATE'") == "Schlagloch, korrigiert|edited");
  CHECK(ingest.scalar("SELECT text || '|' || array_to_string(flags, ',') FROM messages WHERE external_id = "
                      "'wamid.GONE'") == "|withdrawn");
  CHECK(ingest.scalar("SELECT count(*) FROM audit_events WHERE type IN ('message_edited', 'message_withdrawn')") ==
        "2");
  CHECK(ingest.scalar("SELECT count(*) FROM parked_message_changes") == "0");
  // Applied once: a second round finds nothing.
  ingest.conn->transact([&](storage::Tx& tx) { applied = gateway::apply_parked_message_changes(tx, 100); });
  CHECK(applied == 0);
}

TEST_CASE("parked changes: the latest edit wins, a withdrawal has the last word, old ones are purged") {
  Ingest ingest;
  const auto now = domain::SystemClock{}.now();
  ingest.conn->transact([&](storage::Tx& tx) {
    storage::park_message_change(tx, domain::Channel::whatsapp, "wamid.X", "edited", "zweite", now, "A");
    storage::park_message_change(tx, domain::Channel::whatsapp, "wamid.X", "edited", "erste",
                                 now - std::chrono::minutes(1), "A");
    storage::park_message_change(tx, domain::Channel::whatsapp, "wamid.X", "withdrawn", "", now, "A");
    storage::park_message_change(tx, domain::Channel::whatsapp, "wamid.OLD", "withdrawn", "", now, "A");
  });
  CHECK(ingest.scalar("SELECT text FROM parked_message_changes WHERE change = 'edited'") == "zweite");
  std::vector<Sent> late;
  late.push_back(delivery("x", {text("wamid.X", "A", "Original")}));
  ingest.together(late);
  int applied = 0;
  ingest.conn->transact([&](storage::Tx& tx) { applied = gateway::apply_parked_message_changes(tx, 100); });
  CHECK(applied == 2);
  CHECK(ingest.scalar("SELECT text FROM messages WHERE external_id = 'wamid.X'") == "");
  ingest.db.scalar("UPDATE parked_message_changes SET parked_at = now() - interval '8 days'");
  int purged = 0;
  ingest.conn->transact([&](storage::Tx& tx) { purged = storage::purge_parked_changes(tx, 7); });
  CHECK(purged == 1);
}

TEST_CASE("erasing a citizen deletes their parked edits too") {
  Ingest ingest;
  std::vector<Sent> first;
  first.push_back(delivery("a", {text("wamid.A1", "A", "Hallo")}));
  ingest.together(first);
  ingest.conn->transact([&](storage::Tx& tx) {
    storage::park_message_change(tx, domain::Channel::whatsapp, "wamid.A2", "edited", "persönlich",
                                 domain::SystemClock{}.now(), "A");
    storage::park_message_change(tx, domain::Channel::whatsapp, "wamid.B2", "edited", "von B",
                                 domain::SystemClock{}.now(), "B");
  });
  const auto citizen = std::stoll(ingest.scalar("SELECT id FROM citizens WHERE external_id = 'A'"));
  ingest.conn->transact([&](storage::Tx& tx) { storage::erase_citizen(tx, citizen, "test"); });
  CHECK(ingest.scalar("SELECT string_agg(sender_key, ',') FROM parked_message_changes") == "B");
}

TEST_CASE("a parked edit does not undo a later edit or a withdrawal applied directly") {
  Ingest ingest;
  const auto now = domain::SystemClock{}.now();
  auto edit = [&](const std::string& key, const std::string& original, const std::string& text,
                  domain::Timestamp at) {
    return delivery(key, {channels::MessageEdited{.channel = domain::Channel::whatsapp, .dedupe_key = key,
                                                  .original_id = original, .new_text = text, .at = at,
                                                  .sender_key = "A"}});
  };
  std::vector<Sent> early;
  early.push_back(edit("e1", "wamid.M1", "alte Korrektur", now - std::chrono::minutes(2)));
  early.push_back(edit("e2", "wamid.M2", "Korrektur", now - std::chrono::minutes(2)));
  ingest.together(early);
  std::vector<Sent> originals;
  originals.push_back(delivery("m1", {text("wamid.M1", "A", "Original eins")}));
  originals.push_back(delivery("m2", {text("wamid.M2", "A", "Original zwei")}));
  ingest.together(originals);
  // Before the housekeeping runs: a newer edit of M1 and a withdrawal of M2 arrive and apply directly.
  std::vector<Sent> later;
  later.push_back(edit("e3", "wamid.M1", "neue Korrektur", now));
  later.push_back(delivery("w2", {channels::MessageWithdrawn{.channel = domain::Channel::whatsapp, .dedupe_key = "w2",
                                                             .original_id = "wamid.M2", .at = now, .sender_key = "A"}}));
  ingest.together(later);
  int applied = -1;
  ingest.conn->transact([&](storage::Tx& tx) { applied = gateway::apply_parked_message_changes(tx, 100); });
  CHECK(applied == 0);
  CHECK(ingest.scalar("SELECT text FROM messages WHERE external_id = 'wamid.M1'") == "neue Korrektur");
  CHECK(ingest.scalar("SELECT text FROM messages WHERE external_id = 'wamid.M2'") == "");
  CHECK(ingest.scalar("SELECT count(*) FROM parked_message_changes") == "0");
}

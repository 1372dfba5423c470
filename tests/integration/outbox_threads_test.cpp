#include <doctest/doctest.h>

#include <chrono>
#include <functional>
#include <set>
#include <thread>

#include "domain/time.hpp"
#include "storage/cases.hpp"
#include "storage/migrations.hpp"
#include "storage/outbox.hpp"
#include "storage/sprechstunden.hpp"
#include "storage/threads.hpp"
#include "storage/units.hpp"
#include "storage_fixture.hpp"
#include "test_env.hpp"

using namespace anliegen;

namespace {

struct Chat : testing::MigratedDatabase {
  storage::CreatedCase created;
  domain::CitizenId citizen;

  Chat() : MigratedDatabase({{"ob", "OB", "", 5}, {"buergerservice", "Bürgerservice", "", 3}}) {
    conn->transact([&](storage::Tx& tx) {
      storage::NewCase c;
      c.channel = domain::Channel::whatsapp;
      c.citizen = {{}, domain::Channel::whatsapp, "DE.1", "Ana", "49151", ""};
      c.text = "Hallo";
      c.external_message_id = "wamid.IN1";
      c.received_at = domain::SystemClock{}.now();
      c.routing = {"buergerservice", "", "", "default"};
      c.actor = "test";
      created = storage::create_case(tx, c);
      citizen = storage::lock_citizen(tx, c.citizen).id;
    });
  }

  domain::MessageId outbound(const std::string& status = "queued") {
    domain::MessageId id;
    conn->transact([&](storage::Tx& tx) {
      id = storage::insert_outbound(tx, {created.id, domain::Channel::whatsapp, "Antwort", "Clerk", status, "",
                                         domain::SystemClock{}.now(), {}, true});
    });
    return id;
  }
};

}  // namespace

TEST_CASE("event keys are claimed once per channel") {
  Chat chat;
  bool first = false, again = true, other = false;
  chat.conn->transact([&](storage::Tx& tx) {
    first = storage::claim_event(tx, "whatsapp", "msg:wamid.1");
    again = storage::claim_event(tx, "whatsapp", "msg:wamid.1");
    other = storage::claim_event(tx, "facebook", "msg:wamid.1");
  });
  CHECK(first);
  CHECK_FALSE(again);
  CHECK(other);
}

TEST_CASE("receipts move delivery state forward only; unknown ids wait in pending_receipts") {
  Chat chat;
  const auto id = chat.outbound();
  const auto now = domain::SystemClock{}.now();
  chat.conn->transact([&](storage::Tx& tx) {
    // A receipt that overtakes the send result.
    CHECK_FALSE(storage::apply_receipt(tx, domain::Channel::whatsapp, "wamid.OUT", "delivered", now, ""));
    storage::outbox_done(tx, {0, "whatsapp", "reply", "{}", 1, id}, "wamid.OUT");
  });
  CHECK(chat.db.scalar("SELECT delivery_status FROM messages WHERE id = " + std::to_string(id.value)) == "delivered");
  CHECK(chat.db.scalar("SELECT count(*) FROM pending_receipts") == "0");
  chat.conn->transact([&](storage::Tx& tx) {
    CHECK(storage::apply_receipt(tx, domain::Channel::whatsapp, "wamid.OUT", "read", now, ""));
    CHECK_FALSE(storage::apply_receipt(tx, domain::Channel::whatsapp, "wamid.OUT", "sent", now, ""));
    CHECK_FALSE(storage::apply_receipt(tx, domain::Channel::whatsapp, "wamid.OUT", "delivered", now, ""));
  });
  CHECK(chat.db.scalar("SELECT delivery_status FROM messages WHERE id = " + std::to_string(id.value)) == "read");
  chat.conn->transact([&](storage::Tx& tx) {
    CHECK(storage::apply_receipt(tx, domain::Channel::whatsapp, "wamid.OUT", "failed", now, "131049 not delivered"));
    CHECK_FALSE(storage::apply_receipt(tx, domain::Channel::whatsapp, "wamid.OUT", "read", now, ""));
  });
  CHECK(chat.db.scalar("SELECT delivery_status FROM messages WHERE id = " + std::to_string(id.value)) == "failed");
}

TEST_CASE("two dispatchers never claim the same outbox row") {
  Chat chat;
  chat.conn->transact([&](storage::Tx& tx) {
    for (int i = 0; i < 20; ++i) storage::enqueue_outbox(tx, {"whatsapp", "reply", "{}", std::nullopt, std::nullopt, std::nullopt, false});
  });
  auto second = storage::Connection::open(chat.db.dsn());
  std::set<std::int64_t> seen;
  const auto claim = [&](storage::Connection& conn, const std::string& worker) {
    std::size_t n = 0;
    conn.transact([&](storage::Tx& tx) {
      for (const auto& item : storage::claim_outbox(tx, 12, worker)) {
        seen.insert(item.id);
        ++n;
      }
    });
    return n;
  };
  // While the first claim is not committed, a second one (another gateway instance) takes nothing.
  std::size_t first = 0, during = 0;
  chat.conn->transact([&](storage::Tx& a) {
    for (const auto& item : storage::claim_outbox(a, 12, "a")) seen.insert(item.id), ++first;
    during = claim(*second, "b");
  });
  CHECK(first == 12);
  CHECK(during == 0);
  CHECK(claim(*second, "b") == 8);
  CHECK(seen.size() == 20);
  CHECK(chat.db.scalar("SELECT count(*) FROM outbox WHERE state = 'sending'") == "20");
}

TEST_CASE("a second instance never takes a citizen's next row while the first is being claimed") {
  Chat chat;
  chat.conn->transact([&](storage::Tx& tx) {
    for (int i = 0; i < 2; ++i) {
      storage::enqueue_outbox(tx, {"whatsapp", "reply", "{}", std::nullopt, std::nullopt, chat.citizen, false});
    }
  });
  auto second = storage::Connection::open(chat.db.dsn());
  std::vector<storage::OutboxItem> mine, theirs;
  // The first instance claims the citizen's first row; the second claims before and after that commits.
  chat.conn->transact([&](storage::Tx& a) {
    mine = storage::claim_outbox(a, 1, "a");
    second->transact([&](storage::Tx& b) { theirs = storage::claim_outbox(b, 5, "b"); });
  });
  REQUIRE(mine.size() == 1);
  CHECK(theirs.empty());
  second->transact([&](storage::Tx& b) { theirs = storage::claim_outbox(b, 5, "b"); });
  CHECK(theirs.empty());  // the first row is being sent; the second waits for it
  chat.conn->transact([&](storage::Tx& tx) { storage::outbox_done(tx, mine[0], ""); });
  second->transact([&](storage::Tx& b) { theirs = storage::claim_outbox(b, 5, "b"); });
  REQUIRE(theirs.size() == 1);
  CHECK(theirs[0].id > mine[0].id);
}

TEST_CASE("retry, failure, stale rows and held rows") {
  Chat chat;
  const auto id = chat.outbound();
  std::vector<storage::OutboxItem> items;
  chat.conn->transact([&](storage::Tx& tx) {
    storage::enqueue_outbox(tx, {"whatsapp", "reply", R"({"text":"x"})", id, chat.created.id, chat.citizen, false});
    storage::enqueue_outbox(tx, {"whatsapp", "reply", R"({"text":"held"})", std::nullopt, chat.created.id, chat.citizen, true});
    items = storage::claim_outbox(tx, 10, "w");
  });
  REQUIRE(items.size() == 1);  // the held row is not due
  CHECK(items[0].attempts == 1);
  chat.conn->transact([&](storage::Tx& tx) { storage::outbox_retry(tx, items[0], "HTTP 500", 0); });
  chat.conn->transact([&](storage::Tx& tx) { items = storage::claim_outbox(tx, 10, "w"); });
  REQUIRE(items.size() == 1);
  CHECK(items[0].attempts == 2);
  chat.conn->transact([&](storage::Tx& tx) { storage::outbox_failed(tx, items[0], "131026: undeliverable"); });
  CHECK(chat.db.scalar("SELECT delivery_status || '|' || delivery_error FROM messages WHERE id = " +
                       std::to_string(id.value)) == "failed|131026: undeliverable");

  int released = 0;
  chat.conn->transact([&](storage::Tx& tx) { released = storage::release_held(tx, chat.citizen); });
  CHECK(released == 1);
  chat.conn->transact([&](storage::Tx& tx) { items = storage::claim_outbox(tx, 10, "w"); });
  REQUIRE(items.size() == 1);
  chat.db.scalar("UPDATE outbox SET locked_at = now() - interval '1 hour' WHERE state = 'sending'");
  int stale = 0;
  chat.conn->transact([&](storage::Tx& tx) { stale = storage::fail_stale_sending(tx, 300); });
  CHECK(stale == 1);
  std::int64_t depth = -1;
  chat.conn->read([&](storage::Tx& tx) { depth = storage::outbox_depth(tx); });
  CHECK(depth == 0);
}

TEST_CASE("claimed rows come back in id order (a call's rejection before the text that explains it)") {
  Chat chat;
  chat.conn->transact([&](storage::Tx& tx) {
    for (int i = 0; i < 8; ++i) {
      storage::enqueue_outbox(tx, {"whatsapp", i % 2 ? "reply" : "reject_call", "{}", std::nullopt, std::nullopt,
                                   chat.citizen, false});
    }
  });
  // Neither the rows' due times nor their places in the table follow their ids any more.
  chat.db.scalar("UPDATE outbox SET next_attempt_at = now() - id * interval '1 second'");
  chat.db.scalar("UPDATE outbox SET updated_at = now() WHERE id % 3 = 0");
  std::vector<storage::OutboxItem> items;
  chat.conn->transact([&](storage::Tx& tx) { items = storage::claim_outbox(tx, 5, "w"); });
  REQUIRE(items.size() == 5);
  for (std::size_t i = 1; i < items.size(); ++i) CHECK(items[i - 1].id < items[i].id);
  // The citizen's next rows are claimed once these are sent (one citizen's rows go out one at a time).
  chat.conn->transact([&](storage::Tx& tx) {
    for (const auto& item : items) storage::outbox_done(tx, item, "");
  });
  chat.conn->transact([&](storage::Tx& tx) { items = storage::claim_outbox(tx, 5, "w"); });
  REQUIRE(items.size() == 3);
  for (std::size_t i = 1; i < items.size(); ++i) CHECK(items[i - 1].id < items[i].id);
}

TEST_CASE("a partition claims the rows of its citizens only (else by Anliegen, else by row id)") {
  Chat chat;
  // Rows of the test's citizen, of its Anliegen without a citizen, and of neither.
  chat.conn->transact([&](storage::Tx& tx) {
    for (int i = 0; i < 3; ++i) {
      storage::enqueue_outbox(tx, {"whatsapp", "reply", "{}", std::nullopt, chat.created.id, chat.citizen, false});
      storage::enqueue_outbox(tx, {"holdieob", "callback", "{}", std::nullopt, chat.created.id, std::nullopt, false});
      storage::enqueue_outbox(tx, {"report_webhook", "weekly_report", "{}", std::nullopt, std::nullopt, std::nullopt,
                                   false});
    }
  });
  const auto key = [&](const storage::OutboxItem& item) {
    return chat.db.scalar("SELECT coalesce(citizen_id, anliegen_id, id) FROM outbox WHERE id = " +
                          std::to_string(item.id));
  };
  int claimed = 0;
  for (int index = 0; index < 4; ++index) {
    std::vector<storage::OutboxItem> items;
    chat.conn->transact([&](storage::Tx& tx) { items = storage::claim_outbox(tx, 20, "w", {index, 4}); });
    for (const auto& item : items) {
      CAPTURE(item.channel);
      CHECK(std::stoll(key(item)) % 4 == index);
    }
    claimed += static_cast<int>(items.size());
  }
  CHECK(claimed == 9);  // every row in exactly one partition
}

TEST_CASE("a citizen's next row is not claimed while one of theirs is being sent (two instances)") {
  Chat chat;
  chat.conn->transact([&](storage::Tx& tx) {
    storage::enqueue_outbox(tx, {"whatsapp", "reply", R"({"n":1})", std::nullopt, chat.created.id, chat.citizen, false});
    storage::enqueue_outbox(tx, {"whatsapp", "reply", R"({"n":2})", std::nullopt, chat.created.id, chat.citizen, false});
    storage::enqueue_outbox(tx, {"report_webhook", "weekly_report", "{}", std::nullopt, std::nullopt, std::nullopt, false});
  });
  // Instance A claims the first row only; instance B then finds the citizen busy, but not the other row.
  std::vector<storage::OutboxItem> a, b;
  chat.conn->transact([&](storage::Tx& tx) { a = storage::claim_outbox(tx, 1, "a"); });
  REQUIRE(a.size() == 1);
  CHECK(a[0].payload_json.find("\"n\": 1") != std::string::npos);
  auto second = storage::Connection::open(chat.db.dsn());
  second->transact([&](storage::Tx& tx) { b = storage::claim_outbox(tx, 10, "b"); });
  REQUIRE(b.size() == 1);
  CHECK(b[0].channel == "report_webhook");
  // Once A's row is settled, the citizen's next row is free.
  chat.conn->transact([&](storage::Tx& tx) { storage::outbox_done(tx, a[0], "wamid.1"); });
  second->transact([&](storage::Tx& tx) { b = storage::claim_outbox(tx, 10, "b"); });
  REQUIRE(b.size() == 1);
  CHECK(b[0].payload_json.find("\"n\": 2") != std::string::npos);
}

TEST_CASE("open threads: not closed, recent enough; appending reopens answered ones") {
  Chat chat;
  const auto now = domain::SystemClock{}.now();
  std::optional<storage::OpenThread> open, none;
  chat.conn->read([&](storage::Tx& tx) {
    open = storage::find_open_thread(tx, chat.citizen, domain::Channel::whatsapp, domain::Kind::message, now - std::chrono::hours(24));
    none = storage::find_open_thread(tx, chat.citizen, domain::Channel::whatsapp, domain::Kind::message, now + std::chrono::hours(1));
  });
  REQUIRE(open);
  CHECK(open->id == chat.created.id);
  CHECK_FALSE(none);
  std::optional<storage::OpenThread> comment;
  chat.conn->read([&](storage::Tx& tx) {
    comment = storage::find_open_thread(tx, chat.citizen, domain::Channel::whatsapp, domain::Kind::comment,
                                        now - std::chrono::hours(24));
  });
  CHECK_FALSE(comment);  // a public comment never joins a private conversation
  chat.db.scalar("UPDATE anliegen SET status = 'answered'");
  chat.conn->transact([&](storage::Tx& tx) {
    storage::append_inbound(tx, {chat.created.id, domain::Channel::whatsapp, "wamid.IN2", "400", "text", "Noch da?", "",
                                 now, {}, std::nullopt, std::nullopt});
  });
  CHECK(chat.db.scalar("SELECT status FROM anliegen") == "in_progress");
  chat.db.scalar("UPDATE anliegen SET status = 'closed'");
  chat.conn->read([&](storage::Tx& tx) {
    open = storage::find_open_thread(tx, chat.citizen, domain::Channel::whatsapp, domain::Kind::message, now - std::chrono::hours(24));
  });
  CHECK_FALSE(open);
}

TEST_CASE("Sprechstunden: the hour containing an instant, the next one, cancellation") {
  Chat chat;
  const auto t = [](const char* s) { return *domain::parse_iso8601(s); };
  std::int64_t first = 0, second = 0;
  chat.conn->transact([&](storage::Tx& tx) {
    first = storage::insert_sprechstunde(tx, {0, domain::Channel::whatsapp, t("2026-12-02T16:00:00+01:00"),
                                              t("2026-12-02T17:00:00+01:00"), "ob", "Eins", "test", {}, {}});
    second = storage::insert_sprechstunde(tx, {0, domain::Channel::whatsapp, t("2027-01-13T16:00:00+01:00"),
                                               t("2027-01-13T17:00:00+01:00"), "ob", "Zwei", "test", {}, {}});
  });
  chat.conn->transact([&](storage::Tx& tx) {
    CHECK(storage::sprechstunde_at(tx, domain::Channel::whatsapp, t("2026-12-02T16:00:00+01:00"))->id == first);
    CHECK(storage::sprechstunde_at(tx, domain::Channel::whatsapp, t("2026-12-02T16:59:59+01:00"))->id == first);
    CHECK_FALSE(storage::sprechstunde_at(tx, domain::Channel::whatsapp, t("2026-12-02T17:00:00+01:00")));
    CHECK_FALSE(storage::sprechstunde_at(tx, domain::Channel::facebook, t("2026-12-02T16:30:00+01:00")));
    CHECK(storage::next_sprechstunde(tx, domain::Channel::whatsapp, t("2026-12-01T00:00:00Z"))->id == first);
    CHECK(storage::cancel_sprechstunde(tx, first));
    CHECK_FALSE(storage::cancel_sprechstunde(tx, first));
    CHECK(storage::next_sprechstunde(tx, domain::Channel::whatsapp, t("2026-12-01T00:00:00Z"))->id == second);
    CHECK_FALSE(storage::sprechstunde_at(tx, domain::Channel::whatsapp, t("2026-12-02T16:30:00+01:00")));
  });
}

namespace {

// Runs `second` on its own connection and thread while `first` holds its transaction open for a
// moment, so that the two overlap as a status webhook and a send result do in production.
void overlapping(Chat& chat, const std::function<void(storage::Tx&)>& first,
                 const std::function<void(storage::Tx&)>& second) {
  auto other = storage::Connection::open(chat.db.dsn());
  std::thread t;
  chat.conn->transact([&](storage::Tx& tx) {
    first(tx);
    t = std::thread([&] { other->transact(second); });
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  });
  t.join();
}

}  // namespace

TEST_CASE("a receipt and the send result racing each other are reconciled in either order") {
  const auto now = domain::SystemClock{}.now();
  SUBCASE("the receipt is parked while the send result is being stored") {
    Chat chat;
    const auto id = chat.outbound();
    overlapping(
        chat,
        [&](storage::Tx& tx) {
          CHECK_FALSE(storage::apply_receipt(tx, domain::Channel::whatsapp, "wamid.RACE", "failed", now, "131049"));
        },
        [&](storage::Tx& tx) { storage::outbox_done(tx, {0, "whatsapp", "reply", "{}", 1, id}, "wamid.RACE"); });
    CHECK(chat.db.scalar("SELECT delivery_status FROM messages WHERE id = " + std::to_string(id.value)) == "failed");
    CHECK(chat.db.scalar("SELECT count(*) FROM pending_receipts") == "0");
  }
  SUBCASE("the send result is stored while the receipt comes in") {
    Chat chat;
    const auto id = chat.outbound();
    overlapping(
        chat,
        [&](storage::Tx& tx) { storage::outbox_done(tx, {0, "whatsapp", "reply", "{}", 1, id}, "wamid.RACE"); },
        [&](storage::Tx& tx) {
          storage::apply_receipt(tx, domain::Channel::whatsapp, "wamid.RACE", "delivered", now, "");
        });
    CHECK(chat.db.scalar("SELECT delivery_status FROM messages WHERE id = " + std::to_string(id.value)) ==
          "delivered");
    CHECK(chat.db.scalar("SELECT count(*) FROM pending_receipts") == "0");
  }
}

TEST_CASE("a row failed as stale while its batch was being sent is not sent, retried or re-failed") {
  Chat chat;
  const auto first = chat.outbound();
  const auto second = chat.outbound();
  std::vector<storage::OutboxItem> items;
  chat.conn->transact([&](storage::Tx& tx) {
    storage::enqueue_outbox(tx, {"whatsapp", "reply", R"({"text":"1"})", first, chat.created.id, std::nullopt, false});
    storage::enqueue_outbox(tx, {"whatsapp", "reply", R"({"text":"2"})", second, chat.created.id, std::nullopt, false});
    items = storage::claim_outbox(tx, 10, "w/0");
  });
  REQUIRE(items.size() == 2);
  CHECK(items[0].worker == "w/0");
  // The first row is being sent (taken, so its claim is fresh); the second waits behind it so long
  // that the sweep counts it as interrupted.
  chat.db.scalar("UPDATE outbox SET locked_at = now() - interval '1 hour'");
  bool first_taken = false;
  chat.conn->transact([&](storage::Tx& tx) { first_taken = storage::outbox_take(tx, items[0]); });
  CHECK(first_taken);
  int stale = 0;
  chat.conn->transact([&](storage::Tx& tx) { stale = storage::fail_stale_sending(tx, 300); });
  CHECK(stale == 1);
  bool second_taken = true;
  chat.conn->transact([&](storage::Tx& tx) { second_taken = storage::outbox_take(tx, items[1]); });
  CHECK_FALSE(second_taken);
  // A late result for the swept row changes nothing: it is not revived, and the message keeps saying
  // that its delivery is unknown.
  chat.conn->transact([&](storage::Tx& tx) {
    storage::outbox_retry(tx, items[1], "HTTP 500", 0);
    storage::outbox_failed(tx, items[1], "131026: undeliverable");
  });
  CHECK(chat.db.scalar("SELECT state FROM outbox WHERE id = " + std::to_string(items[1].id)) == "failed");
  CHECK(chat.db.scalar("SELECT delivery_error LIKE 'Zustellung unklar%' FROM messages WHERE id = " +
                       std::to_string(second.value)) == "t");
  // The first row settles normally.
  chat.conn->transact([&](storage::Tx& tx) { storage::outbox_done(tx, items[0], "wamid.FIRST"); });
  CHECK(chat.db.scalar("SELECT state FROM outbox WHERE id = " + std::to_string(items[0].id)) == "done");
  // Another worker's result does not settle a row it does not hold.
  chat.conn->transact([&](storage::Tx& tx) {
    storage::enqueue_outbox(tx, {"whatsapp", "reply", R"({"text":"3"})", std::nullopt, chat.created.id, std::nullopt, false});
    items = storage::claim_outbox(tx, 10, "w/0");
  });
  REQUIRE(items.size() == 1);
  auto foreign = items[0];
  foreign.worker = "other/0";
  chat.conn->transact([&](storage::Tx& tx) { storage::outbox_retry(tx, foreign, "HTTP 500", 0); });
  CHECK(chat.db.scalar("SELECT state FROM outbox WHERE id = " + std::to_string(items[0].id)) == "sending");
}

TEST_CASE("a reply refused for a closed window is held behind one template; an automatic answer is not") {
  Chat chat;
  const auto first = chat.outbound();
  const auto second = chat.outbound();
  domain::MessageId automatic;
  chat.conn->transact([&](storage::Tx& tx) {
    automatic = storage::insert_outbound(tx, {chat.created.id, domain::Channel::whatsapp, "Danke", "Automatische Antwort",
                                              "queued", "", domain::SystemClock{}.now(), {"auto_reply"}, false});
  });
  const std::string target = R"({"text":"x","target":{"account_id":"400","recipient_key":"DE.1"}})";
  std::vector<storage::OutboxItem> items;
  chat.conn->transact([&](storage::Tx& tx) {
    for (const auto& m : {first, second, automatic}) {
      storage::enqueue_outbox(tx, {"whatsapp", "reply", target, m, chat.created.id, chat.citizen, false});
    }
    items = storage::claim_outbox(tx, 10, "w/0");
  });
  REQUIRE(items.size() == 3);
  const auto hold = [&](const storage::OutboxItem& item) {
    bool held = false;
    chat.conn->transact([&](storage::Tx& tx) { held = storage::outbox_hold_for_template(tx, item, "tpl", "de"); });
    return held;
  };
  CHECK(hold(items[0]));
  CHECK(chat.db.scalar("SELECT delivery_status FROM messages WHERE id = " + std::to_string(first.value)) == "held");
  CHECK(chat.db.scalar("SELECT state FROM outbox WHERE id = " + std::to_string(items[0].id)) == "held");
  CHECK(chat.db.scalar("SELECT count(*) FROM outbox WHERE kind = 'template' AND state = 'pending'") == "1");
  CHECK(chat.db.scalar("SELECT payload->'params'->>0 = (SELECT reference FROM anliegen) FROM outbox WHERE kind = "
                       "'template'") == "t");
  CHECK(chat.db.scalar("SELECT payload->'target'->>'recipient_key' FROM outbox WHERE kind = 'template'") == "DE.1");
  // The citizen's next reply, refused too: still one template waiting.
  CHECK(hold(items[1]));
  CHECK(chat.db.scalar("SELECT count(*) FROM outbox WHERE kind = 'template'") == "1");
  // An automatic answer is not held: the refusal stands (the caller fails it).
  CHECK_FALSE(hold(items[2]));
  CHECK(chat.db.scalar("SELECT state FROM outbox WHERE id = " + std::to_string(items[2].id)) == "sending");
  // A row that is no longer this worker's is left alone.
  auto foreign = items[1];
  foreign.worker = "other/0";
  CHECK_FALSE(hold(foreign));
}

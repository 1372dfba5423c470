#pragma once
// Shared by the media tests: a migrated test database with the demo units, one Anliegen with one
// message, and attachment rows inserted with plain SQL.
#include <doctest/doctest.h>

#include <memory>
#include <string>

#include "domain/time.hpp"
#include "storage/cases.hpp"
#include "storage/database.hpp"
#include "storage/migrations.hpp"
#include "storage/units.hpp"
#include "test_env.hpp"

namespace anliegen::testing {

inline std::string sql_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    out += c;
    if (c == '\'') out += '\'';
  }
  return out + "'";
}

struct NewAttachmentRow {
  std::string channel = "whatsapp";
  std::string kind = "image";
  std::string media_id;
  std::string source_url;
  std::string expected_sha256;
  std::string mime_type;
  std::string filename;
};

struct MediaFixture {
  TestDatabase db;
  std::unique_ptr<storage::Connection> conn;
  std::int64_t anliegen_id = 0;
  std::int64_t message_id = 0;

  MediaFixture() {
    storage::migrate(db.dsn());
    conn = storage::Connection::open(db.dsn());
    conn->transact([](storage::Tx& tx) {
      storage::sync_units(tx, {{"ob", "Büro der Oberbürgermeisterin", "", 5}, {"tiefbau", "Tiefbau", "", 10}});
    });
    storage::NewCase c;
    c.channel = domain::Channel::phone;
    c.citizen = {{}, domain::Channel::phone, "+49621000000", "Test", "+49621000000", ""};
    c.text = "Foto vom Schlagloch";
    c.received_at = *domain::parse_iso8601("2026-11-30T09:15:00+01:00");
    c.routing = {"tiefbau", "", "", "test"};
    c.actor = "test";
    storage::CreatedCase created;
    conn->transact([&](storage::Tx& tx) { created = storage::create_case(tx, c); });
    anliegen_id = created.id.value;
    message_id = created.first_message.value;
  }

  std::int64_t add(const NewAttachmentRow& a) const {
    return std::stoll(db.scalar(
        "INSERT INTO attachments (message_id, channel, kind, media_id, source_url, expected_sha256, mime_type, "
        "filename, state) VALUES (" +
        std::to_string(message_id) + ", " + sql_quote(a.channel) + ", " + sql_quote(a.kind) + ", " +
        sql_quote(a.media_id) + ", " + sql_quote(a.source_url) + ", " + sql_quote(a.expected_sha256) + ", " +
        sql_quote(a.mime_type) + ", " + sql_quote(a.filename) + ", 'pending') RETURNING id"));
  }

  std::string column(std::int64_t id, const std::string& expr) const {
    return db.scalar("SELECT " + expr + " FROM attachments WHERE id = " + std::to_string(id));
  }
  std::string state(std::int64_t id) const { return column(id, "state"); }
  std::string error(std::int64_t id) const { return column(id, "error"); }
  int attempts(std::int64_t id) const { return std::stoi(column(id, "attempts")); }
  // Makes a scheduled retry due now.
  void make_due(std::int64_t id) const {
    db.scalar("UPDATE attachments SET next_attempt_at = now() WHERE id = " + std::to_string(id) + " RETURNING id");
  }
};

}  // namespace anliegen::testing

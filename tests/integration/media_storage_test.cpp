// storage/attachments on the real PostgreSQL: claiming with a lease, storing, retry, failure, reading.
#include <doctest/doctest.h>

#include "media_fixture.hpp"
#include "storage/attachments.hpp"

using namespace anliegen;
using testing::MediaFixture;
using testing::NewAttachmentRow;

namespace {

std::vector<storage::MediaJob> claim(storage::Connection& c, int limit, int lease_seconds = 600) {
  std::vector<storage::MediaJob> jobs;
  c.transact([&](storage::Tx& tx) {
    jobs = storage::claim_media_jobs(tx, limit, std::chrono::seconds(lease_seconds));
  });
  return jobs;
}

}  // namespace

TEST_CASE("due pending attachments are claimed once, in id order, with the attempt counted") {
  MediaFixture f;
  const auto a = f.add({.media_id = "m-1", .expected_sha256 = "abc=", .mime_type = "image/jpeg", .filename = "a.jpg"});
  const auto b = f.add({.channel = "maengelmelder", .kind = "document", .source_url = "https://example.org/b.pdf"});
  const auto c = f.add({.media_id = "m-3"});
  f.db.scalar("UPDATE attachments SET next_attempt_at = now() + interval '1 hour' WHERE id = " + std::to_string(c) +
              " RETURNING id");

  auto jobs = claim(*f.conn, 10);
  REQUIRE(jobs.size() == 2);
  CHECK(jobs[0].id.value == a);
  CHECK(jobs[0].channel == "whatsapp");
  CHECK(jobs[0].kind == domain::AttachmentKind::image);
  CHECK(jobs[0].media_id == "m-1");
  CHECK(jobs[0].expected_sha256 == "abc=");
  CHECK(jobs[0].mime_type == "image/jpeg");
  CHECK(jobs[0].filename == "a.jpg");
  CHECK(jobs[0].attempts == 1);
  CHECK(jobs[1].id.value == b);
  CHECK(jobs[1].kind == domain::AttachmentKind::document);
  CHECK(jobs[1].source_url == "https://example.org/b.pdf");

  // Leased: not claimed again until the lease runs out.
  CHECK(claim(*f.conn, 10).empty());
  f.make_due(a);
  jobs = claim(*f.conn, 10);
  REQUIRE(jobs.size() == 1);
  CHECK(jobs[0].attempts == 2);
  CHECK(f.column(a, "next_attempt_at > now() + interval '9 minutes'") == "t");
}

TEST_CASE("concurrent workers skip each other's locked rows") {
  MediaFixture f;
  for (int i = 0; i < 4; ++i) f.add({.media_id = "m-" + std::to_string(i)});
  auto other = storage::Connection::open(f.db.dsn());
  std::vector<storage::MediaJob> first, second;
  f.conn->transact([&](storage::Tx& tx) {
    first = storage::claim_media_jobs(tx, 2, std::chrono::seconds(600));
    second = claim(*other, 10);  // while the first transaction still holds its rows
  });
  CHECK(first.size() == 2);
  CHECK(second.size() == 2);
  for (const auto& j : first) {
    for (const auto& k : second) CHECK(j.id != k.id);
  }
}

TEST_CASE("stored content is readable with the Anliegen's unit; only pending rows change") {
  MediaFixture f;
  const auto id = f.add({.media_id = "m-1", .mime_type = "image/jpeg", .filename = "foto.jpg"});
  std::string bytes("\x89PNG\r\n\x1a\n\0\xff binary", 18);
  bool stored = false;
  f.conn->transact([&](storage::Tx& tx) {
    stored = storage::store_media(tx, domain::AttachmentId{id}, {bytes, "image/png", std::string(64, 'a')});
  });
  CHECK(stored);
  CHECK(f.state(id) == "stored");
  CHECK(f.column(id, "size") == std::to_string(bytes.size()));
  CHECK(f.column(id, "mime_type") == "image/png");

  std::optional<storage::AttachmentFile> file;
  f.conn->read([&](storage::Tx& tx) { file = storage::get_attachment_file(tx, domain::AttachmentId{id}); });
  REQUIRE(file);
  CHECK(file->content == bytes);
  CHECK(file->unit == "tiefbau");
  CHECK(file->anliegen.value == f.anliegen_id);
  CHECK(file->meta.filename == "foto.jpg");
  CHECK(file->meta.sha256 == std::string(64, 'a'));
  CHECK(file->meta.state == "stored");

  f.conn->read([&](storage::Tx& tx) { file = storage::get_attachment_file(tx, domain::AttachmentId{id}, false); });
  CHECK(file->content.empty());
  f.conn->read([&](storage::Tx& tx) { file = storage::get_attachment_file(tx, domain::AttachmentId{id + 1000}); });
  CHECK_FALSE(file);

  // A second store, a retry or a failure does not touch a stored row.
  f.conn->transact([&](storage::Tx& tx) {
    CHECK_FALSE(storage::store_media(tx, domain::AttachmentId{id}, {"other", "text/plain", ""}));
    storage::retry_media_later(tx, domain::AttachmentId{id}, "late", std::chrono::milliseconds(1000));
    storage::fail_media(tx, domain::AttachmentId{id}, "late");
  });
  CHECK(f.state(id) == "stored");
  CHECK(f.error(id).empty());
}

TEST_CASE("a retry keeps the row pending with its error and delay; failing is final") {
  MediaFixture f;
  const auto id = f.add({.media_id = "m-1"});
  REQUIRE(claim(*f.conn, 1).size() == 1);
  f.conn->transact([&](storage::Tx& tx) {
    storage::retry_media_later(tx, domain::AttachmentId{id}, "the download answered HTTP 500",
                               std::chrono::milliseconds(90000));
  });
  CHECK(f.state(id) == "pending");
  CHECK(f.error(id) == "the download answered HTTP 500");
  CHECK(f.column(id, "next_attempt_at BETWEEN now() + interval '80 s' AND now() + interval '100 s'") == "t");
  CHECK(claim(*f.conn, 1).empty());

  f.conn->transact([&](storage::Tx& tx) { storage::fail_media(tx, domain::AttachmentId{id}, "gave up"); });
  CHECK(f.state(id) == "failed");
  CHECK(f.error(id) == "gave up");
  f.make_due(id);
  CHECK(claim(*f.conn, 1).empty());

  // The case API shows the state and error on the message.
  std::optional<domain::Anliegen> a;
  f.conn->read([&](storage::Tx& tx) { a = storage::get_case(tx, domain::AnliegenId{f.anliegen_id}); });
  REQUIRE(a);
  REQUIRE(a->messages.size() == 1);
  REQUIRE(a->messages[0].attachments.size() == 1);
  CHECK(a->messages[0].attachments[0].state == "failed");
  CHECK(a->messages[0].attachments[0].error == "gave up");
}

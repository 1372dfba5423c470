// GET /api/v1/attachments/{id} against the real binary: bytes and headers for those who may see the
// Anliegen, 404 for other units' clerks, 409 while pending or after a failed download.
#include <doctest/doctest.h>

#include "e2e.hpp"

using namespace anliegen::testing;

namespace {

std::string insert_attachment(const TestDatabase& db, std::int64_t case_id, const std::string& columns,
                              const std::string& values) {
  return db.scalar("INSERT INTO attachments (message_id, kind, " + columns +
                   ") SELECT (SELECT min(id) FROM messages WHERE anliegen_id = " + std::to_string(case_id) +
                   "), 'image', " + values + " RETURNING id");
}

}  // namespace

TEST_CASE("attachments are served to those who may see the Anliegen") {
  RunningGateway gw;
  const auto office = create_token(gw.db.dsn(), "office");
  const auto created = gw.send_json("POST", "/api/v1/cases",
                                    R"({"channel":"phone","text":"Foto vom Schlagloch folgt","category":"pothole"})",
                                    office);
  REQUIRE(created.status == 201);
  const auto c = parse(created.body).as_object();
  const auto case_id = c.at("id").as_int64();
  const std::string unit(c.at("unit").as_string());
  const auto own_clerk = create_token(gw.db.dsn(), "clerk", unit);
  const auto other_clerk = create_token(gw.db.dsn(), "clerk", unit == "tiefbau" ? "buergerservice" : "tiefbau");

  // A PNG header with a NUL byte and a high byte, stored as the fetcher would.
  const auto stored = insert_attachment(
      gw.db, case_id, "mime_type, filename, state, content, size, sha256",
      "'image/png', 'Foto \"1\";\r\n.png', 'stored', decode('89504e470d0a1a0a00ff', 'hex'), 10, "
      "'c0ffee0000000000000000000000000000000000000000000000000000000000'");
  // Pending and not due for a day, so the running media fetcher leaves it alone.
  const auto pending = insert_attachment(gw.db, case_id, "state, next_attempt_at, error",
                                         "'pending', now() + interval '1 day', 'the download answered HTTP 500'");
  const auto failed = insert_attachment(gw.db, case_id, "state, error",
                                        "'failed', 'download failed after 8 attempts; last error: HTTP 500'");
  const auto html = insert_attachment(gw.db, case_id, "mime_type, filename, state, content, size",
                                      "'text/html', '', 'stored', convert_to('<script>alert(1)</script>', 'UTF8'), 25");

  {  // office and the unit's clerk get the bytes with safe headers
    for (const auto& token : {office, own_clerk}) {
      const auto r = gw.get("/api/v1/attachments/" + stored, token);
      REQUIRE(r.status == 200);
      CHECK(r.body == std::string("\x89PNG\r\n\x1a\n\0\xff", 10));
      CHECK(r.header("content-type") == "image/png");
      CHECK(r.header("content-length") == "10");
      CHECK(r.header("content-disposition") == "inline; filename=\"Foto _1____.png\"");
      CHECK(r.header("cache-control") == "private, no-store");
      CHECK(r.header("x-content-type-options") == "nosniff");
    }
  }
  {  // active content is offered as a download, never inline
    const auto r = gw.get("/api/v1/attachments/" + html, office);
    REQUIRE(r.status == 200);
    CHECK(r.header("content-type") == "text/html");
    CHECK(r.header("content-disposition") == "attachment; filename=\"attachment-" + html + "\"");
    CHECK(r.header("content-security-policy") == "sandbox");
  }
  {  // another unit's clerk, unknown ids and missing tokens
    check_problem(gw.get("/api/v1/attachments/" + stored, other_clerk), 404);
    check_problem(gw.get("/api/v1/attachments/999999", office), 404);
    check_problem(gw.get("/api/v1/attachments/abc", office), 404);
    check_problem(gw.get("/api/v1/attachments/" + stored), 401);
  }
  {  // pending and failed downloads answer 409 with the reason
    const auto p = gw.get("/api/v1/attachments/" + pending, office);
    check_problem(p, 409);
    CHECK(std::string(parse(p.body).at("detail").as_string()).find("not been downloaded yet") != std::string::npos);
    const auto f = gw.get("/api/v1/attachments/" + failed, own_clerk);
    check_problem(f, 409);
    CHECK(std::string(parse(f.body).at("detail").as_string()).find("after 8 attempts") != std::string::npos);
    check_problem(gw.get("/api/v1/attachments/" + failed, other_clerk), 404);
  }
  {  // the case shows each attachment's state, error and URL
    const auto r = gw.get("/api/v1/cases/" + std::to_string(case_id), office);
    REQUIRE(r.status == 200);
    const auto atts = parse(r.body).at("messages").as_array().at(0).at("attachments").as_array();
    REQUIRE(atts.size() == 4);
    CHECK(atts[0].at("state") == "stored");
    CHECK(std::string(atts[0].at("url").as_string()) == "/api/v1/attachments/" + stored);
    CHECK(atts[2].at("state") == "failed");
    CHECK(atts[2].at("error") == "download failed after 8 attempts; last error: HTTP 500");
  }
}

// holdieob webhook end to end: signatures (good, bad, missing, wrong prefix, rotated secret),
// idempotency, out-of-order supporter counts, the threshold, withdrawal, early events, unknown and
// malformed deliveries, and the invitation in the case JSON.
#include <doctest/doctest.h>

#include "holdieob_support.hpp"

using namespace anliegen::testing;
namespace hb = anliegen::channels::holdieob;

TEST_CASE("holdieob signatures: bad, missing and wrong-prefix deliveries are 401 and store nothing") {
  HoldieobGateway h;
  const auto body = holdieob_fixture("created.json");
  const auto hex = hb::sign(kHoldieobSecret, body).substr(7);
  check_problem(h.send(body, hb::sign("wrong-secret", body)), 401);
  check_problem(h.send(body, ""), 401);
  check_problem(h.send(body, "sha1=" + hex), 401);
  check_problem(h.send(body, "sha256=sha256=" + hex), 401);
  check_problem(h.send(body + " ", hb::sign(kHoldieobSecret, body)), 401);
  CHECK(h.sql("SELECT count(*) FROM inbox") == "0");
  CHECK(h.sql("SELECT count(*) FROM anliegen") == "0");
  CHECK(h.gw->get("/metrics").body.find("channel=\"holdieob\"") != std::string::npos);

  // The previous secret still verifies during a rotation; upper-case hex is accepted.
  CHECK(h.send(body, hb::sign(kHoldieobPrevious, body)).status == 200);
  const auto other = created_event("inv-2", "2026-11-21T10:00:00+01:00", "Zweite Einladung");
  std::string upper = hb::sign(kHoldieobSecret, other).substr(7);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(h.send(other, "sha256=" + upper).status == 200);
  CHECK(h.sql("SELECT count(*) FROM invitations") == "2");
}

TEST_CASE("holdieob created: an invitation Anliegen for the OB, stored once however often it comes") {
  HoldieobGateway h;
  const auto body = holdieob_fixture("created.json");
  REQUIRE(h.send(body).status == 200);
  CHECK(h.send(body).status == 200);  // the same delivery again
  // The same event with other bytes (holdieob re-serialised it) is recognised by its id.
  CHECK(h.send(" " + body + "\n").status == 200);
  CHECK(h.sql("SELECT count(*) FROM anliegen") == "1");
  CHECK(h.sql("SELECT count(*) FROM invitations") == "1");
  CHECK(h.sql("SELECT count(*) FROM inbox WHERE channel = 'holdieob'") == "2");

  const auto id = h.case_of("inv-123");
  const auto c = h.get_case(id);
  CHECK(c.at("kind") == "invitation");
  CHECK(c.at("channel") == "holdieob");
  CHECK(c.at("unit") == "ob");
  CHECK(c.at("received_at") == "2026-11-20T09:00:00.000Z");
  CHECK(c.at("location").at("address") == "Goetheplatz 1, 67059 Ludwigshafen");
  CHECK(c.at("location").at("lat").as_double() == doctest::Approx(49.48));
  CHECK(c.at("citizen").at("name") == "Erika Mustermann");
  CHECK(c.at("citizen").at("channel") == "holdieob");
  CHECK(c.at("citizen").at("email") == "erika@example.org");
  CHECK(h.sql("SELECT external_id FROM citizens").starts_with("email-sha256:"));
  const auto& messages = c.at("messages").as_array();
  REQUIRE(messages.size() == 1);  // no automatic reply: holdieob cannot deliver one
  CHECK(messages[0].at("text") ==
        "Einweihung des Spielplatzes, Hemshof\n\nWir würden uns freuen; Kaffee und Kuchen gibt es auch.");
  const auto& inv = c.at("invitation").as_object();
  CHECK(inv.at("external_id") == "inv-123");
  CHECK(inv.at("supporters").as_int64() == 0);
  CHECK(inv.at("threshold_reached") == false);
  CHECK(inv.at("withdrawn") == false);
  CHECK(inv.at("decision").is_null());
  CHECK(inv.at("visit_at").is_null());
  CHECK(h.sql("SELECT proposed_dates::text FROM invitations") == "{2026-12-10,2026-12-12}");
  CHECK(h.sql("SELECT count(*) FROM outbox") == "0");
  // Name and e-mail stay out of the log.
  const auto log = h.gw->server->log();
  CHECK(log.find("Erika") == std::string::npos);
  CHECK(log.find("erika@example.org") == std::string::npos);
}

TEST_CASE("holdieob supported: out-of-order counts never lower the current one; the threshold is flagged once") {
  HoldieobGateway h;
  REQUIRE(h.send(created_event("inv-7", "2026-11-20T10:00:00+01:00", "Stadtteilfest")).status == 200);
  const auto id = h.case_of("inv-7");
  CHECK(h.send(supported_event("inv-7", 40, "2026-11-22T10:00:00+01:00")).status == 200);
  CHECK(h.send(supported_event("inv-7", 30, "2026-11-21T10:00:00+01:00")).status == 200);  // older, arrives late
  auto inv = h.get_case(id).at("invitation").as_object();
  CHECK(inv.at("supporters").as_int64() == 40);
  CHECK(inv.at("threshold_reached") == false);
  CHECK(h.sql("SELECT count(*) FROM invitation_supporter_counts WHERE anliegen_id = " + id) == "2");

  CHECK(h.send(supported_event("inv-7", 57, "2026-11-23T10:00:00+01:00")).status == 200);
  CHECK(h.send(supported_event("inv-7", 57, "2026-11-23T10:00:00+01:00")).status == 200);  // retried
  CHECK(h.send(supported_event("inv-7", 61, "2026-11-24T10:00:00+01:00")).status == 200);
  inv = h.get_case(id).at("invitation").as_object();
  CHECK(inv.at("supporters").as_int64() == 61);
  CHECK(inv.at("threshold_reached") == true);
  CHECK(inv.at("threshold_reached_at") == "2026-11-23T09:00:00.000Z");
  CHECK(h.sql("SELECT count(*) FROM invitation_supporter_counts WHERE anliegen_id = " + id) == "4");
  CHECK(h.sql("SELECT count(*) FROM audit_events WHERE type = 'invitation_threshold_reached'") == "1");
  const auto events = boost::json::parse(h.gw->get("/api/v1/cases/" + id + "/events", h.office).body);
  CHECK(boost::json::serialize(events).find("invitation_threshold_reached") != std::string::npos);
}

TEST_CASE("holdieob events before their invitation are kept and applied when it is created") {
  HoldieobGateway h;
  CHECK(h.send(supported_event("inv-early", 80, "2026-11-25T10:00:00+01:00")).status == 200);
  CHECK(h.send(supported_event("inv-early", 20, "2026-11-24T10:00:00+01:00")).status == 200);
  CHECK(h.sql("SELECT count(*) FROM anliegen") == "0");
  CHECK(h.sql("SELECT count(*) FROM invitation_early_events") == "2");
  REQUIRE(h.send(created_event("inv-early", "2026-11-20T10:00:00+01:00", "Früh unterstützt")).status == 200);
  const auto id = h.case_of("inv-early");
  const auto inv = h.get_case(id).at("invitation").as_object();
  CHECK(inv.at("supporters").as_int64() == 80);
  CHECK(inv.at("threshold_reached") == true);
  CHECK(h.sql("SELECT count(*) FROM invitation_supporter_counts") == "2");
  CHECK(h.sql("SELECT count(*) FROM invitation_early_events") == "0");

  // Withdrawn before created: the Anliegen is closed as soon as it exists.
  CHECK(h.send(withdrawn_event("inv-gone", "2026-11-26T10:00:00+01:00")).status == 200);
  REQUIRE(h.send(created_event("inv-gone", "2026-11-20T10:00:00+01:00", "Zurückgezogen")).status == 200);
  const auto gone = h.get_case(h.case_of("inv-gone"));
  CHECK(gone.at("status") == "closed");
  CHECK(gone.at("invitation").at("withdrawn") == true);
}

TEST_CASE("holdieob withdrawn: the invitation is marked and the Anliegen closed, once") {
  HoldieobGateway h;
  REQUIRE(h.send(created_event("inv-w", "2026-11-20T10:00:00+01:00", "Vereinsjubiläum")).status == 200);
  const auto id = h.case_of("inv-w");
  CHECK(h.send(withdrawn_event("inv-w", "2026-11-21T10:00:00+01:00")).status == 200);
  CHECK(h.send(withdrawn_event("inv-w", "2026-11-21T10:00:00+01:00")).status == 200);
  const auto c = h.get_case(id);
  CHECK(c.at("status") == "closed");
  CHECK(c.at("invitation").at("withdrawn") == true);
  CHECK(c.at("invitation").at("withdrawn_at") == "2026-11-21T09:00:00.000Z");
  CHECK(h.sql("SELECT count(*) FROM audit_events WHERE type = 'invitation_withdrawn'") == "1");
}

TEST_CASE("holdieob unknown types and malformed bodies after a valid signature: 200 and kept as dead letters") {
  HoldieobGateway h;
  CHECK(h.send(R"({"type":"invitation.commented","id":"inv-1","text":"hallo"})").status == 200);
  CHECK(h.send("{not json").status == 200);
  CHECK(h.send(R"({"type":"invitation.supported","id":"inv-1","supporters":"viele"})").status == 200);
  CHECK(h.sql("SELECT count(*) FROM inbox WHERE channel = 'holdieob' AND state = 'dead_letter'") == "3");
  CHECK(h.sql("SELECT error FROM inbox WHERE convert_from(body, 'UTF8') LIKE '%commented%'") == "unknown event type 'invitation.commented'");
  CHECK(h.sql("SELECT count(*) FROM anliegen") == "0");
}

TEST_CASE("holdieob: a delivery whose processing fails is acknowledged and kept as a dead letter") {
  HoldieobGateway h;
  h.sql(R"sql(CREATE FUNCTION refuse_for_test() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN RAISE EXCEPTION 'refused for the test'; END $$;
              CREATE TRIGGER refuse_for_test BEFORE INSERT ON invitations
              FOR EACH ROW EXECUTE FUNCTION refuse_for_test())sql");
  const auto event = created_event("inv-fails", "2026-11-20T10:00:00+01:00", "Scheitert");
  CHECK(h.send(event).status == 200);  // a retry would fail the same way
  CHECK(h.sql("SELECT error LIKE 'processing failed:%' FROM inbox WHERE channel = 'holdieob' AND state = 'dead_letter'") == "t");
  CHECK(h.send(event).status == 200);
  CHECK(h.sql("SELECT count(*) FROM inbox WHERE channel = 'holdieob'") == "1");
  CHECK(h.sql("SELECT count(*) FROM anliegen") == "0");
}

TEST_CASE("holdieob: oversized deliveries are 413") {
  HoldieobGateway h(std::map<std::string, std::string>{{"ANLIEGEN_MAX_BODY_BYTES", "2048"}});
  std::string big = created_event("inv-big", "2026-11-20T10:00:00+01:00", "x");
  big.insert(big.size() - 1, ",\"padding\":\"" + std::string(4096, 'a') + "\"");
  check_problem(h.send(big), 413);
  CHECK(h.sql("SELECT count(*) FROM inbox") == "0");
}

TEST_CASE("holdieob off: no webhook route, decisions refused; a secret without callback URL does not start") {
  auto missing = run_anliegen({"serve"}, {{"ANLIEGEN_DATABASE_URL", "host=/x"}, {"HOLDIEOB_SECRET", "s"}});
  CHECK(missing.status == 2);
  CHECK(missing.err.find("HOLDIEOB_CALLBACK_URL") != std::string::npos);
  auto bad = run_anliegen({"serve"}, {{"ANLIEGEN_DATABASE_URL", "host=/x"}, {"HOLDIEOB_SUPPORT_THRESHOLD", "0"}});
  CHECK(bad.status == 2);
  CHECK(bad.err.find("HOLDIEOB_SUPPORT_THRESHOLD") != std::string::npos);

  RunningGateway gw;
  const auto body = holdieob_fixture("created.json");
  check_problem(http_request(gw.port(), "POST", "/webhooks/holdieob", body,
                             {{"Content-Type", "application/json"},
                              {"X-Holdieob-Signature", hb::sign(kHoldieobSecret, body)}}),
                404);
  // An invitation stored while holdieob was connected.
  const auto office = create_token(gw.db.dsn(), "office");
  const auto created = gw.send_json("POST", "/api/v1/cases", R"({"channel":"letter","text":"Einladung"})", office);
  REQUIRE(created.status == 201);
  const auto id = std::to_string(boost::json::parse(created.body).at("id").as_int64());
  gw.db.scalar("UPDATE anliegen SET kind = 'invitation', channel = 'holdieob' WHERE id = " + id);
  gw.db.scalar("INSERT INTO invitations (anliegen_id, external_id, created_at) VALUES (" + id + ", 'inv-old', now())");
  check_problem(gw.send_json("POST", "/api/v1/cases/" + id + "/decision", R"({"decision":"declined"})", office), 409);
  CHECK(gw.db.scalar("SELECT count(*) FROM invitations WHERE decision IS NULL") == "1");
}

#include <fstream>
#include <sstream>
#include <thread>

#include "whatsapp_support.hpp"

using namespace anliegen::testing;
namespace json = boost::json;

TEST_CASE("without an app secret the WhatsApp routes do not exist") {
  RunningGateway gw;
  check_problem(gw.get("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1"), 404);
  check_problem(post_webhook(gw.port(), "{}"), 404);
}

TEST_CASE("the subscription handshake answers the challenge exactly, and 403 on a wrong token") {
  WhatsAppGateway wa;
  auto ok = wa.gw->get("/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=" +
                       kWaVerifyToken);
  CHECK(ok.status == 200);
  CHECK(ok.body == "1158201444");
  auto wrong = wa.gw->get("/webhooks/whatsapp?hub.mode=subscribe&hub.challenge=1&hub.verify_token=nope");
  CHECK(wrong.status == 403);
}

TEST_CASE("forged or missing signatures: 401, nothing stored, counted") {
  WhatsAppGateway wa;
  // The channel's counters are there at 0 before anything counts (alerts on increase() see the first).
  const auto fresh = wa.gw->get("/metrics").body;
  for (const char* name : {"webhook_signature_failures_total", "webhook_messages_total", "webhook_dead_letters_total",
                           "webhook_duplicate_deliveries_total", "webhook_duplicate_events_total",
                           "webhook_receipts_total", "webhook_platform_errors_total"}) {
    CAPTURE(name);
    CHECK(fresh.find("anliegen_" + std::string(name) + "{channel=\"whatsapp\"} 0\n") != std::string::npos);
  }
  const auto body = wa_delivery({wa_text("wamid.F1", "Hallo", unix_now())});
  CHECK(post_webhook(wa.port(), body, false).status == 401);
  auto forged = http_request(wa.port(), "POST", "/webhooks/whatsapp", body,
                             {{"Content-Type", "application/json"}, {"X-Hub-Signature-256", "sha256=" + std::string(64, 'a')}});
  CHECK(forged.status == 401);
  auto sha1 = http_request(wa.port(), "POST", "/webhooks/whatsapp", body,
                           {{"Content-Type", "application/json"}, {"X-Hub-Signature", "sha1=abc"}});
  CHECK(sha1.status == 401);
  CHECK(wa.sql("SELECT count(*) FROM inbox") == "0");
  CHECK(wa.sql("SELECT count(*) FROM anliegen") == "0");
  auto metrics = wa.gw->get("/metrics");
  CHECK(metrics.body.find("anliegen_webhook_signature_failures_total{channel=\"whatsapp\"} 3") != std::string::npos);
}

TEST_CASE("a text message becomes a routed Anliegen before the 200, and a retry changes nothing") {
  WhatsAppGateway wa;
  const auto body = wa_delivery({wa_text("wamid.T1", "In der Bismarckstraße ist ein riesiges Schlagloch", unix_now())});
  auto r = wa.send(body);
  CHECK(r.status == 200);
  // Durable before the 200: the rows are there the moment the answer arrived.
  CHECK(wa.sql("SELECT count(*) FROM anliegen WHERE channel = 'whatsapp'") == "1");
  CHECK(wa.sql("SELECT unit_code FROM anliegen") == "tiefbau");
  CHECK(wa.sql("SELECT external_id FROM citizens WHERE channel = 'whatsapp'") == "DE.1001");
  CHECK(wa.sql("SELECT phone FROM citizens WHERE channel = 'whatsapp'") == "4915112345678");
  CHECK(wa.sql("SELECT display_name FROM citizens WHERE channel = 'whatsapp'") == "Erika");
  CHECK(wa.sql("SELECT account_id FROM messages WHERE direction = 'inbound'") == kWaPhoneNumberId);

  for (int i = 0; i < 3; ++i) CHECK(wa.send(body).status == 200);
  // The same message inside another delivery is recognised too.
  CHECK(wa.send(wa_delivery({wa_text("wamid.T1", "In der Bismarckstraße ist ein riesiges Schlagloch", unix_now())},
                            "DE.1001", "4915112345678", "Erika M."))
            .status == 200);
  CHECK(wa.sql("SELECT count(*) FROM anliegen") == "1");
  CHECK(wa.sql("SELECT count(*) FROM messages WHERE direction = 'inbound'") == "1");
  CHECK(wa.sql("SELECT count(*) FROM inbox") == "2");
}

TEST_CASE("messages of one citizen within 24 hours form one thread; a different citizen gets their own") {
  WhatsAppGateway wa;
  const auto now = unix_now();
  CHECK(wa.send(wa_delivery({wa_text("wamid.A", "Guten Tag,", now - 120)})).status == 200);
  CHECK(wa.send(wa_delivery({wa_text("wamid.B", "die Laterne vor Nr. 5 ist defekt.", now - 60)})).status == 200);
  CHECK(wa.send(wa_delivery({wa_text("wamid.C", "Müll im Park", now, "DE.2002", "4916000000")}, "DE.2002",
                            "4916000000", "Max")).status == 200);
  CHECK(wa.sql("SELECT count(*) FROM anliegen") == "2");
  CHECK(wa.sql("SELECT count(*) FROM messages WHERE direction = 'inbound' AND anliegen_id = "
               "(SELECT a.id FROM anliegen a JOIN citizens c ON c.id = a.citizen_id WHERE c.external_id = 'DE.1001')") == "2");
  // Older than the window: a new Anliegen.
  CHECK(wa.send(wa_delivery({wa_text("wamid.OLD", "alt", now - 3 * 86400, "DE.3003", "4917000000")}, "DE.3003",
                            "4917000000")).status == 200);
  CHECK(wa.send(wa_delivery({wa_text("wamid.NEW", "neu", now, "DE.3003", "4917000000")}, "DE.3003", "4917000000"))
            .status == 200);
  CHECK(wa.sql("SELECT count(*) FROM anliegen a JOIN citizens c ON c.id = a.citizen_id WHERE c.external_id = 'DE.3003'") == "2");
}

TEST_CASE("a thread that began with nothing to route by goes where its first telling message says, until handled") {
  WhatsAppGateway wa;
  const auto now = unix_now();
  auto unit_of = [&](const char* who) {
    return wa.sql("SELECT a.unit_code FROM anliegen a JOIN citizens c ON c.id = a.citizen_id WHERE c.external_id = '" +
                  std::string(who) + "'");
  };
  // Erika: "Guten Tag" goes to the default unit; the pothole in the next delivery moves it to Tiefbau.
  CHECK(wa.send(wa_delivery({wa_text("wamid.G1", "Guten Tag", now - 60)})).status == 200);
  CHECK(unit_of("DE.1001") == "buergerservice");
  CHECK(wa.send(wa_delivery({wa_text("wamid.G2", "Schlagloch in der Rheinallee", now)})).status == 200);
  CHECK(wa.sql("SELECT count(*) FROM anliegen") == "1");
  CHECK(unit_of("DE.1001") == "tiefbau");
  CHECK(wa.sql("SELECT reason FROM routing_decisions ORDER BY id DESC LIMIT 1").find("Schlagloch") != std::string::npos);
  CHECK(wa.sql("SELECT data->'unit'->>'new' FROM audit_events WHERE type = 'rerouted'") == "tiefbau");
  // Another word for a second unit later does not move it again.
  CHECK(wa.send(wa_delivery({wa_text("wamid.G3", "und Sperrmüll daneben", now + 1)})).status == 200);
  CHECK(unit_of("DE.1001") == "tiefbau");
  // Max: both in one delivery.
  CHECK(wa.send(wa_delivery({wa_text("wamid.H1", "Hallo", now - 1, "DE.2002", "4916000000"),
                             wa_text("wamid.H2", "Schlagloch am Berliner Platz", now, "DE.2002", "4916000000")},
                            "DE.2002", "4916000000", "Max"))
            .status == 200);
  CHECK(unit_of("DE.2002") == "tiefbau");
  // Ana: a clerk took it on before the telling message came; it stays.
  CHECK(wa.send(wa_delivery({wa_text("wamid.J1", "Hallo", now - 60, "DE.3003", "4917000000")}, "DE.3003", "4917000000",
                            "Ana"))
            .status == 200);
  const auto anas = wa.sql("SELECT a.id FROM anliegen a JOIN citizens c ON c.id = a.citizen_id WHERE c.external_id = 'DE.3003'");
  REQUIRE(wa.gw->send_json("PATCH", "/api/v1/cases/" + anas, R"({"status":"in_progress"})", wa.office).status == 200);
  CHECK(wa.send(wa_delivery({wa_text("wamid.J2", "Schlagloch", now, "DE.3003", "4917000000")}, "DE.3003", "4917000000",
                            "Ana"))
            .status == 200);
  CHECK(unit_of("DE.3003") == "buergerservice");
  CHECK(wa.sql("SELECT count(*) FROM audit_events WHERE type = 'rerouted'") == "2");
}

TEST_CASE("a batch of many messages and entries is handled completely") {
  WhatsAppGateway wa;
  json::array messages;
  for (int i = 0; i < 50; ++i) messages.push_back(wa_text("wamid.BATCH" + std::to_string(i), "Nachricht " + std::to_string(i), unix_now()));
  CHECK(wa.send(wa_delivery(messages)).status == 200);
  CHECK(wa.sql("SELECT count(*) FROM messages WHERE direction = 'inbound'") == "50");
  CHECK(wa.sql("SELECT count(*) FROM anliegen") == "1");
}

TEST_CASE("a signed delivery that cannot be parsed is a dead letter and still 200") {
  WhatsAppGateway wa;
  CHECK(wa.send("{not json").status == 200);
  CHECK(wa.send(R"({"object":"page","entry":[]})").status == 200);
  CHECK(wa.sql("SELECT count(*) FROM inbox WHERE state = 'dead_letter'") == "2");
  CHECK(wa.sql("SELECT count(*) FROM anliegen") == "0");
}

TEST_CASE("unknown, unsupported, reaction and dashboard test deliveries never fail and create no stray cases") {
  WhatsAppGateway wa;
  const auto now = unix_now();
  json::object unknown{{"from", "4915112345678"}, {"from_user_id", "DE.1001"}, {"id", "wamid.U1"},
                       {"timestamp", std::to_string(now)}, {"type", "hologram"}, {"hologram", json::object{}}};
  CHECK(wa.send(wa_delivery({unknown})).status == 200);
  CHECK(wa.sql("SELECT count(*) FROM messages WHERE external_id = 'wamid.U1'") == "1");
  json::object reaction{{"from", "4915112345678"}, {"from_user_id", "DE.1001"}, {"id", "wamid.R1"},
                        {"timestamp", std::to_string(now)}, {"type", "reaction"},
                        {"reaction", json::object{{"message_id", "wamid.U1"}, {"emoji", ""}}}};
  CHECK(wa.send(wa_delivery({reaction})).status == 200);
  CHECK(wa.sql("SELECT count(*) FROM messages WHERE direction = 'inbound'") == "1");
  std::ifstream in(std::string(ANLIEGEN_SOURCE_DIR) + "/tests/fixtures/whatsapp/dashboard_test.json");
  std::stringstream fixture;
  fixture << in.rdbuf();
  CHECK(wa.send(fixture.str()).status == 200);
  CHECK(wa.sql("SELECT count(*) FROM anliegen") == "1");
  // An order from a catalogue is commerce: stored as a delivery, answered, but no Anliegen.
  json::object order{{"from", "4916000000000"}, {"from_user_id", "DE.2002"}, {"id", "wamid.O1"},
                     {"timestamp", std::to_string(now)}, {"type", "order"},
                     {"order", json::object{{"catalog_id", "1"}, {"text", "Zwei Rollen, bitte"},
                                            {"product_items", json::array{json::object{{"product_retailer_id", "x"},
                                                                                        {"quantity", 2}}}}}}};
  CHECK(wa.send(wa_delivery({order}, "DE.2002", "4916000000000")).status == 200);
  CHECK(wa.sql("SELECT count(*) FROM anliegen") == "1");
  CHECK(wa.sql("SELECT count(*) FROM messages WHERE external_id = 'wamid.O1'") == "0");
  CHECK(wa.sql("SELECT count(*) FROM inbox WHERE convert_from(body, 'UTF8') LIKE '%wamid.O1%'") == "1");
}

TEST_CASE("edits change the stored text and withdrawals remove it, without new Anliegen") {
  WhatsAppGateway wa;
  const auto now = unix_now();
  CHECK(wa.send(wa_delivery({wa_text("wamid.E1", "Schlaglosh", now - 10)})).status == 200);
  json::object edit{{"from", "4915112345678"}, {"from_user_id", "DE.1001"}, {"id", "wamid.E2"},
                    {"timestamp", std::to_string(now)}, {"type", "edit"},
                    {"edit", json::object{{"original_message_id", "wamid.E1"},
                                          {"message", json::object{{"type", "text"}, {"text", json::object{{"body", "Schlagloch"}}}}}}}};
  CHECK(wa.send(wa_delivery({edit})).status == 200);
  CHECK(wa.sql("SELECT text FROM messages WHERE external_id = 'wamid.E1'") == "Schlagloch");
  json::object revoke{{"from", "4915112345678"}, {"from_user_id", "DE.1001"}, {"id", "wamid.E3"},
                      {"timestamp", std::to_string(now)}, {"type", "revoke"},
                      {"revoke", json::object{{"original_message_id", "wamid.E1"}}}};
  CHECK(wa.send(wa_delivery({revoke})).status == 200);
  CHECK(wa.sql("SELECT text FROM messages WHERE external_id = 'wamid.E1'") == "");
  CHECK(wa.sql("SELECT 'withdrawn' = ANY(flags) FROM messages WHERE external_id = 'wamid.E1'") == "t");
  CHECK(wa.sql("SELECT count(*) FROM anliegen") == "1");
  CHECK(wa.sql("SELECT count(*) FROM messages WHERE direction = 'inbound'") == "1");
}

TEST_CASE("a photo and a voice note are downloaded in the background and served to clerks") {
  WhatsAppGateway wa;
  const std::string jpeg = std::string("\xFF\xD8\xFF\xE0", 4) + std::string(2000, 'j');
  const std::string ogg = "OggS" + std::string(3000, 'o');
  wa.graph->add_media("900000000000001", jpeg, "image/jpeg");
  wa.graph->add_media("900000000000003", ogg, "audio/ogg; codecs=opus");
  wa.graph->expire_media_url("900000000000003");  // first download fails: a new lookup is needed
  const auto now = unix_now();
  json::object image{{"from", "4915112345678"}, {"from_user_id", "DE.1001"}, {"id", "wamid.M1"},
                     {"timestamp", std::to_string(now)}, {"type", "image"},
                     {"image", json::object{{"id", "900000000000001"}, {"mime_type", "image/jpeg"},
                                            {"sha256", FakeGraph::sha256_base64(jpeg)}, {"caption", "Sperrmüll am Gehweg"}}}};
  json::object voice{{"from", "4915112345678"}, {"from_user_id", "DE.1001"}, {"id", "wamid.M2"},
                     {"timestamp", std::to_string(now)}, {"type", "audio"},
                     {"audio", json::object{{"id", "900000000000003"}, {"mime_type", "audio/ogg; codecs=opus"},
                                            {"sha256", FakeGraph::sha256_base64(ogg)}, {"voice", true}}}};
  CHECK(wa.send(wa_delivery({image, voice})).status == 200);
  CHECK(wa.sql("SELECT count(*) FROM attachments") == "2");
  CHECK(wa.sql("SELECT kind FROM attachments ORDER BY id DESC LIMIT 1") == "voice");
  REQUIRE(eventually([&] { return wa.sql("SELECT count(*) FROM attachments WHERE state = 'stored'") == "2"; }));
  const auto id = wa.sql("SELECT id FROM attachments WHERE kind = 'image'");
  auto file = wa.gw->get("/api/v1/attachments/" + id, wa.office);
  CHECK(file.status == 200);
  CHECK(file.header("content-type") == "image/jpeg");
  CHECK(file.body == jpeg);
  auto case_json = wa.gw->get("/api/v1/cases/" + wa.sql("SELECT max(id) FROM anliegen"), wa.office);
  CHECK(case_json.body.find("\"state\":\"stored\"") != std::string::npos);
  const auto other = create_token(wa.gw->db.dsn(), "clerk", "gruen");
  check_problem(wa.gw->get("/api/v1/attachments/" + id, other), 404);
}

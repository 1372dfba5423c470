#include <cstdio>
#include <fstream>
#include <optional>
#include <thread>
#include <utility>

#include <unistd.h>

#include "whatsapp_support.hpp"

using namespace anliegen::testing;
namespace json = boost::json;

namespace {

std::string case_id(const WhatsAppGateway& wa) { return wa.sql("SELECT max(id) FROM anliegen"); }

json::value last_sent_body(const FakeGraph& graph) {
  const auto sent = graph.sent_messages();
  REQUIRE_FALSE(sent.empty());
  return json::parse(sent.back().body);
}

// The call fixture (placed days ago); with `timestamp` set, placed then and given the call id `id`.
std::string call_delivery(std::optional<long long> timestamp = std::nullopt, const std::string& id = "") {
  const auto stored = read_file(std::string(ANLIEGEN_SOURCE_DIR) + "/tests/fixtures/whatsapp/call_connect.json");
  if (!timestamp) return stored;
  auto doc = json::parse(stored);
  auto& call = doc.at("entry").at(0).at("changes").at(0).at("value").at("calls").at(0).as_object();
  if (!id.empty()) call["id"] = id;
  call["timestamp"] = std::to_string(*timestamp);
  return json::serialize(doc);
}

// A citizen's message from two days ago and the clerk's reply "Die Antwort" to it, which is held behind
// the reply template (the gateway needs WHATSAPP_REPLY_TEMPLATE). Returns the case id and the reply's
// message id.
std::pair<std::string, std::string> held_reply(WhatsAppGateway& wa, const std::string& wamid) {
  CHECK(wa.send(wa_delivery({wa_text(wamid, "alt", unix_now() - 2 * 86400)})).status == 200);
  const auto id = case_id(wa);
  auto reply = wa.gw->send_json("POST", "/api/v1/cases/" + id + "/replies", R"({"text":"Die Antwort"})", wa.office);
  REQUIRE_MESSAGE(reply.status == 202, reply.body);
  CHECK(json::parse(reply.body).at("delivery_status") == "held");
  return {id, std::to_string(json::parse(reply.body).at("message_id").as_int64())};
}

}  // namespace

TEST_CASE("outside any Sprechstunde the citizen gets one German auto-reply per 12 hours") {
  WhatsAppGateway wa;
  CHECK(wa.send(wa_delivery({wa_text("wamid.O1", "Hallo", unix_now())})).status == 200);
  REQUIRE(eventually([&] { return wa.graph->sent_messages().size() >= 1; }));
  auto body = last_sent_body(*wa.graph);
  CHECK(body.at("to") == "4915112345678");
  CHECK(body.at("context").at("message_id") == "wamid.O1");
  const std::string text(body.at("text").at("body").as_string());
  CHECK(text.find("wird rechtzeitig angekündigt") != std::string::npos);
  CHECK(wa.send(wa_delivery({wa_text("wamid.O2", "Noch etwas", unix_now())})).status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(wa.graph->sent_messages().size() == 1);
  CHECK(wa.sql("SELECT count(*) FROM messages WHERE direction = 'outbound' AND author = 'Automatische Antwort'") == "1");
}

TEST_CASE("the auto-reply names the next announced hour in Berlin time") {
  WhatsAppGateway wa;
  auto created = wa.gw->send_json("POST", "/api/v1/sprechstunden",
                                  R"({"channel":"whatsapp","starts_at":"2099-12-02T16:00:00+01:00","ends_at":"2099-12-02T17:00:00+01:00","host_unit":"ob","title":"WhatsApp-Sprechstunde der Oberbürgermeisterin"})",
                                  wa.office);
  REQUIRE_MESSAGE(created.status == 201, created.body);
  CHECK(wa.send(wa_delivery({wa_text("wamid.N1", "Wann ist die Sprechstunde?", unix_now())})).status == 200);
  REQUIRE(eventually([&] { return wa.graph->sent_messages().size() >= 1; }));
  const std::string text(last_sent_body(*wa.graph).at("text").at("body").as_string());
  CHECK(text.find("Mittwoch, 2. Dezember 2099 von 16:00 bis 17:00 Uhr") != std::string::npos);
}

TEST_CASE("a message inside an announced hour goes to the host unit with the hour's tag and one acknowledgement") {
  WhatsAppGateway wa;
  const auto now = unix_now();
  auto fmt = [](long long t) {
    return anliegen::domain::format_utc(anliegen::domain::from_unix_ms(t * 1000));
  };
  auto created = wa.gw->send_json("POST", "/api/v1/sprechstunden",
                                  R"({"channel":"whatsapp","starts_at":")" + fmt(now - 1800) + R"(","ends_at":")" +
                                      fmt(now + 1800) + R"(","host_unit":"ob","title":"Sprechstunde"})",
                                  wa.office);
  REQUIRE_MESSAGE(created.status == 201, created.body);
  const auto hour = json::parse(created.body).at("id").as_int64();
  CHECK(wa.send(wa_delivery({wa_text("wamid.S1", "Schlagloch vor meiner Tür", now)})).status == 200);
  CHECK(wa.send(wa_delivery({wa_text("wamid.S2", "und noch eins", now + 1)})).status == 200);
  CHECK(wa.sql("SELECT unit_code FROM anliegen") == "ob");
  CHECK(wa.sql("SELECT sprechstunde_id FROM anliegen") == std::to_string(hour));
  CHECK(wa.sql("SELECT 'sprechstunde' = ANY(tags) FROM anliegen") == "t");
  REQUIRE(eventually([&] { return wa.graph->sent_messages().size() >= 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  CHECK(wa.graph->sent_messages().size() == 1);
  const std::string text(last_sent_body(*wa.graph).at("text").at("body").as_string());
  CHECK(text.find("Sprechstunde") != std::string::npos);
  // A message whose own timestamp lies before the hour is not part of it, however late it arrives.
  CHECK(wa.send(wa_delivery({wa_text("wamid.S3", "Frage", now - 7200, "DE.9", "49160009")}, "DE.9", "49160009"))
            .status == 200);
  CHECK(wa.sql("SELECT sprechstunde_id IS NULL FROM anliegen a JOIN citizens c ON c.id = a.citizen_id "
               "WHERE c.external_id = 'DE.9'") == "t");

  auto list = wa.gw->get("/api/v1/sprechstunden", wa.office);
  CHECK(list.status == 200);
  CHECK(json::parse(list.body).at("items").as_array().size() == 1);
  check_problem(wa.gw->get("/api/v1/sprechstunden?xinclude_past=true", wa.office), 422);
  CHECK(wa.gw->get("/api/v1/sprechstunden?include_past=false", wa.office).status == 200);
  CHECK(http_request(wa.port(), "DELETE", "/api/v1/sprechstunden/" + std::to_string(hour), "",
                     {{"Authorization", "Bearer " + wa.office}}).status == 204);
  CHECK(http_request(wa.port(), "DELETE", "/api/v1/sprechstunden/" + std::to_string(hour), "",
                     {{"Authorization", "Bearer " + wa.office}}).status == 404);
  const auto clerk = create_token(wa.gw->db.dsn(), "clerk", "tiefbau");
  check_problem(wa.gw->send_json("POST", "/api/v1/sprechstunden", "{}", clerk), 403);
  check_problem(wa.gw->send_json("POST", "/api/v1/sprechstunden",
                                 R"({"channel":"whatsapp","starts_at":"2099-12-02T17:00:00+01:00","ends_at":"2099-12-02T16:00:00+01:00"})",
                                 wa.office),
                422);
}

TEST_CASE("a clerk's reply goes out through the outbox, quoted, once; statuses update it monotonically") {
  WhatsAppGateway wa;
  CHECK(wa.send(wa_delivery({wa_text("wamid.Q1", "Schlagloch", unix_now())})).status == 200);
  REQUIRE(eventually([&] { return wa.graph->sent_messages().size() >= 1; }));  // the auto-reply
  const auto id = case_id(wa);
  auto reply = wa.gw->send_json("POST", "/api/v1/cases/" + id + "/replies",
                                R"({"text":"Danke, der Bauhof ist informiert."})", wa.office);
  REQUIRE_MESSAGE(reply.status == 202, reply.body);
  CHECK(json::parse(reply.body).at("delivery_status") == "queued");
  const auto message_id = std::to_string(json::parse(reply.body).at("message_id").as_int64());
  REQUIRE(eventually([&] { return wa.graph->sent_messages().size() >= 2; }));
  auto body = last_sent_body(*wa.graph);
  CHECK(body.at("text").at("body") == "Danke, der Bauhof ist informiert.");
  CHECK(body.at("context").at("message_id") == "wamid.Q1");
  REQUIRE(eventually([&] { return wa.sql("SELECT delivery_status FROM messages WHERE id = " + message_id) == "accepted"; }));
  const auto wamid = wa.sql("SELECT external_id FROM messages WHERE id = " + message_id);
  CHECK(wamid.rfind("wamid.FAKE-", 0) == 0);
  CHECK(wa.sql("SELECT status FROM anliegen WHERE id = " + id) == "answered");
  CHECK(wa.sql("SELECT first_response_at IS NOT NULL FROM anliegen WHERE id = " + id) == "t");

  const auto ts = std::to_string(unix_now());
  auto status = [&](const char* s) {
    return json::object{{"id", wamid}, {"status", s}, {"timestamp", ts}, {"recipient_id", "4915112345678"}};
  };
  CHECK(wa.send(wa_statuses({status("read")})).status == 200);
  CHECK(wa.send(wa_statuses({status("delivered"), status("sent")})).status == 200);
  CHECK(wa.sql("SELECT delivery_status FROM messages WHERE id = " + message_id) == "read");
  // Receipts for ids we do not know are kept, never an error.
  CHECK(wa.send(wa_statuses({json::object{{"id", "wamid.UNKNOWN"}, {"status", "delivered"}, {"timestamp", ts},
                                          {"recipient_id", "1"}}})).status == 200);
  CHECK(wa.sql("SELECT count(*) FROM pending_receipts") == "1");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(wa.graph->sent_messages().size() == 2);
}

TEST_CASE("platform failures: retried with back-off until sent once; permanent errors show on the message") {
  WhatsAppGateway wa;
  wa.platform.fail_next(3, 500, "/");
  CHECK(wa.send(wa_delivery({wa_text("wamid.P1", "Hallo", unix_now())})).status == 200);
  REQUIRE(eventually([&] { return wa.graph->sent_messages().size() >= 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  CHECK(wa.graph->sent_messages().size() == 1);
  CHECK(wa.sql("SELECT attempts FROM outbox") == "4");

  const auto id = case_id(wa);
  // Meta's error texts can quote the recipient and the message: the clerk sees them, the log does not.
  wa.platform.fail_next(1, anliegen::testing::FakeResponse{400, "application/json",
      R"({"error":{"message":"(#131026) Message undeliverable","type":"OAuthException","code":131026,)"
      R"("error_data":{"details":"Empfänger 4915112345678: Antwort Zitrone"},"fbtrace_id":"x"}})"}, "/");
  auto reply = wa.gw->send_json("POST", "/api/v1/cases/" + id + "/replies", R"({"text":"Antwort Zitrone"})", wa.office);
  REQUIRE(reply.status == 202);
  const auto message_id = std::to_string(json::parse(reply.body).at("message_id").as_int64());
  REQUIRE(eventually([&] { return wa.sql("SELECT delivery_status FROM messages WHERE id = " + message_id) == "failed"; }));
  const auto delivery_error = wa.sql("SELECT delivery_error FROM messages WHERE id = " + message_id);
  CHECK(delivery_error.find("131026") != std::string::npos);
  CHECK(delivery_error.find("Zitrone") != std::string::npos);
  CHECK(wa.graph->sent_messages().size() == 1);
  const auto log = wa.gw->server->log();
  CHECK(log.find(R"("event":"outbox_not_sent")") != std::string::npos);
  CHECK(log.find(R"("error_code":"131026")") != std::string::npos);
  CHECK(log.find("Zitrone") == std::string::npos);
  CHECK(log.find("4915112345678") == std::string::npos);
}

TEST_CASE("a concern written in the hour opens the hour's Anliegen even after a message shortly before it") {
  WhatsAppGateway wa;
  const auto now = unix_now();
  auto fmt = [](long long t) { return anliegen::domain::format_utc(anliegen::domain::from_unix_ms(t * 1000)); };
  auto created = wa.gw->send_json("POST", "/api/v1/sprechstunden",
                                  R"({"channel":"whatsapp","starts_at":")" + fmt(now - 600) + R"(","ends_at":")" +
                                      fmt(now + 3000) + R"(","host_unit":"ob","title":"Sprechstunde"})",
                                  wa.office);
  REQUIRE_MESSAGE(created.status == 201, created.body);
  const auto hour = std::to_string(json::parse(created.body).at("id").as_int64());
  CHECK(wa.send(wa_delivery({wa_text("wamid.B1", "Ist heute Sprechstunde?", now - 900)})).status == 200);
  CHECK(wa.send(wa_delivery({wa_text("wamid.B2", "Die Ampel am Rathaus ist kaputt", now - 60)})).status == 200);
  CHECK(wa.send(wa_delivery({wa_text("wamid.B3", "Seit gestern schon", now)})).status == 200);
  CHECK(wa.sql("SELECT count(*) FROM anliegen") == "2");
  // The message before the hour keeps its routing; the hour's two messages form the hour's Anliegen.
  CHECK(wa.sql("SELECT a.sprechstunde_id IS NULL AND a.unit_code <> 'ob' FROM anliegen a JOIN messages m "
               "ON m.anliegen_id = a.id WHERE m.external_id = 'wamid.B1'") == "t");
  CHECK(wa.sql("SELECT string_agg(m.external_id, ',' ORDER BY m.id) FROM anliegen a JOIN messages m "
               "ON m.anliegen_id = a.id WHERE m.direction = 'inbound' AND a.sprechstunde_id = " + hour + " AND a.unit_code = 'ob'") == "wamid.B2,wamid.B3");
  auto queue = wa.gw->get("/api/v1/cases?sprechstunde=" + hour, wa.office);
  REQUIRE(queue.status == 200);
  CHECK(json::parse(queue.body).at("items").as_array().size() == 1);
}

TEST_CASE("the 24-hour window: refused without a template; with one, the reply is held until the citizen writes") {
  SUBCASE("no template") {
    WhatsAppGateway wa;
    CHECK(wa.send(wa_delivery({wa_text("wamid.W1", "alt", unix_now() - 2 * 86400)})).status == 200);
    auto reply = wa.gw->send_json("POST", "/api/v1/cases/" + case_id(wa) + "/replies", R"({"text":"Spät"})", wa.office);
    check_problem(reply, 409);
    CHECK(json::parse(reply.body).at("detail").as_string().find("24 hours") != std::string::npos);
    CHECK(wa.sql("SELECT count(*) FROM messages WHERE direction = 'outbound' AND author <> 'Automatische Antwort'") == "0");
  }
  SUBCASE("with a template") {
    WhatsAppGateway wa(std::map<std::string, std::string>{{"WHATSAPP_REPLY_TEMPLATE", "anliegen_antwort"}});
    // Too old for an automatic answer too: nothing goes out until the template.
    const auto id = held_reply(wa, "wamid.W2").first;
    REQUIRE(eventually([&] { return wa.graph->sent_messages().size() >= 1; }));
    auto tpl = last_sent_body(*wa.graph);
    CHECK(tpl.at("type") == "template");
    CHECK(tpl.at("template").at("name") == "anliegen_antwort");
    CHECK(tpl.at("template").at("language").at("code") == "de");
    const auto reference = wa.sql("SELECT reference FROM anliegen WHERE id = " + id);
    CHECK(json::serialize(tpl).find(reference) != std::string::npos);
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    CHECK(wa.graph->sent_messages().size() == 1);
    // The citizen answers: the window is open, the held reply goes out.
    CHECK(wa.send(wa_delivery({wa_text("wamid.W3", "Ja?", unix_now())})).status == 200);
    REQUIRE(eventually([&] {
      for (const auto& m : wa.graph->sent_messages()) {
        if (m.body.find("Die Antwort") != std::string::npos) return true;
      }
      return false;
    }));
  }
}

TEST_CASE("a template Meta refuses fails the reply held behind it, with a reason for the clerk") {
  WhatsAppGateway wa(std::map<std::string, std::string>{{"WHATSAPP_REPLY_TEMPLATE", "missing_template"}});
  const auto message = held_reply(wa, "wamid.T1").second;
  REQUIRE(eventually([&] {
    return wa.sql("SELECT delivery_status FROM messages WHERE id = " + message) == "failed";
  }));
  const auto error = wa.sql("SELECT delivery_error FROM messages WHERE id = " + message);
  CHECK(error.find("Vorlage") != std::string::npos);
  CHECK(error.find("132001") != std::string::npos);
  CHECK(wa.sql("SELECT count(*) FROM outbox WHERE state = 'held'") == "0");
  // The case list finds it among those with a reply that did not arrive.
  const auto listed = [&](const std::string& query) {
    auto r = wa.gw->get("/api/v1/cases?" + query, wa.office);
    REQUIRE(r.status == 200);
    return json::parse(r.body).at("items").as_array().size();
  };
  CHECK(listed("delivery=failed") == 1);
  CHECK(listed("delivery=held") == 0);
  CHECK(listed("delivery=held,failed&status=closed") == 0);
  check_problem(wa.gw->get("/api/v1/cases?delivery=read", wa.office), 422);
  // The citizen writes again: nothing held is left to release, nothing goes out late.
  CHECK(wa.send(wa_delivery({wa_text("wamid.T2", "Hallo?", unix_now())})).status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  for (const auto& m : wa.graph->sent_messages()) CHECK(m.body.find("Die Antwort") == std::string::npos);
}

TEST_CASE("a template Meta took but reports failed later fails the reply held behind it; its receipts are not parked") {
  WhatsAppGateway wa(std::map<std::string, std::string>{{"WHATSAPP_REPLY_TEMPLATE", "anliegen_antwort"}});
  const auto message = held_reply(wa, "wamid.U1").second;
  REQUIRE(eventually([&] { return wa.sql("SELECT count(*) FROM outbox WHERE kind = 'template' AND state = 'done'") == "1"; }));
  const auto template_wamid = wa.sql("SELECT platform_message_id FROM outbox WHERE kind = 'template'");
  CHECK(template_wamid.rfind("wamid.FAKE-", 0) == 0);
  const auto ts = std::to_string(unix_now());
  auto status = [&](const char* s) {
    return json::object{{"id", template_wamid}, {"status", s}, {"timestamp", ts}, {"recipient_id", "4915112345678"}};
  };
  CHECK(wa.send(wa_statuses({status("sent")})).status == 200);
  CHECK(wa.sql("SELECT delivery_status FROM messages WHERE id = " + message) == "held");
  auto failed = status("failed");
  failed["errors"] = json::array{json::object{{"code", 131049}, {"title", "This message was not delivered to maintain healthy ecosystem engagement."}}};
  CHECK(wa.send(wa_statuses({failed})).status == 200);
  CHECK(wa.sql("SELECT state FROM outbox WHERE kind = 'template'") == "failed");
  CHECK(wa.sql("SELECT delivery_status FROM messages WHERE id = " + message) == "failed");
  const auto error = wa.sql("SELECT delivery_error FROM messages WHERE id = " + message);
  CHECK(error.find("Vorlage") != std::string::npos);
  CHECK(error.find("131049") != std::string::npos);
  CHECK(wa.sql("SELECT count(*) FROM pending_receipts") == "0");
}

TEST_CASE("a reply refused with 131047 (the window closed before it was sent) is held behind the template") {
  WhatsAppGateway wa(std::map<std::string, std::string>{{"WHATSAPP_REPLY_TEMPLATE", "anliegen_antwort"}});
  CHECK(wa.send(wa_delivery({wa_text("wamid.L1", "Laterne defekt", unix_now())})).status == 200);
  REQUIRE(eventually([&] { return wa.graph->sent_messages().size() >= 1; }));  // the automatic answer
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const auto before = wa.graph->sent_messages().size();
  wa.graph->close_window("4915112345678");  // Meta refuses the next free text: 131047
  const auto id = case_id(wa);
  auto reply = wa.gw->send_json("POST", "/api/v1/cases/" + id + "/replies", R"({"text":"Die späte Antwort"})", wa.office);
  REQUIRE_MESSAGE(reply.status == 202, reply.body);
  const auto message = std::to_string(json::parse(reply.body).at("message_id").as_int64());
  REQUIRE(eventually([&] { return wa.graph->sent_messages().size() >= before + 1; }));
  auto tpl = last_sent_body(*wa.graph);
  CHECK(tpl.at("type") == "template");
  CHECK(tpl.at("template").at("name") == "anliegen_antwort");
  CHECK(json::serialize(tpl).find(wa.sql("SELECT reference FROM anliegen WHERE id = " + id)) != std::string::npos);
  CHECK(wa.sql("SELECT delivery_status FROM messages WHERE id = " + message) == "held");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(wa.graph->sent_messages().size() == before + 1);  // one template, the reply waits
  // The citizen answers the template: the held reply goes out.
  CHECK(wa.send(wa_delivery({wa_text("wamid.L2", "Ja?", unix_now())})).status == 200);
  REQUIRE(eventually([&] {
    return wa.sql("SELECT delivery_status FROM messages WHERE id = " + message) == "accepted";
  }));
  int sent = 0;
  for (const auto& m : wa.graph->sent_messages()) sent += m.body.find("Die späte Antwort") != std::string::npos;
  CHECK(sent == 1);
}

TEST_CASE("a reply Meta took but reports undeliverable with 131047 is held behind the template and sent again") {
  WhatsAppGateway wa(std::map<std::string, std::string>{{"WHATSAPP_REPLY_TEMPLATE", "anliegen_antwort"}});
  CHECK(wa.send(wa_delivery({wa_text("wamid.K1", "Baum umgestürzt", unix_now())})).status == 200);
  REQUIRE(eventually([&] { return wa.graph->sent_messages().size() >= 1; }));  // the automatic answer
  const auto id = case_id(wa);
  auto reply = wa.gw->send_json("POST", "/api/v1/cases/" + id + "/replies", R"({"text":"Wir kommen"})", wa.office);
  REQUIRE_MESSAGE(reply.status == 202, reply.body);
  const auto message = std::to_string(json::parse(reply.body).at("message_id").as_int64());
  REQUIRE(eventually([&] { return wa.sql("SELECT delivery_status FROM messages WHERE id = " + message) == "accepted"; }));
  const auto first_wamid = wa.sql("SELECT external_id FROM messages WHERE id = " + message);
  const auto auto_wamid = wa.sql("SELECT external_id FROM messages WHERE 'auto_reply' = ANY (flags)");
  const auto before = wa.graph->sent_messages().size();
  auto failed = [&](const std::string& wamid) {
    json::object error{{"code", 131047}, {"title", "Re-engagement message"}, {"message", "Re-engagement message"}};
    return json::object{{"id", wamid}, {"status", "failed"}, {"timestamp", std::to_string(unix_now())},
                        {"recipient_id", "4915112345678"}, {"errors", json::array{error}}};
  };
  CHECK(wa.send(wa_statuses({failed(first_wamid), failed(auto_wamid)})).status == 200);
  CHECK(wa.sql("SELECT delivery_status FROM messages WHERE id = " + message) == "held");
  CHECK(wa.sql("SELECT delivery_status FROM messages WHERE 'auto_reply' = ANY (flags)") == "failed");  // not worth a template
  auto held = wa.gw->get("/api/v1/cases?delivery=held", wa.office);
  REQUIRE(held.status == 200);
  CHECK(json::parse(held.body).at("items").as_array().size() == 1);
  REQUIRE(eventually([&] { return wa.graph->sent_messages().size() >= before + 1; }));
  CHECK(last_sent_body(*wa.graph).at("type") == "template");
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(wa.graph->sent_messages().size() == before + 1);
  // A retried status delivery changes nothing; the citizen's answer releases the reply.
  CHECK(wa.send(wa_statuses({failed(first_wamid)})).status == 200);
  CHECK(wa.sql("SELECT count(*) FROM outbox WHERE kind = 'template'") == "1");
  CHECK(wa.send(wa_delivery({wa_text("wamid.K2", "Ja?", unix_now())})).status == 200);
  REQUIRE(eventually([&] { return wa.sql("SELECT delivery_status FROM messages WHERE id = " + message) == "accepted"; }));
  CHECK(wa.sql("SELECT external_id <> '" + first_wamid + "' FROM messages WHERE id = " + message) == "t");
  int sent = 0;
  for (const auto& m : wa.graph->sent_messages()) sent += m.body.find("Wir kommen") != std::string::npos;
  CHECK(sent == 2);
}

TEST_CASE("replies that failed while the access token was revoked are queued again by 'anliegen outbox resend'") {
  WhatsAppGateway wa;
  CHECK(wa.send(wa_delivery({wa_text("wamid.V1", "Ampel defekt", unix_now())})).status == 200);
  REQUIRE(eventually([&] { return wa.graph->sent_messages().size() >= 1; }));  // the automatic answer
  const auto since = anliegen::domain::format_utc(anliegen::domain::from_unix_ms((unix_now() - 5) * 1000));
  const anliegen::testing::FakeResponse revoked{401, "application/json",
      R"({"error":{"message":"Error validating access token","type":"OAuthException","code":190}})"};
  wa.platform.fail_next(2, revoked, "/");
  const auto id = case_id(wa);
  std::vector<std::string> replies;
  for (const char* text : {"Erste Antwort", "Zweite Antwort"}) {
    auto reply = wa.gw->send_json("POST", "/api/v1/cases/" + id + "/replies", std::string(R"({"text":")") + text + R"("})",
                                  wa.office);
    REQUIRE(reply.status == 202);
    replies.push_back(std::to_string(json::parse(reply.body).at("message_id").as_int64()));
  }
  const auto states = "SELECT string_agg(delivery_status, ',' ORDER BY id) FROM messages WHERE id IN (" + replies[0] +
                      "," + replies[1] + ")";
  REQUIRE(eventually([&] { return wa.sql(states) == "failed,failed"; }));

  const auto listed = run_anliegen({"outbox", "resend", "--since", since}, db_env(wa));
  CHECK(listed.status == 0);
  CHECK(listed.out == "channel\tfailed\nwhatsapp\t2\n");
  CHECK(wa.sql(states) == "failed,failed");  // without --yes nothing changes
  CHECK(run_anliegen({"outbox", "resend", "--since", "gestern"}, db_env(wa)).status == 2);
  CHECK(run_anliegen({"outbox", "resend", "--since", since, "--channel", "telegram"}, db_env(wa)).status == 2);

  const auto queued = run_anliegen({"outbox", "resend", "--since", since, "--channel", "whatsapp", "--yes"}, db_env(wa));
  CHECK(queued.status == 0);
  CHECK(queued.out == "queued 2 failed messages again\n");
  REQUIRE(eventually([&] { return wa.sql(states) == "accepted,accepted"; }));
  int sent = 0;
  for (const auto& m : wa.graph->sent_messages()) sent += m.body.find(" Antwort") != std::string::npos;
  CHECK(sent == 2);
  CHECK(run_anliegen({"outbox", "resend", "--since", since, "--yes"}, db_env(wa)).out == "queued 0 failed messages again\n");
}

TEST_CASE("replies on channels without a way back are recorded as not_deliverable") {
  WhatsAppGateway wa;
  auto created = wa.gw->send_json("POST", "/api/v1/cases", R"({"channel":"letter","text":"Brief"})", wa.office);
  REQUIRE(created.status == 201);
  const auto id = std::to_string(json::parse(created.body).at("id").as_int64());
  auto reply = wa.gw->send_json("POST", "/api/v1/cases/" + id + "/replies", R"({"text":"Antwort per Post"})", wa.office);
  CHECK(reply.status == 201);
  CHECK(json::parse(reply.body).at("delivery_status") == "not_deliverable");
  CHECK(wa.sql("SELECT count(*) FROM outbox") == "0");
  CHECK(wa.sql("SELECT delivery_error <> '' FROM messages WHERE direction = 'outbound'") == "t");
  check_problem(wa.gw->send_json("POST", "/api/v1/cases/" + id + "/replies", R"({"text":""})", wa.office), 422);
  check_problem(wa.gw->send_json("POST", "/api/v1/cases/999999/replies", R"({"text":"x"})", wa.office), 404);
  const auto other_clerk = create_token(wa.gw->db.dsn(), "clerk", "gruen");
  check_problem(wa.gw->send_json("POST", "/api/v1/cases/" + id + "/replies", R"({"text":"x"})", other_clerk), 404);
}

TEST_CASE("a message older than 24 hours is stored but gets no automatic answer; the next fresh one does") {
  WhatsAppGateway wa;
  CHECK(wa.send(wa_delivery({wa_text("wamid.L1", "Schlagloch", unix_now() - 30 * 3600)})).status == 200);
  CHECK(wa.sql("SELECT count(*) FROM anliegen") == "1");
  CHECK(wa.sql("SELECT count(*) FROM messages WHERE external_id = 'wamid.L1'") == "1");
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  CHECK(wa.graph->sent_messages().empty());
  CHECK(wa.sql("SELECT count(*) FROM outbox") == "0");
  CHECK(wa.sql("SELECT count(*) FROM citizens WHERE last_auto_reply_at IS NULL") == "1");
  // Nor does the netiquette note go out for a late abusive message, and it is not remembered as sent.
  CHECK(wa.send(wa_delivery({wa_text("wamid.L2", "Ihr Idioten", unix_now() - 25 * 3600)})).status == 200);
  CHECK(wa.sql("SELECT count(*) FROM outbox") == "0");
  CHECK(wa.sql("SELECT count(*) FROM citizens WHERE netiquette_notified_at IS NULL") == "1");
  CHECK(wa.send(wa_delivery({wa_text("wamid.L3", "Ist das angekommen?", unix_now())})).status == 200);
  REQUIRE(eventually([&] { return wa.graph->sent_messages().size() >= 1; }));
  CHECK(last_sent_body(*wa.graph).at("context").at("message_id") == "wamid.L3");
}

TEST_CASE("a call is rejected through the Graph API and answered in German; a call older than 24 hours is not") {
  WhatsAppGateway wa;
  CHECK(wa.send(call_delivery()).status == 200);  // placed days ago
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  CHECK(wa.graph->call_actions().empty());
  CHECK(wa.graph->sent_messages().empty());
  CHECK(wa.sql("SELECT count(*) FROM outbox") == "0");

  const auto now_call = call_delivery(unix_now(), "wacid.ANL-TEST-CALL-NOW");
  CHECK(wa.send(now_call).status == 200);
  REQUIRE(eventually([&] { return wa.graph->call_actions().size() >= 1 && wa.graph->sent_messages().size() >= 1; }));
  auto action = json::parse(wa.graph->call_actions().front().body);
  CHECK(action.at("action") == "reject");
  const std::string text(last_sent_body(*wa.graph).at("text").at("body").as_string());
  CHECK(text.find("Anrufe") != std::string::npos);
  CHECK(wa.send(now_call).status == 200);  // a retried call delivery does nothing more
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(wa.graph->call_actions().size() == 1);
  CHECK(wa.sql("SELECT count(*) FROM anliegen") == "0");
}

TEST_CASE("a call is rejected but not explained when the city configures no text for it") {
  const auto path = city_config_file("without-call-text", [](json::object& city) {
    city.at("texts").as_object().erase("calls.not_possible");
  });
  WhatsAppGateway wa({{"ANLIEGEN_CONFIG", path}});
  std::remove(path.c_str());  // read at start-up

  CHECK(wa.send(call_delivery(unix_now())).status == 200);
  REQUIRE(eventually([&] { return wa.graph->call_actions().size() >= 1; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(wa.graph->sent_messages().empty());
  CHECK(wa.sql("SELECT count(*) FROM outbox WHERE kind = 'reply'") == "0");
}

// The example configuration with a first rule that answers street damage on WhatsApp itself.
std::string city_with_rule_reply() {
  return city_config_file("rule-reply", [](json::object& city) {
    auto& rules = city.at("routing").at("rules").as_array();
    rules.insert(rules.begin(), json::parse(R"({"id":"wa-strasse","when":{"channels":["whatsapp"],
      "keywords":{"any":["Schlagloch"]}},"then":{"unit":"tiefbau","auto_reply":"reply.strasse"}})"));
    city.at("texts").as_object()["reply.strasse"] = "Danke für Ihre Meldung Nr. {referenz}, der Tiefbau kümmert sich.";
  });
}

TEST_CASE("a rule's automatic answer replaces the built-in one for the Anliegen it opens, with its reference") {
  const auto path = city_with_rule_reply();
  WhatsAppGateway wa({{"ANLIEGEN_CONFIG", path}});
  std::remove(path.c_str());
  const auto now = unix_now();
  CHECK(wa.send(wa_delivery({wa_text("wamid.R1", "Schlagloch in der Bismarckstraße", now)})).status == 200);
  REQUIRE(eventually([&] { return wa.graph->sent_messages().size() >= 1; }));
  const auto reference = wa.sql("SELECT reference FROM anliegen");
  CHECK(std::string(last_sent_body(*wa.graph).at("text").at("body").as_string()) ==
        "Danke für Ihre Meldung Nr. " + reference + ", der Tiefbau kümmert sich.");
  // The thread continues without another answer; another citizen without the keyword gets the built-in one.
  CHECK(wa.send(wa_delivery({wa_text("wamid.R2", "Es ist tief", now + 1)})).status == 200);
  CHECK(wa.send(wa_delivery({wa_text("wamid.R3", "Hallo", now, "DE.7", "49160007")}, "DE.7", "49160007")).status == 200);
  REQUIRE(eventually([&] { return wa.graph->sent_messages().size() >= 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));
  const auto sent = wa.graph->sent_messages();
  REQUIRE(sent.size() == 2);
  const std::string other(json::parse(sent.back().body).at("text").at("body").as_string());
  CHECK(other.find("wird rechtzeitig angekündigt") != std::string::npos);
  CHECK(wa.sql("SELECT string_agg(array_to_string(flags, '/'), ',' ORDER BY id) FROM messages "
               "WHERE direction = 'outbound'") == "auto_reply/rule,auto_reply/sprechstunde_next");
}

TEST_CASE("abusive messages are flagged, still routed, and the netiquette note comes once") {
  WhatsAppGateway wa;
  CHECK(wa.send(wa_delivery({wa_text("wamid.X1", "Ihr Idioten, das Schlagloch ist immer noch da!", unix_now())})).status == 200);
  CHECK(wa.sql("SELECT 'abusive' = ANY(flags) FROM messages WHERE external_id = 'wamid.X1'") == "t");
  CHECK(wa.sql("SELECT unit_code FROM anliegen") == "tiefbau");
  CHECK(wa.send(wa_delivery({wa_text("wamid.X2", "Idioten!", unix_now())})).status == 200);
  CHECK(wa.sql("SELECT count(*) FROM messages WHERE 'netiquette' = ANY(flags)") == "1");
}

TEST_CASE("system messages open no Anliegen; a changed number and user id re-key the citizen") {
  WhatsAppGateway wa;
  CHECK(wa.send(wa_delivery({wa_text("wamid.I1", "Schlagloch in der Bismarckstraße", unix_now())})).status == 200);
  REQUIRE(eventually([&] { return wa.graph->sent_messages().size() >= 1; }));
  const auto now = std::to_string(unix_now());
  json::object number{{"from", "4915112345678"}, {"from_user_id", "DE.1001"}, {"id", "wamid.I2"},
                      {"timestamp", now}, {"type", "system"},
                      {"system", json::object{{"body", "Erika changed from 4915112345678 to 4915187654321"},
                                              {"wa_id", "4915187654321"},
                                              {"type", "user_changed_number"}}}};
  json::object user_id{{"id", "wamid.I3"}, {"timestamp", now}, {"type", "system"},
                       {"system", json::object{{"body", "User changed from DE.1001 to DE.1002"},
                                               {"user_id", "DE.1002"},
                                               {"previous_user_id", "DE.1001"},
                                               {"type", "user_changed_user_id"}}}};
  json::object other{{"from", "4915187654321"}, {"from_user_id", "DE.1001"}, {"id", "wamid.I4"},
                     {"timestamp", now}, {"type", "system"},
                     {"system", json::object{{"body", "security code changed"}, {"type", "customer_identity_changed"}}}};
  CHECK(wa.send(wa_delivery({number, user_id, other})).status == 200);
  CHECK(wa.sql("SELECT count(*) FROM anliegen") == "1");
  CHECK(wa.sql("SELECT count(*) FROM messages WHERE direction = 'inbound'") == "1");
  CHECK(wa.sql("SELECT string_agg(external_id || ' ' || phone, ',') FROM citizens") == "DE.1002 4915187654321");
  // The citizen writes under the new id: the same thread, no second automatic answer.
  CHECK(wa.send(wa_delivery({wa_text("wamid.I5", "Ist schon jemand dran?", unix_now(), "DE.1002", "4915187654321")},
                            "DE.1002", "4915187654321"))
            .status == 200);
  CHECK(wa.sql("SELECT count(*) FROM anliegen") == "1");
  CHECK(wa.sql("SELECT count(*) FROM citizens") == "1");
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  CHECK(wa.graph->sent_messages().size() == 1);
}

TEST_CASE("a user-id change for a citizen who already wrote under the new id merges the two records") {
  WhatsAppGateway wa;
  CHECK(wa.send(wa_delivery({wa_text("wamid.U1", "Schlagloch in der Bismarckstraße", unix_now())})).status == 200);
  // Meta regenerated the user id; the citizen writes under it before the notice arrives.
  CHECK(wa.send(wa_delivery({wa_text("wamid.U2", "Und die Laterne ist auch kaputt", unix_now(), "DE.1002")},
                            "DE.1002"))
            .status == 200);
  REQUIRE(wa.sql("SELECT count(*) FROM citizens") == "2");
  const auto first_case = wa.sql("SELECT min(id) FROM anliegen");
  json::object user_id{{"id", "wamid.U3"}, {"timestamp", std::to_string(unix_now())}, {"type", "system"},
                       {"system", json::object{{"body", "User changed from DE.1001 to DE.1002"},
                                               {"user_id", "DE.1002"},
                                               {"previous_user_id", "DE.1001"},
                                               {"type", "user_changed_user_id"}}}};
  CHECK(wa.send(wa_delivery({user_id})).status == 200);
  CHECK(wa.sql("SELECT string_agg(external_id || ' ' || phone || ' ' || display_name, ',') FROM citizens") ==
        "DE.1002 4915112345678 Erika");
  CHECK(wa.sql("SELECT count(DISTINCT citizen_id) FROM anliegen") == "1");
  CHECK(wa.sql("SELECT count(*) FROM anliegen") == "2");
  CHECK(wa.sql("SELECT count(*) FROM audit_events WHERE type = 'citizen_merged' AND anliegen_id = " + first_case) ==
        "1");
  const auto case_json = json::parse(wa.gw->get("/api/v1/cases/" + first_case, wa.office).body);
  CHECK(std::to_string(case_json.at("citizen").at("id").as_int64()) == wa.sql("SELECT id FROM citizens"));
}

TEST_CASE("a changed number readdresses what still waits in the outbox, never the old number") {
  WhatsAppGateway wa(std::map<std::string, std::string>{{"ANLIEGEN_OUTBOX_RETRY_BASE_MS", "600000"}});
  wa.platform.fail_next(1, 500, "/");  // the automatic answer fails once and waits ten minutes
  CHECK(wa.send(wa_delivery({wa_text("wamid.N1", "Schlagloch", unix_now())})).status == 200);
  REQUIRE(eventually([&] { return wa.sql("SELECT attempts FROM outbox") == "1"; }));
  REQUIRE(eventually([&] { return wa.sql("SELECT state FROM outbox") == "pending"; }));
  json::object number{{"from", "4915112345678"}, {"from_user_id", "DE.1001"}, {"id", "wamid.N2"},
                      {"timestamp", std::to_string(unix_now())}, {"type", "system"},
                      {"system", json::object{{"body", "Erika changed from 4915112345678 to 4915187654321"},
                                              {"wa_id", "4915187654321"},
                                              {"type", "user_changed_number"}}}};
  CHECK(wa.send(wa_delivery({number})).status == 200);
  CHECK(wa.sql("SELECT payload->'target'->>'recipient_phone' FROM outbox") == "4915187654321");
  CHECK(wa.sql("SELECT payload->'target'->>'recipient_key' FROM outbox") == "DE.1001");
  CHECK(wa.sql("SELECT payload->>'text' <> '' FROM outbox") == "t");
}

TEST_CASE("request_welcome and unsupported messages get a fixed German answer and open no Anliegen") {
  // The fixed answers are limited per UTC half day: keep clear of its end, or the test could flake.
  const long long left = 12 * 3600 - unix_now() % (12 * 3600);
  if (left < 60) std::this_thread::sleep_for(std::chrono::seconds(left + 1));
  WhatsAppGateway wa;
  json::object welcome{{"from", "4915112345678"}, {"from_user_id", "DE.1001"}, {"id", "wamid.F1"},
                       {"timestamp", std::to_string(unix_now())}, {"type", "request_welcome"}};
  CHECK(wa.send(wa_delivery({welcome})).status == 200);
  REQUIRE(eventually([&] { return wa.graph->sent_messages().size() >= 1; }));
  auto body = last_sent_body(*wa.graph);
  CHECK(body.at("to") == "4915112345678");
  CHECK(std::string(body.at("text").at("body").as_string()).find("Willkommen") != std::string::npos);
  CHECK(wa.sql("SELECT count(*) FROM anliegen") == "0");
  CHECK(wa.sql("SELECT count(*) FROM messages") == "0");
  // The citizen's first real message still gets the answer with its reference number.
  CHECK(wa.send(wa_delivery({wa_text("wamid.F0", "Laterne kaputt", unix_now())})).status == 200);
  REQUIRE(eventually([&] { return wa.graph->sent_messages().size() >= 2; }));
  const auto reference = wa.sql("SELECT reference FROM anliegen");
  CHECK(std::string(last_sent_body(*wa.graph).at("text").at("body").as_string()).find(reference) != std::string::npos);

  json::object poll{{"from", "4916000000000"}, {"from_user_id", "DE.2002"}, {"id", "wamid.F2"},
                    {"timestamp", std::to_string(unix_now())}, {"type", "unsupported"},
                    {"unsupported", json::object{{"type", "poll_creation"}}},
                    {"errors", json::array{json::object{{"code", 131051}, {"title", "Message type unknown"}}}}};
  CHECK(wa.send(wa_delivery({poll}, "DE.2002", "4916000000000")).status == 200);
  REQUIRE(eventually([&] { return wa.graph->sent_messages().size() >= 3; }));
  body = last_sent_body(*wa.graph);
  CHECK(body.at("to") == "4916000000000");
  CHECK(std::string(body.at("text").at("body").as_string()).find("nicht lesen") != std::string::npos);
  CHECK(wa.sql("SELECT count(*) FROM anliegen") == "1");
  // A second one within the interval, and the same delivery again: no more answers.
  poll["id"] = "wamid.F3";
  CHECK(wa.send(wa_delivery({poll}, "DE.2002", "4916000000000")).status == 200);
  CHECK(wa.send(wa_delivery({poll}, "DE.2002", "4916000000000")).status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  CHECK(wa.graph->sent_messages().size() == 3);
  CHECK(wa.sql("SELECT count(*) FROM anliegen") == "1");  // the one real message
}

TEST_CASE("a hanging platform call holds up only its own citizen: others are answered, its next message waits") {
  WhatsAppGateway wa({{"ANLIEGEN_SEND_TIMEOUT_MS", "60000"}, {"ANLIEGEN_OUTBOX_WORKERS", "4"}});
  const auto sent_to = [&](const std::string& phone) {
    int n = 0;
    for (const auto& r : wa.graph->sent_messages()) n += r.body.find(phone) != std::string::npos;
    return n;
  };
  // Erika's automatic answer is read by the platform and never answered (until the minute runs out).
  wa.platform.hang_next(1, "/");
  REQUIRE(wa.send(wa_delivery({wa_text("wamid.H1", "Hallo", unix_now())})).status == 200);
  REQUIRE(eventually([&] { return wa.platform.dropped("/").size() == 1; }));
  const auto erika = case_id(wa);
  // Max writes meanwhile: his automatic answer goes out at once, from another worker.
  REQUIRE(wa.send(wa_delivery({wa_text("wamid.H2", "Guten Tag", unix_now(), "DE.2002", "4915198765432")},
                              "DE.2002", "4915198765432", "Max"))
              .status == 200);
  CHECK(eventually([&] { return sent_to("4915198765432") == 1; }));
  // A clerk answers Erika: it waits behind her hanging automatic answer, so her messages keep their order.
  const auto reply = wa.gw->send_json("POST", "/api/v1/cases/" + erika + "/replies", R"({"text":"Antwort"})", wa.office);
  REQUIRE_MESSAGE(reply.status == 202, reply.body);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  CHECK(sent_to("4915112345678") == 0);
  CHECK(wa.sql("SELECT count(*) FROM outbox WHERE state = 'pending'") == "1");
  wa.platform.stop();  // ends the hanging call, so the gateway stops without waiting for it
}

// DSGVO requests through the command line: find a citizen, export everything stored about them, erase
// it — the Anliegen stay for the statistics, emptied of personal data, and nobody else's data changes.
#include <doctest/doctest.h>

#include "whatsapp_support.hpp"

using namespace anliegen::testing;
namespace json = boost::json;


TEST_CASE("a citizen is found, exported with everything stored about them, and erased; the statistics stay") {
  WhatsAppGateway wa;
  const std::string jpeg = std::string("\xFF\xD8\xFF\xE0", 4) + std::string(2000, 'j');
  wa.graph->add_media("900000000000001", jpeg, "image/jpeg");
  const auto now = unix_now();
  json::object photo{{"from", "4915112345678"}, {"from_user_id", "DE.1001"}, {"id", "wamid.D2"},
                     {"timestamp", std::to_string(now)}, {"type", "image"},
                     {"image", json::object{{"id", "900000000000001"}, {"mime_type", "image/jpeg"},
                                            {"sha256", FakeGraph::sha256_base64(jpeg)}}}};
  REQUIRE(wa.send(wa_delivery({wa_text("wamid.D1", "Erika Musterfrau, Bismarckstraße 5: Sperrmüll", now),
                               photo}))
              .status == 200);
  REQUIRE(wa.send(wa_delivery({wa_text("wamid.D3", "Schlagloch in der Rheinallee", unix_now(), "DE.2002",
                                       "4915198765432")},
                              "DE.2002", "4915198765432", "Max"))
              .status == 200);
  REQUIRE(eventually([&] { return wa.sql("SELECT count(*) FROM attachments WHERE state = 'stored'") == "1"; }));
  const auto erika = wa.sql("SELECT id FROM citizens WHERE external_id = 'DE.1001'");
  // A clerk forwards it with a reason that repeats the citizen's address.
  const auto erikas_case = wa.sql("SELECT id FROM anliegen WHERE citizen_id = " + erika);
  REQUIRE(wa.gw->send_json("PATCH", "/api/v1/cases/" + erikas_case,
                           R"({"unit":"tiefbau","reason":"Frau Musterfrau, Bismarckstraße 5, Sperrmüll am Gehweg"})",
                           wa.office)
              .status == 200);
  const auto statistics = "SELECT string_agg(status || ' ' || unit_code || ' ' || channel, ',' ORDER BY id) FROM anliegen";
  const auto before = wa.sql(statistics);

  const auto found = run_anliegen({"citizen", "find", "+4915112345678"}, db_env(wa));
  CHECK(found.status == 0);
  CHECK(found.out.find(erika + "\twhatsapp\tDE.1001\tErika") != std::string::npos);
  CHECK(found.out.find("DE.2002") == std::string::npos);
  CHECK(run_anliegen({"citizen", "find", "+"}, db_env(wa)).status == 1);  // matches nobody

  const auto exported = run_anliegen({"citizen", "export", "--id", erika}, db_env(wa));
  REQUIRE(exported.status == 0);
  const auto doc = json::parse(exported.out).as_object();
  CHECK(doc.at("citizen").at("phone") == "4915112345678");
  CHECK(doc.at("citizen").at("name") == "Erika");
  const auto& cases = doc.at("anliegen").as_array();
  REQUIRE(cases.size() == 1);
  const auto& messages = cases.at(0).at("messages").as_array();
  bool text_exported = false, photo_exported = false;
  for (const auto& m : messages) {
    text_exported |= m.at("text").as_string().find("Bismarckstraße") != json::string::npos;
    for (const auto& a : m.at("attachments").as_array()) photo_exported |= !a.at("content_base64").as_string().empty();
  }
  CHECK(text_exported);
  CHECK(photo_exported);
  CHECK(exported.out.find("Rheinallee") == std::string::npos);  // nothing of Max

  // Erasing needs the confirmation; without it, nothing changes.
  const auto unconfirmed = run_anliegen({"citizen", "erase", "--id", erika}, db_env(wa));
  CHECK(unconfirmed.status == 2);
  CHECK(wa.sql("SELECT phone FROM citizens WHERE id = " + erika) == "4915112345678");

  const auto erased = run_anliegen({"citizen", "erase", "--id", erika, "--yes", "--by", "Datenschutz"}, db_env(wa));
  REQUIRE_MESSAGE(erased.status == 0, erased.err);
  CHECK(wa.sql("SELECT external_id || '|' || display_name || '|' || phone || '|' || (erased_at IS NOT NULL) "
               "FROM citizens WHERE id = " + erika) == "erased-" + erika + "|||true");
  const auto of_erika = " FROM messages m JOIN anliegen a ON a.id = m.anliegen_id WHERE a.citizen_id = " + erika;
  CHECK(wa.sql("SELECT count(*)" + of_erika + " AND m.text <> ''") == "0");
  CHECK(wa.sql("SELECT count(*) FROM attachments WHERE content IS NOT NULL") == "0");
  CHECK(wa.sql("SELECT count(*) FROM anliegen WHERE search @@ plainto_tsquery('german', 'Bismarckstraße')") == "0");
  CHECK(wa.sql("SELECT count(*) FROM inbox WHERE position('4915112345678' IN convert_from(body, 'UTF8')) > 0") == "0");
  CHECK(wa.sql("SELECT count(*) FROM outbox WHERE payload::text LIKE '%4915112345678%'") == "0");
  CHECK(wa.sql("SELECT actor FROM audit_events WHERE type = 'erased'") == "cli:Datenschutz");
  CHECK(wa.sql("SELECT count(*) FROM audit_events WHERE data::text LIKE '%Bismarck%'") == "0");
  CHECK(wa.sql("SELECT count(*) FROM routing_decisions WHERE reason LIKE '%Bismarck%'") == "0");
  const auto forwarding = wa.sql("SELECT reason FROM routing_decisions WHERE anliegen_id = " + erikas_case +
                                 " ORDER BY id DESC LIMIT 1");
  CHECK(forwarding.starts_with("forwarded "));
  CHECK(forwarding.find("→ tiefbau by ") != std::string::npos);
  CHECK(forwarding.find(": ") == std::string::npos);
  CHECK(wa.sql("SELECT data->'unit'->>'new' FROM audit_events WHERE type = 'forwarded'") == "tiefbau");
  // The statistics stay, and Max's data is untouched.
  CHECK(wa.sql(statistics) == before);
  CHECK(wa.sql("SELECT count(*) FROM messages WHERE text LIKE '%Rheinallee%'") == "1");
  CHECK(wa.sql("SELECT count(*) FROM inbox WHERE position('4915198765432' IN convert_from(body, 'UTF8')) > 0") == "1");
  // The API shows the erased Anliegen without content.
  const auto case_json = wa.gw->get("/api/v1/cases/" + wa.sql("SELECT id FROM anliegen WHERE citizen_id = " + erika),
                                    wa.office);
  CHECK(case_json.status == 200);
  CHECK(case_json.body.find("Bismarckstraße") == std::string::npos);
  CHECK(case_json.body.find("4915112345678") == std::string::npos);
  CHECK(run_anliegen({"citizen", "export", "--id", "999999"}, db_env(wa)).status == 1);
}

TEST_CASE("a gateway with a retention period anonymises closed Anliegen past it on its own") {
  WhatsAppGateway wa;
  const auto now = unix_now();
  REQUIRE(wa.send(wa_delivery({wa_text("wamid.R1", "Erika Musterfrau, Bismarckstraße 5: Sperrmüll", now)})).status ==
          200);
  REQUIRE(wa.send(wa_delivery({wa_text("wamid.R2", "Schlagloch in der Rheinallee", now, "DE.2002", "4915198765432")},
                              "DE.2002", "4915198765432", "Max"))
              .status == 200);
  // Erika's Anliegen was closed 40 days ago, Max's 10 days ago.
  wa.sql("UPDATE anliegen a SET status = 'closed', closed_at = now() - interval '40 days' FROM citizens c "
         "WHERE c.id = a.citizen_id AND c.external_id = 'DE.1001' RETURNING a.id");
  wa.sql("UPDATE anliegen a SET status = 'closed', closed_at = now() - interval '10 days' FROM citizens c "
         "WHERE c.id = a.citizen_id AND c.external_id = 'DE.2002' RETURNING a.id");

  // A second instance with a 30-day period for WhatsApp (and none for the rest) does it when it starts.
  ServerProcess second(wa.gw->db.dsn(), {{"ANLIEGEN_RETENTION_DAYS_WHATSAPP", "30"}});
  REQUIRE_MESSAGE(second.wait_ready(), second.log());
  CHECK(eventually([&] {
    return wa.sql("SELECT count(*) FROM messages WHERE text LIKE '%Bismarckstraße%'") == "0";
  }));
  CHECK(wa.sql("SELECT count(*) FROM citizens WHERE external_id = 'DE.1001' OR phone = '4915112345678'") == "0");
  CHECK(wa.sql("SELECT count(*) FROM messages WHERE text = 'Schlagloch in der Rheinallee'") == "1");
  CHECK(wa.sql("SELECT count(*) FROM audit_events WHERE type = 'anonymised' AND actor = 'retention'") == "1");
  CHECK(wa.sql("SELECT count(*) FROM anliegen WHERE status = 'closed'") == "2");  // the statistics stay
  CHECK(eventually([&] { return second.log().find("\"retention_anonymised\"") != std::string::npos; }));
  CHECK(second.log().find("Bismarck") == std::string::npos);
  CHECK(second.log().find("4915112345678") == std::string::npos);
  CHECK(second.terminate() == 0);
}

TEST_CASE("anliegen citizen retention shows what is due per channel, and --apply anonymises it now") {
  WhatsAppGateway wa;  // the gateway itself has no retention period
  const auto now = unix_now();
  REQUIRE(wa.send(wa_delivery({wa_text("wamid.C1", "Erika Musterfrau, Bismarckstraße 5", now)})).status == 200);
  wa.sql("UPDATE anliegen SET status = 'closed', closed_at = now() - interval '40 days' RETURNING id");
  const auto db = wa.gw->db.dsn();

  const auto none = run_anliegen({"citizen", "retention"}, {{"ANLIEGEN_DATABASE_URL", db}});
  CHECK(none.status == 0);
  CHECK(none.err.find("no retention period") != std::string::npos);

  const std::map<std::string, std::string> env{{"ANLIEGEN_DATABASE_URL", db}, {"ANLIEGEN_RETENTION_DAYS", "365"},
                                               {"ANLIEGEN_RETENTION_DAYS_WHATSAPP", "30"}};
  const auto dry = run_anliegen({"citizen", "retention"}, env);
  REQUIRE_MESSAGE(dry.status == 0, dry.err);
  CHECK(dry.out == "channel\tdays\tdue\nwhatsapp\t30\t1\n");
  CHECK(wa.sql("SELECT count(*) FROM messages WHERE text LIKE '%Bismarckstraße%'") == "1");  // nothing changed

  const auto applied = run_anliegen({"citizen", "retention", "--apply"}, env);
  REQUIRE_MESSAGE(applied.status == 0, applied.err);
  CHECK(applied.out == "anonymised 1 Anliegen, erased 1 citizen records\n");
  CHECK(wa.sql("SELECT count(*) FROM messages WHERE text LIKE '%Bismarckstraße%'") == "0");
  CHECK(run_anliegen({"citizen", "retention"}, env).out == "channel\tdays\tdue\n");

  CHECK(run_anliegen({"citizen", "retention", "--now"}, env).status == 2);
}

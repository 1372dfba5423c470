// holdieob wire format: the X-Holdieob-Signature check (prefix, case, rotation) and event parsing.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "channels/crypto.hpp"
#include "channels/holdieob/events.hpp"

using namespace anliegen;
using namespace anliegen::channels::holdieob;

namespace {

const std::string kBody = R"({"type":"invitation.withdrawn","id":"inv-1","at":"2026-11-21T10:00:00+01:00"})";
const std::vector<std::string> kSecrets = {"current-secret", "previous-secret"};

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace

TEST_CASE("holdieob signature: good, upper-case hex, rotated secret") {
  CHECK(verify_signature(kBody, sign("current-secret", kBody), kSecrets) == SignatureResult::ok);
  CHECK(verify_signature(kBody, sign("previous-secret", kBody), kSecrets) == SignatureResult::ok);
  const auto hex = channels::to_hex(channels::hmac_sha256("current-secret", kBody));
  CHECK(verify_signature(kBody, "sha256=" + upper(hex), kSecrets) == SignatureResult::ok);
  CHECK(verify_signature(kBody, " sha256=" + hex + " ", kSecrets) == SignatureResult::ok);
}

TEST_CASE("holdieob signature: missing, malformed, wrong prefix, mismatch") {
  const auto hex = channels::to_hex(channels::hmac_sha256("current-secret", kBody));
  CHECK(verify_signature(kBody, "", kSecrets) == SignatureResult::missing);
  CHECK(verify_signature(kBody, "sha1=" + hex, kSecrets) == SignatureResult::malformed);
  CHECK(verify_signature(kBody, hex, kSecrets) == SignatureResult::malformed);
  CHECK(verify_signature(kBody, "sha256=sha256=" + hex, kSecrets) == SignatureResult::malformed);
  CHECK(verify_signature(kBody, "SHA256=" + hex, kSecrets) == SignatureResult::malformed);
  CHECK(verify_signature(kBody, "sha256=" + hex.substr(2), kSecrets) == SignatureResult::malformed);
  CHECK(verify_signature(kBody, sign("other-secret", kBody), kSecrets) == SignatureResult::mismatch);
  CHECK(verify_signature(kBody + " ", sign("current-secret", kBody), kSecrets) == SignatureResult::mismatch);
  // An empty configured secret never verifies anything.
  const std::vector<std::string> empty = {""};
  CHECK(verify_signature(kBody, sign("", kBody), empty) == SignatureResult::mismatch);
}

TEST_CASE("holdieob events: created with location, proposer and dates") {
  const auto p = parse_event(
      R"({"type":"invitation.created","id":"inv-123","created_at":"2026-11-20T10:00:00+01:00",)"
      R"("title":"Sommerfest","description":"Bitte kommen Sie","location":{"lat":49.48,"lon":8.44,"address":"Marktplatz 1"},)"
      R"("proposer":{"name":"Erika","email":"erika@example.org"},"proposed_dates":["2026-12-10"]})");
  REQUIRE(p.event);
  const auto& e = std::get<InvitationCreated>(*p.event);
  CHECK(e.id == "inv-123");
  CHECK(domain::format_utc(e.created_at) == "2026-11-20T09:00:00.000Z");
  CHECK(e.title == "Sommerfest");
  CHECK(e.description == "Bitte kommen Sie");
  CHECK(*e.location.lat == doctest::Approx(49.48));
  CHECK(e.location.address == "Marktplatz 1");
  CHECK(e.proposer.email == "erika@example.org");
  CHECK(e.proposed_dates == std::vector<std::string>{"2026-12-10"});
}

TEST_CASE("holdieob events: supported, withdrawn, unknown type") {
  auto p = parse_event(R"({"type":"invitation.supported","id":"inv-1","supporters":57,"at":"2026-11-21T10:00:00Z"})");
  REQUIRE(p.event);
  CHECK(std::get<InvitationSupported>(*p.event).supporters == 57);
  p = parse_event(kBody);
  REQUIRE(p.event);
  CHECK(std::get<InvitationWithdrawn>(*p.event).id == "inv-1");
  p = parse_event(R"({"type":"invitation.commented","id":"inv-1"})");
  REQUIRE(p.event);
  CHECK(std::get<UnknownEvent>(*p.event).type == "invitation.commented");
}

TEST_CASE("holdieob events: what is not an event becomes an error for the dead letter") {
  CHECK(parse_event("{not json").error.starts_with("not JSON"));
  CHECK(parse_event("[1,2]").error == "not a JSON object");
  CHECK(parse_event(R"({"id":"inv-1"})").error == "'type' is missing");
  CHECK(parse_event(R"({"type":"invitation.supported","supporters":5,"at":"2026-11-21T10:00:00Z"})").error ==
        "'id' is missing");
  CHECK(parse_event(R"({"type":"invitation.supported","id":"a","supporters":-1,"at":"2026-11-21T10:00:00Z"})").error ==
        "'supporters' is out of range");
  CHECK(parse_event(R"({"type":"invitation.supported","id":"a","supporters":"5","at":"2026-11-21T10:00:00Z"})").error ==
        "'supporters' must be a whole number");
  CHECK(parse_event(R"({"type":"invitation.supported","id":"a","supporters":5,"at":"2026-11-21 10:00"})").error ==
        "'at' must be an ISO 8601 date-time with offset");
  CHECK(parse_event(R"({"type":"invitation.created","id":"a","created_at":"2026-11-20T10:00:00+01:00","title":"t",)"
                    R"("proposed_dates":["2026-02-30"]})")
            .error == "'proposed_dates' must hold dates as YYYY-MM-DD");
  CHECK(parse_event(R"({"type":"invitation.created","id":"a","created_at":"2026-11-20T10:00:00+01:00","title":"t",)"
                    R"("location":{"lat":91,"lon":8}})")
            .error == "'location.lat' is out of range");
}

TEST_CASE("the invitation.decided callback body") {
  const auto visit = domain::parse_iso8601("2026-12-10T14:00:00+01:00");
  const auto at = domain::parse_iso8601("2026-11-30T09:00:00Z");
  CHECK(render_decided("inv-123", "accepted", visit, "Gern!", *at) ==
        R"({"type":"invitation.decided","id":"inv-123","decision":"accepted","visit_at":"2026-12-10T14:00:00+01:00",)"
        R"("message":"Gern!","decided_at":"2026-11-30T10:00:00+01:00"})");
  CHECK(render_decided("inv-1", "declined", std::nullopt, "", *at).find(R"("visit_at":null)") != std::string::npos);
}

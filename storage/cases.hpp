#pragma once
// Anliegen and their threads: creating a case with its first message, reading it back whole, and the
// audit trail. Every function runs inside the caller's transaction.
#include <optional>
#include <string>
#include <vector>

#include "domain/model.hpp"
#include "storage/database.hpp"

namespace anliegen::storage {

struct NewCase {
  domain::Kind kind = domain::Kind::message;
  domain::Channel channel = domain::Channel::phone;
  domain::Citizen citizen;  // channel + external_id identify the record; other fields update it
  std::string category;
  domain::Location location;
  domain::Timestamp received_at{};
  domain::RoutingDecision routing;
  domain::Priority priority = domain::Priority::normal;
  std::vector<std::string> tags;
  std::string text;                 // the first inbound message
  std::string external_message_id;  // the platform's id of that message, empty for offline channels
  std::string actor;                // who recorded it: a token name, or "channel:<name>"
  std::optional<std::int64_t> sprechstunde_id;  // the announced hour the first message fell into
  // What a channel adds to that first message (empty for offline channels).
  std::string account_id;    // our side: phone_number_id, page id
  std::string message_type;  // the platform's message type
  std::string reply_to;      // the platform id this message answers
  std::vector<std::string> message_flags;
  std::optional<double> message_lat, message_lon;
};

struct CreatedCase {
  domain::AnliegenId id;
  std::string reference;
  domain::MessageId first_message;
};

// Inserts or updates the citizen identified by (channel, external_id); empty fields never overwrite.
domain::CitizenId upsert_citizen(Tx& tx, const domain::Citizen& citizen);

// One statement: the Anliegen, its first message, the routing decision and the "created" event. An
// input citizen with an id is taken as is (the caller locked it); otherwise it is upserted.
CreatedCase create_case(Tx& tx, const NewCase& input);
// Many with one statement (the group commit of webhook deliveries); every input's citizen must have
// its id. result[i] belongs to inputs[i].
std::vector<CreatedCase> create_cases(Tx& tx, const std::vector<NewCase>& inputs);

// The Anliegen with citizen, latest routing decision, messages and attachment metadata.
std::optional<domain::Anliegen> get_case(Tx& tx, domain::AnliegenId id);

struct AuditEvent {
  std::int64_t id = 0;
  domain::Timestamp at{};
  std::string actor;
  std::string type;
  std::string data_json;  // a JSON object
};

void record_event(Tx& tx, domain::AnliegenId id, const std::string& actor, const std::string& type,
                  const std::string& data_json);
std::vector<AuditEvent> list_events(Tx& tx, domain::AnliegenId id);

}  // namespace anliegen::storage

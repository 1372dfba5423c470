#pragma once
// The Anliegen model: a citizen's concern (our case) with its thread of messages and attachments, the
// citizen behind it, and the city's units. Plain structs; storage and the gateway translate them.
//
// Personal data lives only in Citizen, Message::text and attachment contents, so that it can be
// exported, anonymised or erased without touching the statistics kept on Anliegen.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/enums.hpp"
#include "domain/time.hpp"

namespace anliegen::domain {

// Strong ids: an AnliegenId cannot be passed where a MessageId is expected.
template <class Tag>
struct Id {
  std::int64_t value = 0;
  friend bool operator==(Id, Id) = default;
  friend auto operator<=>(Id, Id) = default;
};
using AnliegenId = Id<struct AnliegenTag>;
using MessageId = Id<struct MessageTag>;
using AttachmentId = Id<struct AttachmentTag>;
using CitizenId = Id<struct CitizenTag>;

struct Location {
  std::optional<double> lat;
  std::optional<double> lon;
  std::string address;  // free text, most specific first; may be empty when lat/lon are given
  bool empty() const { return !lat && !lon && address.empty(); }
};

struct Attachment {
  AttachmentId id;
  AttachmentKind kind = AttachmentKind::document;
  std::string mime_type;
  std::int64_t size = 0;
  std::string sha256;  // lowercase hex of the stored bytes; empty until downloaded
  std::string filename;
  std::string state = "stored";  // pending, stored, failed
  std::string error;
  bool is_public = false;  // the clerk released it for the public (Open311 media_url)
};

struct Message {
  MessageId id;
  Direction direction = Direction::inbound;
  std::string text;
  Timestamp sent_at{};      // the message's own time (platform timestamp, or when staff recorded it)
  Timestamp recorded_at{};  // when we stored it
  std::string author;       // staff name for outbound/internal; empty for citizens
  std::string delivery_status;  // outbound only: queued, sent, delivered, read, played, failed, not_deliverable
  std::string delivery_error;
  std::vector<std::string> flags;
  std::vector<Attachment> attachments;
};

struct RoutingDecision {
  std::string unit;
  std::string rule_id;    // empty when the default unit was used
  std::string rule_name;
  std::string reason;     // human-readable, German/English mix as shown to clerks
};

struct Citizen {
  CitizenId id;
  Channel channel = Channel::phone;
  std::string external_id;  // the platform's user id (or a generated one for offline channels)
  std::string display_name;
  std::string phone;
  std::string email;
};

// What a holdieob invitation adds to its Anliegen (kind invitation): supporters, threshold, decision.
struct Invitation {
  std::string external_id;  // holdieob's id, e.g. "inv-123"
  std::string title;
  Timestamp created_at{};   // holdieob's created_at
  int supporters = 0;       // the count with the latest "at"
  std::optional<Timestamp> threshold_reached_at;
  std::optional<Timestamp> withdrawn_at;
  std::string decision;     // "", accepted or declined
  std::optional<Timestamp> decided_at;
  std::optional<Timestamp> visit_at;
  std::string decision_message;
};

struct Anliegen {
  AnliegenId id;
  std::string reference;  // A-2026-000123
  Kind kind = Kind::message;
  Channel channel = Channel::phone;
  Status status = Status::new_;
  std::string unit;
  std::string assignee;
  Priority priority = Priority::normal;
  std::vector<std::string> tags;
  std::string category;
  Location location;
  Timestamp received_at{};
  Timestamp updated_at{};
  std::optional<Timestamp> first_response_at;
  std::optional<Timestamp> closed_at;
  RoutingDecision routing;
  std::optional<Citizen> citizen;
  std::vector<Message> messages;
  // Publication and duplicates (defect reports, Open311): see docs/channels/maengelmelder.md.
  bool is_public = false;
  std::optional<Timestamp> expected_at;
  std::optional<AnliegenId> possible_duplicate_of;
  std::optional<AnliegenId> merged_into;
  std::int64_t version = 1;  // bumped on every change; the API's ETag
  std::optional<Invitation> invitation;  // kind invitation only
};

struct Unit {
  std::string code;
  std::string name;
  std::string contact;
  int target_days = 5;  // working days within which an Anliegen should be closed
};

}  // namespace anliegen::domain

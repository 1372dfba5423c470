#pragma once
// The holdieob wire format ("invite the OB" platform), pure: the webhook signature, the events it
// sends and the decision callback we send back. See docs/channels/holdieob.md.
//
//   if (verify_signature(body, req.header(kSignatureHeader), secrets) != SignatureResult::ok) → 401
//   auto parsed = parse_event(body);   // an event, or an error text for the dead letter
//
// Signature: `X-Holdieob-Signature: sha256=<hex HMAC-SHA256 of the raw body>` keyed with
// HOLDIEOB_SECRET (or HOLDIEOB_SECRET_PREVIOUS during a rotation); hex in either case, exactly one
// `sha256=` prefix, compared in constant time.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "channels/crypto.hpp"
#include "domain/model.hpp"

namespace anliegen::channels::holdieob {

inline constexpr std::string_view kSignatureHeader = "X-Holdieob-Signature";

using channels::SignatureResult;
using channels::to_string;

SignatureResult verify_signature(std::string_view raw_body, std::string_view header_value,
                                 std::span<const std::string> secrets);
// "sha256=" + lowercase hex HMAC-SHA256(secret, body): what holdieob sends and what we send back.
std::string sign(std::string_view secret, std::string_view body);

struct Proposer {
  std::string name;
  std::string email;
};

// invitation.created
struct InvitationCreated {
  std::string id;
  domain::Timestamp created_at{};
  std::string title;
  std::string description;
  domain::Location location;
  Proposer proposer;
  std::vector<std::string> proposed_dates;  // YYYY-MM-DD, checked
};

// invitation.supported: the count holdieob knew at `at`.
struct InvitationSupported {
  std::string id;
  int supporters = 0;
  domain::Timestamp at{};
};

// invitation.withdrawn
struct InvitationWithdrawn {
  std::string id;
  domain::Timestamp at{};
};

// A well-formed event of a type we do not know (kept in the inbox, answered 200).
struct UnknownEvent {
  std::string type;
};

using Event = std::variant<InvitationCreated, InvitationSupported, InvitationWithdrawn, UnknownEvent>;

struct ParsedEvent {
  std::optional<Event> event;
  std::string error;  // set when the body is not a holdieob event: kept as a dead letter
};
ParsedEvent parse_event(std::string_view body);

// The invitation.decided callback body (JSON): id, decision, visit_at (null when declined), message,
// decided_at, both times ISO 8601 with the Europe/Berlin offset.
std::string render_decided(const std::string& external_id, const std::string& decision,
                           const std::optional<domain::Timestamp>& visit_at, const std::string& message,
                           domain::Timestamp decided_at);

}  // namespace anliegen::channels::holdieob

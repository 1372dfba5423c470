#pragma once
// Changing an Anliegen from the case API: locking its current state, writing the clerk-editable fields
// with an optimistic version check, recording a re-routing (forward), and internal notes. Every function
// runs inside the caller's transaction; audit events are written with record_event (cases.hpp).
//
//   auto cur = storage::lock_case(tx, id);                 // SELECT ... FOR UPDATE
//   CaseFields next = cur->fields; next.status = Status::in_progress;
//   if (!storage::update_case_fields(tx, id, cur->version, next)) { /* someone else was first */ }
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/model.hpp"
#include "storage/database.hpp"

namespace anliegen::storage {

// What PATCH /api/v1/cases/{id} may change.
struct CaseFields {
  domain::Status status = domain::Status::new_;
  std::string unit;
  std::string assignee;
  domain::Priority priority = domain::Priority::normal;
  std::vector<std::string> tags;
  friend bool operator==(const CaseFields&, const CaseFields&) = default;
};

struct LockedCase {
  CaseFields fields;
  std::int64_t version = 0;
  domain::Channel channel = domain::Channel::phone;
  domain::Kind kind = domain::Kind::message;
};

// The unit an Anliegen is with (for access checks in read-only transactions); std::nullopt if no such id.
std::optional<std::string> case_unit(Tx& tx, domain::AnliegenId id);

// The current state, with the row locked until the transaction ends; std::nullopt if there is no such id.
std::optional<LockedCase> lock_case(Tx& tx, domain::AnliegenId id);

// Writes `fields` if the row still has `expected_version`; bumps version and updated_at, sets closed_at
// when the status becomes closed or rejected and clears it (and anonymised_at: what is added now is new
// content for the retention) when the status is open again. Returns the
// new version, or std::nullopt when the version did not match (nothing written).
std::optional<std::int64_t> update_case_fields(Tx& tx, domain::AnliegenId id, std::int64_t expected_version,
                                               const CaseFields& fields);

// A routing decision made by a person (forwarding), kept next to the automatic ones.
void record_routing_decision(Tx& tx, domain::AnliegenId id, const domain::RoutingDecision& decision,
                             const std::string& actor);

// A later message of a thread that names what the first did not ("Hallo" first, then "Schlagloch in
// der Rheinallee"): the routing rules' decision for it, to be applied while nobody has handled the
// Anliegen.
struct LateRouting {
  domain::AnliegenId anliegen;
  std::string default_unit;  // the Anliegen is still there, by no rule
  domain::RoutingDecision decision;
  domain::Priority priority = domain::Priority::normal;
  std::vector<std::string> tags;
  domain::MessageId message;  // the message that decided it
};
// Moves the Anliegen to the decision's unit, with its priority and tags (added), a routing decision and
// an audit event `rerouted` — only if it is still `new`, unassigned, at `default_unit`, outside a
// Sprechstunde and was neither routed by a rule nor forwarded before. Returns whether it moved.
bool route_late(Tx& tx, const LateRouting& r);

// Adds an internal note (never sent to the citizen) to the thread and returns it as stored.
domain::Message add_note(Tx& tx, domain::AnliegenId id, const std::string& text, const std::string& author);

}  // namespace anliegen::storage

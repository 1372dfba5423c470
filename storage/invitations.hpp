#pragma once
// holdieob invitations (tables invitations, invitation_supporter_counts, invitation_early_events):
// the row behind an Anliegen of kind invitation, the history of supporter counts (the current count
// is the one with the latest "at"), the threshold crossing, withdrawal, the OB office's decision, the
// month's ranking and the accepted visits for the calendar. Every function runs in the caller's
// transaction.
#include <optional>
#include <string>
#include <vector>

#include "domain/model.hpp"
#include "storage/database.hpp"

namespace anliegen::storage {

// Serialises every event about one holdieob id until the transaction ends (an advisory lock), so that
// an early "supported" and the "created" it waits for never miss each other.
void lock_invitation_key(Tx& tx, const std::string& external_id);

struct NewInvitation {
  domain::AnliegenId anliegen;
  std::string external_id;
  std::string title;
  domain::Timestamp created_at{};
  std::vector<std::string> proposed_dates;  // YYYY-MM-DD
};
void insert_invitation(Tx& tx, const NewInvitation& invitation);

std::optional<domain::AnliegenId> find_invitation(Tx& tx, const std::string& external_id);
std::optional<domain::Invitation> get_invitation(Tx& tx, domain::AnliegenId id);

// Keeps the count in the history (a second count with the same "at" is ignored) and makes it the
// current one when its "at" is the latest. Returns the current count.
int record_supporters(Tx& tx, domain::AnliegenId id, domain::Timestamp at, int supporters);
// Sets threshold_reached_at once; true the first time.
bool mark_threshold_reached(Tx& tx, domain::AnliegenId id, domain::Timestamp at);
// Sets withdrawn_at once; true the first time.
bool mark_withdrawn(Tx& tx, domain::AnliegenId id, domain::Timestamp at);

// Events for an id not created yet.
struct EarlyEvent {
  std::string type;  // supported, withdrawn
  domain::Timestamp at{};
  int supporters = 0;
};
void keep_early_event(Tx& tx, const std::string& external_id, const EarlyEvent& event);
// Returns and deletes the kept events of `external_id`, oldest first.
std::vector<EarlyEvent> take_early_events(Tx& tx, const std::string& external_id);

struct Decision {
  std::string decision;  // accepted, declined
  domain::Timestamp decided_at{};
  std::optional<domain::Timestamp> visit_at;
  std::string message;
};
// Records the decision unless one exists; false when the invitation was decided before.
bool record_decision(Tx& tx, domain::AnliegenId id, const Decision& decision);

struct InvitationSummary {
  domain::AnliegenId anliegen;
  std::string reference;
  std::string external_id;
  std::string title;
  domain::Status status = domain::Status::new_;
  domain::Timestamp created_at{};
  int supporters = 0;
  bool threshold_reached = false;
  bool withdrawn = false;
  std::string decision;
};
// Invitations created in [from, to), by supporters (most first), then created_at, then id.
std::vector<InvitationSummary> list_invitations(Tx& tx, domain::Timestamp from, domain::Timestamp to);

struct AcceptedVisit {
  domain::AnliegenId anliegen;
  std::string title;
  std::string address;
  domain::Timestamp visit_at{};
  domain::Timestamp decided_at{};
};
// Accepted invitations with a visit time, not withdrawn, by visit time.
std::vector<AcceptedVisit> accepted_visits(Tx& tx);

}  // namespace anliegen::storage

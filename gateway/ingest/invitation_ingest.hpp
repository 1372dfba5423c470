#pragma once
// Applies one verified holdieob event inside its webhook transaction:
//   invitation.created   → citizen (the proposer, channel holdieob) + Anliegen of kind invitation,
//                          routed by the rules, title + description as the first message, the
//                          invitations row; events that arrived before it are applied now.
//   invitation.supported → the count joins the history; the current count is the one with the latest
//                          "at"; the first count at or above the threshold sets threshold_reached_at.
//   invitation.withdrawn → marked withdrawn, the Anliegen closed (if still open), audit event.
// Events for an id not created yet are kept (invitation_early_events) and applied on creation.
// Runs on a database thread; never logs the proposer's name or e-mail.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "channels/holdieob/events.hpp"
#include "domain/model.hpp"
#include "domain/routing.hpp"
#include "domain/time.hpp"
#include "storage/database.hpp"

namespace anliegen::gateway {

struct InvitationEnvironment {
  const domain::Clock* clock = nullptr;
  std::function<std::shared_ptr<const domain::RuleSet>(storage::Tx&)> rules;
  int support_threshold = 50;
};

struct InvitationOutcome {
  std::optional<std::int64_t> anliegen;  // the Anliegen the event concerned
  bool duplicate = false;                // seen before: nothing changed
  bool early = false;                    // kept until invitation.created arrives
  bool threshold_reached = false;        // this event crossed the threshold
};

// Closes the Anliegen when the status machine allows it (an open one); true when it was closed now.
bool close_if_open(storage::Tx& tx, domain::AnliegenId id);

InvitationOutcome apply_invitation_event(storage::Tx& tx, const channels::holdieob::Event& event,
                                         const InvitationEnvironment& env);

}  // namespace anliegen::gateway

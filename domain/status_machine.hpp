#pragma once
// The Anliegen status machine:
//
//   new ──► in_progress ──► answered ──► closed
//    │           │              │
//    └───────────┴──────────────┴──► rejected        (answered/closed ──► in_progress when the citizen writes again)
//
// Clerks move an Anliegen with `check_transition`; an invalid move comes back with a reason to show.
#include <optional>
#include <string>

#include "domain/enums.hpp"

namespace anliegen::domain {

struct TransitionRefusal {
  std::string reason;
};

// std::nullopt when `from → to` is allowed for a clerk, else why not.
std::optional<TransitionRefusal> check_transition(Status from, Status to);

// The status after the citizen wrote again: answered/closed reopen to in_progress, others stay.
Status after_citizen_message(Status current);

// The status after the first (or any) outbound reply: new/in_progress become answered.
Status after_reply(Status current);

bool is_open(Status s);

}  // namespace anliegen::domain

#include "domain/status_machine.hpp"

namespace anliegen::domain {

std::optional<TransitionRefusal> check_transition(Status from, Status to) {
  auto refuse = [&](std::string why) {
    return TransitionRefusal{"cannot change status from '" + std::string(to_string(from)) + "' to '" +
                             std::string(to_string(to)) + "': " + why};
  };
  if (from == to) return refuse("it already has this status");
  if (to == Status::new_) return refuse("an Anliegen never returns to 'new'");
  switch (from) {
    case Status::new_:
      return std::nullopt;  // in_progress, answered, closed, rejected
    case Status::in_progress:
      return std::nullopt;  // answered, closed, rejected
    case Status::answered:
      if (to == Status::closed || to == Status::in_progress || to == Status::rejected) return std::nullopt;
      break;
    case Status::closed:
      if (to == Status::in_progress) return std::nullopt;
      return refuse("a closed Anliegen can only be reopened to 'in_progress'");
    case Status::rejected:
      if (to == Status::in_progress) return std::nullopt;
      return refuse("a rejected Anliegen can only be reopened to 'in_progress'");
  }
  return refuse("not allowed");
}

Status after_citizen_message(Status current) {
  if (current == Status::answered || current == Status::closed) return Status::in_progress;
  return current;
}

Status after_reply(Status current) {
  if (current == Status::new_ || current == Status::in_progress) return Status::answered;
  return current;
}

bool is_open(Status s) { return s == Status::new_ || s == Status::in_progress || s == Status::answered; }

}  // namespace anliegen::domain

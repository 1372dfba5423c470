#include <doctest/doctest.h>

#include "domain/status_machine.hpp"

using namespace anliegen::domain;

TEST_CASE("the forward path is allowed") {
  CHECK_FALSE(check_transition(Status::new_, Status::in_progress));
  CHECK_FALSE(check_transition(Status::in_progress, Status::answered));
  CHECK_FALSE(check_transition(Status::answered, Status::closed));
  CHECK_FALSE(check_transition(Status::new_, Status::closed));
}

TEST_CASE("rejected is reachable from every open status") {
  CHECK_FALSE(check_transition(Status::new_, Status::rejected));
  CHECK_FALSE(check_transition(Status::in_progress, Status::rejected));
  CHECK_FALSE(check_transition(Status::answered, Status::rejected));
}

TEST_CASE("invalid transitions come with a reason") {
  auto r = check_transition(Status::closed, Status::answered);
  REQUIRE(r);
  CHECK(r->reason.find("closed") != std::string::npos);
  CHECK(check_transition(Status::in_progress, Status::new_));
  CHECK(check_transition(Status::closed, Status::closed));
  CHECK(check_transition(Status::rejected, Status::closed));
  CHECK_FALSE(check_transition(Status::closed, Status::in_progress));
  CHECK_FALSE(check_transition(Status::rejected, Status::in_progress));
}

TEST_CASE("a citizen writing again reopens answered and closed") {
  CHECK(after_citizen_message(Status::answered) == Status::in_progress);
  CHECK(after_citizen_message(Status::closed) == Status::in_progress);
  CHECK(after_citizen_message(Status::new_) == Status::new_);
  CHECK(after_citizen_message(Status::in_progress) == Status::in_progress);
  CHECK(after_citizen_message(Status::rejected) == Status::rejected);
}

TEST_CASE("a reply answers open Anliegen") {
  CHECK(after_reply(Status::new_) == Status::answered);
  CHECK(after_reply(Status::in_progress) == Status::answered);
  CHECK(after_reply(Status::closed) == Status::closed);
  CHECK(is_open(Status::answered));
  CHECK_FALSE(is_open(Status::closed));
}

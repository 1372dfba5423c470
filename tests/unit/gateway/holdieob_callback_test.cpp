// How holdieob's answer to the decision callback is treated: 2xx sent, anything else retried — and
// never given up, unlike a platform message.
#include <doctest/doctest.h>

#include "gateway/workers/holdieob_sender.hpp"

using anliegen::gateway::classify_callback_status;
using Kind = anliegen::channels::SendOutcome::Kind;

TEST_CASE("holdieob callback statuses") {
  CHECK(classify_callback_status(200, "").kind == Kind::accepted);
  CHECK(classify_callback_status(204, "").kind == Kind::accepted);
  CHECK(classify_callback_status(500, "oops").kind == Kind::retry);
  CHECK(classify_callback_status(503, "").kind == Kind::retry);
  CHECK(classify_callback_status(408, "").kind == Kind::retry);
  CHECK(classify_callback_status(429, "").kind == Kind::retry);
  const auto refused = classify_callback_status(401, "unknown signature");  // holdieob rotating its secret
  CHECK(refused.kind == Kind::retry);
  CHECK(refused.error_code == "401");
  CHECK(classify_callback_status(404, "").kind == Kind::retry);
  CHECK(classify_callback_status(410, "").kind == Kind::retry);
  CHECK(classify_callback_status(301, "").kind == Kind::retry);
}

TEST_CASE("a retry gives up after the attempt limit, unless the sender retries until accepted") {
  using anliegen::gateway::settled_kind;
  CHECK(settled_kind(Kind::retry, 3, 20, false) == Kind::retry);
  CHECK(settled_kind(Kind::retry, 20, 20, false) == Kind::permanent_failure);
  CHECK(settled_kind(Kind::retry, 20, 20, true) == Kind::retry);
  CHECK(settled_kind(Kind::retry, 500, 20, true) == Kind::retry);
  CHECK(settled_kind(Kind::accepted, 20, 20, false) == Kind::accepted);
  CHECK(settled_kind(Kind::permanent_failure, 1, 20, true) == Kind::permanent_failure);
}

// How holdieob's answer to the decision callback is treated: 2xx sent, 408/429/5xx retried, other
// 4xx failed for good.
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
  const auto gone = classify_callback_status(410, "unknown invitation");
  CHECK(gone.kind == Kind::permanent_failure);
  CHECK(gone.error_code == "410");
  CHECK(classify_callback_status(400, "").kind == Kind::permanent_failure);
  CHECK(classify_callback_status(301, "").kind == Kind::permanent_failure);
}

#pragma once
// POST /webhooks/holdieob: verify X-Holdieob-Signature over the raw bytes (401, nothing stored) →
// parse → one transaction: inbox row (the exact body, so a retried delivery is recognised) + the
// event applied (gateway/ingest/invitation_ingest) → COMMIT → 200. Signed bodies that are not a
// holdieob event, and events of unknown types, are kept as dead letters and answered 200.
#include "gateway/app.hpp"

namespace anliegen::gateway {

void register_holdieob_webhook(App& app);

}  // namespace anliegen::gateway

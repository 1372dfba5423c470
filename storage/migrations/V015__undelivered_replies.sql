-- Version 15: the case list finds Anliegen with a reply that was not delivered (failed) or waits behind
-- a WhatsApp template (held) — `GET /api/v1/cases?delivery=failed,held` — without reading every message.
-- Few messages are in these states, so the index stays small.
CREATE INDEX messages_undelivered ON messages (anliegen_id) WHERE delivery_status IN ('failed', 'held');

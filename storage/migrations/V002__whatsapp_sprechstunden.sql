-- Version 2: what the chat channels need — Sprechstunden, threads with their last activity, media
-- downloads, per-event idempotency keys, delivery receipts that arrive before we know the message, and
-- the per-citizen memory of auto-replies and the 24-hour window.

CREATE TABLE sprechstunden (
  id            bigserial PRIMARY KEY,
  channel       text NOT NULL,
  starts_at     timestamptz NOT NULL,
  ends_at       timestamptz NOT NULL,
  host_unit     text NOT NULL REFERENCES units(code),
  title         text NOT NULL,
  created_at    timestamptz NOT NULL DEFAULT now(),
  created_by    text NOT NULL DEFAULT '',
  cancelled_at  timestamptz,
  CHECK (ends_at > starts_at)
);
CREATE INDEX sprechstunden_channel_time ON sprechstunden (channel, starts_at) WHERE cancelled_at IS NULL;

ALTER TABLE anliegen ADD COLUMN sprechstunde_id bigint REFERENCES sprechstunden(id);
ALTER TABLE anliegen ADD COLUMN last_message_at timestamptz;
UPDATE anliegen SET last_message_at = received_at WHERE last_message_at IS NULL;
CREATE INDEX anliegen_sprechstunde ON anliegen (sprechstunde_id) WHERE sprechstunde_id IS NOT NULL;

ALTER TABLE citizens ADD COLUMN last_inbound_at timestamptz;       -- the citizen's own message time
ALTER TABLE citizens ADD COLUMN last_auto_reply_at timestamptz;
ALTER TABLE citizens ADD COLUMN netiquette_notified_at timestamptz;

ALTER TABLE messages ADD COLUMN account_id text NOT NULL DEFAULT '';   -- our side: phone_number_id, page id
ALTER TABLE messages ADD COLUMN type text NOT NULL DEFAULT '';         -- the platform's message type
ALTER TABLE messages ADD COLUMN reply_to text NOT NULL DEFAULT '';     -- platform id this message answers
ALTER TABLE messages ADD COLUMN lat double precision;
ALTER TABLE messages ADD COLUMN lon double precision;
ALTER TABLE messages ADD COLUMN delivery_updated_at timestamptz;

-- Media to download: the platform reference and our progress.
ALTER TABLE attachments ADD COLUMN media_id text NOT NULL DEFAULT '';
ALTER TABLE attachments ADD COLUMN source_url text NOT NULL DEFAULT '';
ALTER TABLE attachments ADD COLUMN expected_sha256 text NOT NULL DEFAULT '';  -- base64, as the platform states it
ALTER TABLE attachments ADD COLUMN attempts integer NOT NULL DEFAULT 0;
ALTER TABLE attachments ADD COLUMN next_attempt_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE attachments ADD COLUMN channel text NOT NULL DEFAULT '';
ALTER TABLE attachments ADD COLUMN public boolean NOT NULL DEFAULT false;
CREATE INDEX attachments_pending ON attachments (next_attempt_at) WHERE state = 'pending';

-- One row per platform event we have acted on (message id, status id+status, call id+event): claiming
-- the key inside the ingest transaction makes retried and concurrent deliveries harmless.
CREATE TABLE event_keys (
  channel     text NOT NULL,
  key         text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, key)
);

-- Delivery receipts for outbound messages we cannot match yet (the send response is not stored yet).
CREATE TABLE pending_receipts (
  channel      text NOT NULL,
  external_id  text NOT NULL,
  status       text NOT NULL,
  at           timestamptz NOT NULL,
  error        text NOT NULL DEFAULT '',
  created_at   timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, external_id, status)
);

ALTER TABLE outbox ADD COLUMN anliegen_id bigint REFERENCES anliegen(id) ON DELETE CASCADE;
ALTER TABLE outbox ADD COLUMN citizen_id bigint REFERENCES citizens(id) ON DELETE CASCADE;
ALTER TABLE outbox ADD COLUMN locked_by text NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN locked_at timestamptz;
CREATE INDEX outbox_held ON outbox (citizen_id) WHERE state = 'held';

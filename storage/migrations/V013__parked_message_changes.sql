-- Version 13: an edit or withdrawal that arrives before the message it changes (the platform delivered
-- the original later, e.g. as a retry after an outage) is parked here and applied once the message is
-- stored (gateway housekeeping, every 30 seconds). Parked changes of messages that never come are
-- purged after 7 days. The text of an edit is citizen data: erasure deletes the citizen's rows.
CREATE TABLE parked_message_changes (
  channel      text NOT NULL,
  external_id  text NOT NULL,                   -- the platform id of the message to change
  change       text NOT NULL CHECK (change IN ('edited', 'withdrawn')),
  text         text NOT NULL DEFAULT '',        -- the new text of an edit; empty for a withdrawal
  at           timestamptz NOT NULL,            -- when the citizen changed it (the platform's time)
  sender_key   text NOT NULL DEFAULT '',        -- the citizen's key on the channel, if the platform named it
  parked_at    timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, external_id, change)
);
CREATE INDEX parked_message_changes_sender ON parked_message_changes (channel, sender_key);

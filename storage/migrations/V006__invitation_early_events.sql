-- Version 6: holdieob events that arrive before the invitation they concern (deliveries overtake each
-- other): kept here until invitation.created arrives, then applied and deleted.
CREATE TABLE invitation_early_events (
  external_id  text NOT NULL,
  type         text NOT NULL CHECK (type IN ('supported','withdrawn')),
  at           timestamptz NOT NULL,
  supporters   integer CHECK (supporters >= 0),
  received_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (external_id, type, at)
);

-- Version 4: what defect reports (Open311), invitations (holdieob) and the weekly report share —
-- publication of an Anliegen, duplicate links and merges, an expected completion time, invitations
-- with the history of their supporter counts, and the stored weekly reports.

-- Publication: an Anliegen is visible to the public (Open311 GET) only once released.
ALTER TABLE anliegen ADD COLUMN public boolean NOT NULL DEFAULT false;
ALTER TABLE anliegen ADD COLUMN released_at timestamptz;
-- A report that may repeat another (same category, within the duplicate radius); set by ingest.
ALTER TABLE anliegen ADD COLUMN possible_duplicate_of bigint REFERENCES anliegen(id) ON DELETE SET NULL;
-- A clerk confirmed the duplicate: this Anliegen was closed and joined the other one.
ALTER TABLE anliegen ADD COLUMN merged_into bigint REFERENCES anliegen(id) ON DELETE SET NULL;
-- When the responsible unit expects to be done (Open311 expected_datetime).
ALTER TABLE anliegen ADD COLUMN expected_at timestamptz;
CREATE INDEX anliegen_public_received ON anliegen (received_at DESC, id DESC) WHERE public;
CREATE INDEX anliegen_merged_into ON anliegen (merged_into) WHERE merged_into IS NOT NULL;

-- One row per holdieob invitation (the Anliegen of kind 'invitation' it became).
CREATE TABLE invitations (
  anliegen_id           bigint PRIMARY KEY REFERENCES anliegen(id) ON DELETE CASCADE,
  external_id           text NOT NULL UNIQUE,          -- holdieob's id, e.g. "inv-123"
  title                 text NOT NULL DEFAULT '',
  created_at            timestamptz NOT NULL,          -- holdieob's created_at
  proposed_dates        date[] NOT NULL DEFAULT '{}',
  supporters            integer NOT NULL DEFAULT 0 CHECK (supporters >= 0),
  supporters_updated_at timestamptz,
  threshold_reached_at  timestamptz,                   -- first time supporters >= the configured threshold
  withdrawn_at          timestamptz,
  decision              text CHECK (decision IN ('accepted','declined')),
  decided_at            timestamptz,
  visit_at              timestamptz,                   -- for accepted invitations
  decision_message      text NOT NULL DEFAULT ''
);
CREATE INDEX invitations_created ON invitations (created_at);

-- Every supporter count holdieob reported, with the time it states ("at").
CREATE TABLE invitation_supporter_counts (
  anliegen_id  bigint NOT NULL REFERENCES invitations(anliegen_id) ON DELETE CASCADE,
  observed_at  timestamptz NOT NULL,
  supporters   integer NOT NULL CHECK (supporters >= 0),
  PRIMARY KEY (anliegen_id, observed_at)
);

-- Weekly reports as generated (and sent): later corrections of the data never change a stored report.
CREATE TABLE weekly_reports (
  week          text PRIMARY KEY CHECK (week ~ '^[0-9]{4}-W[0-9]{2}$'),   -- ISO week, e.g. 2026-W48
  generated_at  timestamptz NOT NULL DEFAULT now(),
  report        jsonb NOT NULL,
  html          text NOT NULL,
  notified_at   timestamptz
);

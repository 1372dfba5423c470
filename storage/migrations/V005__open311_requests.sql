-- Version 5: Mängelmelder requests received over Open311 GeoReport v2. The Anliegen holds the report
-- (kind defect_report, channel maengelmelder, category = service code, location, description as the
-- first message, the reporter in citizens); this table holds what only Open311 has.
CREATE TABLE open311_requests (
  anliegen_id   bigint PRIMARY KEY REFERENCES anliegen(id) ON DELETE CASCADE,
  token         text NOT NULL UNIQUE,                -- GET tokens/{token} resolves it to the reference
  service_code  text NOT NULL,
  address_id    text NOT NULL DEFAULT '',
  attributes    jsonb NOT NULL DEFAULT '{}',         -- {"code": ["value", ...]} as validated
  device_id     text NOT NULL DEFAULT '',            -- personal data: never public, never logged
  account_id    text NOT NULL DEFAULT '',            -- personal data: never public, never logged
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- Duplicate detection looks for open reports of the same category around a point.
CREATE INDEX anliegen_open_located ON anliegen (category, lat, lon)
  WHERE lat IS NOT NULL AND lon IS NOT NULL AND merged_into IS NULL AND status IN ('new', 'in_progress', 'answered');

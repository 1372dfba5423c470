-- Version 12: automatic retention. A closed Anliegen older than its channel's retention period
-- (ANLIEGEN_RETENTION_DAYS, ANLIEGEN_RETENTION_DAYS_<CHANNEL>) loses its content the way an erasure
-- (anliegen citizen erase) takes it: texts, attachments, address and coordinates, invitation title,
-- Open311 device ids, outgoing payloads. Status, unit, channel, category and times stay for the
-- statistics. anonymised_at records when, by retention or erasure, and keeps the hourly run from
-- looking at the same rows again: the partial index holds only closed Anliegen still to be done.
ALTER TABLE anliegen ADD COLUMN anonymised_at timestamptz;

CREATE INDEX anliegen_to_anonymise ON anliegen (closed_at)
  WHERE anonymised_at IS NULL AND closed_at IS NOT NULL;

-- Anliegen of citizens erased before this version were anonymised then.
UPDATE anliegen a SET anonymised_at = c.erased_at
FROM citizens c WHERE c.id = a.citizen_id AND c.erased_at IS NOT NULL;

-- Version 7: indexes behind the weekly report (storage/reports.cpp). Each section reads one range of
-- one of these instead of the whole table — first answers and closures of a week, and what is open —
-- and they carry the columns the report groups by, so the ranges are read from the index alone.
CREATE INDEX anliegen_first_response ON anliegen (first_response_at) INCLUDE (received_at, channel, unit_code)
  WHERE first_response_at IS NOT NULL;
CREATE INDEX anliegen_closed ON anliegen (closed_at) INCLUDE (received_at, channel, unit_code)
  WHERE closed_at IS NOT NULL;
CREATE INDEX anliegen_open_received ON anliegen (received_at) INCLUDE (channel, unit_code) WHERE closed_at IS NULL;
CREATE INDEX invitations_threshold ON invitations (threshold_reached_at) WHERE threshold_reached_at IS NOT NULL;
CREATE INDEX invitations_decided ON invitations (decided_at) WHERE decided_at IS NOT NULL;

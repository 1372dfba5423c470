-- Version 12: one citizen's outgoing messages are sent one at a time, also across gateway instances.
-- Within an instance a citizen's rows belong to one dispatcher worker; a second instance's worker could
-- still take the citizen's next row while the first row is being sent. The claim now skips citizens
-- that have a row in 'sending' (an interrupted one holds them until the stale sweep marks it failed).
CREATE INDEX outbox_sending_citizen ON outbox (citizen_id) WHERE state = 'sending';

CREATE OR REPLACE FUNCTION outbox_due_ids(n integer, partitions integer, part integer) RETURNS SETOF bigint
LANGUAGE plpgsql VOLATILE
SET enable_sort = off SET enable_bitmapscan = off SET enable_seqscan = off
AS $$
BEGIN
  RETURN QUERY
    SELECT o.id FROM outbox o
    WHERE o.state = 'pending' AND o.next_attempt_at <= now()
      AND mod(coalesce(o.citizen_id, o.anliegen_id, o.id), partitions) = part
      AND NOT EXISTS (SELECT 1 FROM outbox s WHERE s.state = 'sending' AND s.citizen_id = o.citizen_id)
    ORDER BY o.next_attempt_at, o.id
    LIMIT n
    FOR UPDATE OF o SKIP LOCKED;
END
$$;

-- Version 11: claiming due outbox rows must cost the same however long the queue is.
--
-- The claim takes the first due rows in (next_attempt_at, id) order for one dispatcher partition. With
-- an index on next_attempt_at alone, and with the partition filter (mod(...) = k) estimated at 0.5% of
-- the rows, PostgreSQL fetched every due row and sorted them on each claim: with a backlog of 20 000
-- rows (a platform outage, a burst of automatic answers) one claim took 80 ms and the queue drained
-- ever more slowly. The index below lets the claim walk the due rows in order and stop after `n`; the
-- function pins that plan (its SET clauses apply to its own statement only; PL/pgSQL keeps the plan per
-- connection), so that stale statistics of a fast-growing table cannot bring the sort back.
--
-- One citizen's outgoing messages are sent one at a time, also across gateway instances: within an
-- instance a citizen's rows belong to one dispatcher worker, but a second instance could take the
-- citizen's next row while the first is being sent. The claim skips citizens with a row in 'sending'
-- (an interrupted one holds them until the stale sweep marks it failed).
CREATE INDEX outbox_due_order ON outbox (next_attempt_at, id) WHERE state = 'pending';
DROP INDEX outbox_due;
CREATE INDEX outbox_sending_citizen ON outbox (citizen_id) WHERE state = 'sending';

CREATE FUNCTION outbox_due_ids(n integer, partitions integer, part integer) RETURNS SETOF bigint
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

-- Version 11: claiming due outbox rows must cost the same however long the queue is.
--
-- The claim takes the first due rows in (next_attempt_at, id) order for one dispatcher partition. With
-- an index on next_attempt_at alone, and with the partition filter (mod(...) = k) estimated at 0.5% of
-- the rows, PostgreSQL fetched every due row and sorted them on each claim: with a backlog of 20 000
-- rows (a platform outage, a burst of automatic answers) one claim took 80 ms and the queue drained
-- ever more slowly. The index below lets the claim walk the due rows in order and stop after `n`; the
-- function pins that plan (its SET clauses apply to its own statement only; PL/pgSQL keeps the plan per
-- connection), so that stale statistics of a fast-growing table cannot bring the sort back.
CREATE INDEX outbox_due_order ON outbox (next_attempt_at, id) WHERE state = 'pending';
DROP INDEX outbox_due;

CREATE FUNCTION outbox_due_ids(n integer, partitions integer, part integer) RETURNS SETOF bigint
LANGUAGE plpgsql VOLATILE
SET enable_sort = off SET enable_bitmapscan = off SET enable_seqscan = off
AS $$
BEGIN
  RETURN QUERY
    SELECT o.id FROM outbox o
    WHERE o.state = 'pending' AND o.next_attempt_at <= now()
      AND mod(coalesce(o.citizen_id, o.anliegen_id, o.id), partitions) = part
    ORDER BY o.next_attempt_at, o.id
    LIMIT n
    FOR UPDATE OF o SKIP LOCKED;
END
$$;

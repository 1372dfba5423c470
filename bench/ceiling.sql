-- pgbench script of `deploy/dev bench`: the machine's one-row-per-transaction ceiling. One row
-- comparable to a stored WhatsApp message (a platform id and a short German text), inserted with
-- ON CONFLICT DO NOTHING in its own transaction, committed with synchronous_commit=on.
\set n random(1, 2000000000)
INSERT INTO bench_ceiling (external_id, text, sent_at)
VALUES ('wamid.ceiling.' || :client_id || '.' || :n,
        'Die Straßenlaterne vor Hausnummer 12 ist seit Tagen dunkel.', now())
ON CONFLICT (external_id) DO NOTHING;

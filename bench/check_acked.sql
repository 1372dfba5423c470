-- After the ingest run: every message id that got a 200 (loaded into bench_acked) must be stored
-- exactly once. Prints "lost duplicated stored".
SELECT (SELECT count(*) FROM bench_acked a
         WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.channel = 'whatsapp' AND m.direction = 'inbound'
                                                      AND m.external_id = a.id)) AS lost,
       (SELECT count(*) FROM (SELECT external_id FROM messages
                               WHERE channel = 'whatsapp' AND direction = 'inbound'
                                 AND external_id LIKE 'wamid.bench.%'
                               GROUP BY external_id HAVING count(*) > 1) d) AS duplicated,
       (SELECT count(*) FROM messages WHERE channel = 'whatsapp' AND direction = 'inbound'
                                        AND external_id LIKE 'wamid.bench.%') AS stored;

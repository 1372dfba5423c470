-- Version 10: Facebook feed comments are stored under their bare comment_id, the id that the `edited`
-- and `remove` events name (docs/channels/facebook.md). Until now the first delivery's dedupe key
-- "<comment_id>:add" was stored, so edits and removals never found the comment. A comment whose bare id
-- is somehow taken already keeps its old id.
UPDATE messages m
SET external_id = left(m.external_id, -4)
WHERE m.channel = 'facebook' AND m.direction = 'inbound' AND m.external_id LIKE '%:add'
  AND NOT EXISTS (SELECT 1 FROM messages o
                  WHERE o.channel = 'facebook' AND o.direction = 'inbound'
                    AND o.external_id = left(m.external_id, -4));

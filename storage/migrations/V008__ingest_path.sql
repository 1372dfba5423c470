-- Version 8: a leaner ingest path (docs/performance.md).

-- Every incoming chat message looks for the citizen's open thread on its channel. A small partial index
-- answers that directly instead of intersecting the citizen and channel indexes.
CREATE INDEX anliegen_open_thread ON anliegen (citizen_id, channel, kind, last_message_at DESC, id DESC)
  WHERE status NOT IN ('closed', 'rejected');

-- Automatic answers are the same few texts for everybody: they made every Anliegen match words like
-- "Sprechstunde" and cost an extra update of the Anliegen per delivery. They are no longer searchable.
CREATE OR REPLACE FUNCTION anliegen_search_refresh(target bigint) RETURNS void LANGUAGE sql AS $$
  UPDATE anliegen SET search = coalesce(
    (SELECT to_tsvector('german', string_agg(m.text, E'\n' ORDER BY m.id)) FROM messages m
     WHERE m.anliegen_id = target AND NOT ('auto_reply' = ANY (m.flags))), ''::tsvector)
  WHERE id = target;
$$;

-- A new Anliegen is written with the search vector of its first message (storage/cases.cpp), which
-- names that message in the transaction-local setting anliegen.indexed_message; the trigger then skips
-- exactly that message. Every other message (appended later, even in the same transaction) still
-- updates its Anliegen.
DROP TRIGGER messages_search_insert ON messages;
CREATE TRIGGER messages_search_insert AFTER INSERT ON messages
  FOR EACH ROW WHEN (NEW.text <> '' AND NOT ('auto_reply' = ANY (NEW.flags))
                     AND current_setting('anliegen.indexed_message', true) IS DISTINCT FROM NEW.id::text)
  EXECUTE FUNCTION messages_search_trigger();

UPDATE anliegen a SET search = coalesce(
  (SELECT to_tsvector('german', string_agg(m.text, E'\n' ORDER BY m.id)) FROM messages m
   WHERE m.anliegen_id = a.id AND NOT ('auto_reply' = ANY (m.flags))), ''::tsvector)
WHERE EXISTS (SELECT 1 FROM messages m WHERE m.anliegen_id = a.id AND 'auto_reply' = ANY (m.flags));

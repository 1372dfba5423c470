-- The case API: routing rules kept in the database (every instance reads the same set), German
-- full-text search over each Anliegen's thread, and the indexes behind GET /api/v1/cases.

-- Every saved rule set is kept; the row with the highest version is in force. An empty table means the
-- configuration file's rules apply (`serve` seeds the table from them on start).
CREATE TABLE routing_rules (
  version     bigint PRIMARY KEY CHECK (version > 0),
  rules       text NOT NULL,          -- the rule set as JSON (config/rules_json.hpp), normalised
  actor       text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- The words of the whole thread (all messages, internal notes included), maintained by a trigger.
ALTER TABLE anliegen ADD COLUMN search tsvector NOT NULL DEFAULT ''::tsvector;

CREATE FUNCTION anliegen_search_refresh(target bigint) RETURNS void LANGUAGE sql AS $$
  UPDATE anliegen SET search = coalesce(
    (SELECT to_tsvector('german', string_agg(m.text, E'\n' ORDER BY m.id)) FROM messages m
     WHERE m.anliegen_id = target), ''::tsvector)
  WHERE id = target;
$$;

CREATE FUNCTION messages_search_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- Appending is enough (and cheap) for a new message.
    UPDATE anliegen SET search = search || to_tsvector('german', NEW.text) WHERE id = NEW.anliegen_id;
  ELSIF TG_OP = 'UPDATE' THEN
    -- Edited or erased text (DSGVO): rebuild, so that removed words are really gone.
    PERFORM anliegen_search_refresh(NEW.anliegen_id);
    IF OLD.anliegen_id <> NEW.anliegen_id THEN PERFORM anliegen_search_refresh(OLD.anliegen_id); END IF;
  ELSE
    PERFORM anliegen_search_refresh(OLD.anliegen_id);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER messages_search_insert AFTER INSERT ON messages
  FOR EACH ROW WHEN (NEW.text <> '') EXECUTE FUNCTION messages_search_trigger();
CREATE TRIGGER messages_search_update AFTER UPDATE OF text, anliegen_id ON messages
  FOR EACH ROW WHEN (OLD.text IS DISTINCT FROM NEW.text OR OLD.anliegen_id <> NEW.anliegen_id)
  EXECUTE FUNCTION messages_search_trigger();
CREATE TRIGGER messages_search_delete AFTER DELETE ON messages
  FOR EACH ROW EXECUTE FUNCTION messages_search_trigger();

-- Existing threads.
UPDATE anliegen a SET search = s.v
FROM (SELECT anliegen_id, to_tsvector('german', string_agg(text, E'\n' ORDER BY id)) AS v
      FROM messages GROUP BY anliegen_id) s
WHERE s.anliegen_id = a.id;

CREATE INDEX anliegen_search ON anliegen USING gin (search);
CREATE INDEX anliegen_tags ON anliegen USING gin (tags);
-- Keyset order (received_at DESC, id DESC) under the common equality filters. The clerk's default
-- list is unit_code = X; status and unit+status use anliegen_unit_status_received from V001.
CREATE INDEX anliegen_unit_received ON anliegen (unit_code, received_at DESC, id DESC);
CREATE INDEX anliegen_status_received ON anliegen (status, received_at DESC, id DESC);
CREATE INDEX anliegen_channel_received ON anliegen (channel, received_at DESC, id DESC);
CREATE INDEX anliegen_category_received ON anliegen (category, received_at DESC, id DESC) WHERE category <> '';

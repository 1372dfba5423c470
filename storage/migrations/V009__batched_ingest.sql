-- Version 9: webhook deliveries of a group commit are stored with one statement per table
-- (docs/performance.md). A statement that creates many Anliegen writes their search vectors itself and
-- names all of their first messages, comma-separated, in the transaction-local setting
-- anliegen.indexed_message; the trigger skips exactly those messages.
DROP TRIGGER messages_search_insert ON messages;
CREATE TRIGGER messages_search_insert AFTER INSERT ON messages
  FOR EACH ROW WHEN (NEW.text <> '' AND NOT ('auto_reply' = ANY (NEW.flags))
                     AND NOT coalesce(NEW.id::text = ANY (string_to_array(
                           current_setting('anliegen.indexed_message', true), ',')), false))
  EXECUTE FUNCTION messages_search_trigger();

-- Version 14: the platform id a sent WhatsApp template got back (replies have theirs on their message).
-- Meta may take a template and report it failed later in a status webhook (e.g. 131049, 131026); the
-- replies held behind it must then fail with the reason instead of waiting for an answer that cannot
-- come, and its other receipts are not parked as unknown.
ALTER TABLE outbox ADD COLUMN platform_message_id text;
CREATE INDEX outbox_template_platform_id ON outbox (channel, platform_message_id)
  WHERE kind = 'template' AND platform_message_id IS NOT NULL;

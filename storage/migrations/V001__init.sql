-- Anliegen schema, version 1: units, citizens, Anliegen with their thread, attachments, routing
-- decisions, audit events, the inbox of raw webhook deliveries, the outbox and API tokens.

CREATE TABLE units (
  code         text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_-]{0,62}$'),
  name         text NOT NULL,
  contact      text NOT NULL DEFAULT '',
  target_days  integer NOT NULL DEFAULT 5 CHECK (target_days > 0),
  active       boolean NOT NULL DEFAULT true,
  updated_at   timestamptz NOT NULL DEFAULT now()
);

-- One record per channel identity. Personal data lives here and in message texts/attachments only.
CREATE TABLE citizens (
  id            bigserial PRIMARY KEY,
  channel       text NOT NULL,
  external_id   text NOT NULL,
  display_name  text NOT NULL DEFAULT '',
  phone         text NOT NULL DEFAULT '',
  email         text NOT NULL DEFAULT '',
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  erased_at     timestamptz,
  UNIQUE (channel, external_id)
);

CREATE TABLE anliegen (
  id                 bigserial PRIMARY KEY,
  reference          text NOT NULL UNIQUE,
  kind               text NOT NULL CHECK (kind IN ('message','defect_report','invitation','comment')),
  channel            text NOT NULL CHECK (channel IN ('whatsapp','facebook','instagram','x','maengelmelder',
                                                      'holdieob','phone','letter','email','in_person')),
  status             text NOT NULL DEFAULT 'new'
                     CHECK (status IN ('new','in_progress','answered','closed','rejected')),
  unit_code          text NOT NULL REFERENCES units(code),
  assignee           text NOT NULL DEFAULT '',
  priority           text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low','normal','high','urgent')),
  tags               text[] NOT NULL DEFAULT '{}',
  category           text NOT NULL DEFAULT '',
  lat                double precision,
  lon                double precision,
  address            text NOT NULL DEFAULT '',
  citizen_id         bigint REFERENCES citizens(id),
  received_at        timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL DEFAULT now(),
  first_response_at  timestamptz,
  closed_at          timestamptz,
  last_inbound_at    timestamptz,
  version            bigint NOT NULL DEFAULT 1
);
CREATE INDEX anliegen_unit_status_received ON anliegen (unit_code, status, received_at DESC, id DESC);
CREATE INDEX anliegen_received ON anliegen (received_at DESC, id DESC);
CREATE INDEX anliegen_citizen ON anliegen (citizen_id, received_at DESC);

-- Every routing decision, the first and each re-routing, with the rule and a readable reason.
CREATE TABLE routing_decisions (
  id           bigserial PRIMARY KEY,
  anliegen_id  bigint NOT NULL REFERENCES anliegen(id) ON DELETE CASCADE,
  decided_at   timestamptz NOT NULL DEFAULT now(),
  unit_code    text NOT NULL,
  rule_id      text NOT NULL DEFAULT '',
  rule_name    text NOT NULL DEFAULT '',
  reason       text NOT NULL,
  actor        text NOT NULL DEFAULT 'routing'
);
CREATE INDEX routing_decisions_anliegen ON routing_decisions (anliegen_id, id DESC);

CREATE TABLE messages (
  id                   bigserial PRIMARY KEY,
  anliegen_id          bigint NOT NULL REFERENCES anliegen(id) ON DELETE CASCADE,
  direction            text NOT NULL CHECK (direction IN ('inbound','outbound','internal')),
  channel              text NOT NULL,
  external_id          text,          -- the platform's id (wamid, mid, tweet id); NULL for our own until sent
  text                 text NOT NULL DEFAULT '',
  sent_at              timestamptz NOT NULL,
  recorded_at          timestamptz NOT NULL DEFAULT now(),
  author               text NOT NULL DEFAULT '',
  delivery_status      text NOT NULL DEFAULT '',
  delivery_error       text NOT NULL DEFAULT '',
  flags                text[] NOT NULL DEFAULT '{}',
  UNIQUE (channel, direction, external_id)
);
CREATE INDEX messages_anliegen ON messages (anliegen_id, id);

CREATE TABLE attachments (
  id          bigserial PRIMARY KEY,
  message_id  bigint NOT NULL REFERENCES messages(id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('image','audio','voice','video','document','sticker')),
  mime_type   text NOT NULL DEFAULT '',
  size        bigint NOT NULL DEFAULT 0,
  sha256      text NOT NULL DEFAULT '',
  filename    text NOT NULL DEFAULT '',
  state       text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','stored','failed')),
  error       text NOT NULL DEFAULT '',
  content     bytea,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_message ON attachments (message_id);

CREATE TABLE audit_events (
  id           bigserial PRIMARY KEY,
  anliegen_id  bigint REFERENCES anliegen(id) ON DELETE CASCADE,
  at           timestamptz NOT NULL DEFAULT now(),
  actor        text NOT NULL,
  type         text NOT NULL,
  data         jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_events_anliegen ON audit_events (anliegen_id, id);

-- Raw webhook deliveries, kept for idempotency, replay and dead letters.
CREATE TABLE inbox (
  id            bigserial PRIMARY KEY,
  channel       text NOT NULL,
  dedupe_key    text NOT NULL,
  received_at   timestamptz NOT NULL DEFAULT now(),
  body          bytea NOT NULL,
  state         text NOT NULL DEFAULT 'processed' CHECK (state IN ('processed','dead_letter')),
  error         text NOT NULL DEFAULT '',
  UNIQUE (channel, dedupe_key)
);

-- Outgoing messages waiting to be sent: written in the same transaction as the message.
CREATE TABLE outbox (
  id               bigserial PRIMARY KEY,
  message_id       bigint REFERENCES messages(id) ON DELETE CASCADE,
  channel          text NOT NULL,
  kind             text NOT NULL DEFAULT 'reply',
  payload          jsonb NOT NULL DEFAULT '{}',
  state            text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','sending','done','failed','held')),
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  last_error       text NOT NULL DEFAULT '',
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE state = 'pending';

CREATE TABLE api_tokens (
  id          bigserial PRIMARY KEY,
  token_hash  text NOT NULL UNIQUE,     -- lowercase hex SHA-256 of the token; the token itself is never stored
  role        text NOT NULL CHECK (role IN ('clerk','office','admin')),
  unit_code   text REFERENCES units(code),
  name        text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz,
  CHECK (role <> 'clerk' OR unit_code IS NOT NULL)
);

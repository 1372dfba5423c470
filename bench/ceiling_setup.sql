-- The table the ceiling measurement writes to (see ceiling.sql).
DROP TABLE IF EXISTS bench_ceiling;
CREATE TABLE bench_ceiling (
  id           bigserial PRIMARY KEY,
  external_id  text NOT NULL UNIQUE,
  text         text NOT NULL,
  sent_at      timestamptz NOT NULL
);

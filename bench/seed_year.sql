-- `deploy/dev bench`: a year of Anliegen (:rows of them, default one million) for the read benchmarks
-- and the weekly report. Set-based and with triggers off, so a million rows take a minute or two.
-- Run with psql -v rows=1000000 -v ON_ERROR_STOP=1 after `anliegen migrate` (units must exist).
SET session_replication_role = replica;   -- no triggers: the search vector is written directly
SET synchronous_commit = off;
SET maintenance_work_mem = '256MB';

CREATE TEMP TABLE seed_texts (n int PRIMARY KEY, text text NOT NULL, category text NOT NULL);
INSERT INTO seed_texts VALUES
  (0, 'Schlagloch in der Bismarckstraße, gefährlich für Radfahrer', 'pothole'),
  (1, 'Straßenlaterne vor Hausnummer 12 ist seit Tagen dunkel', 'street_light'),
  (2, 'Sperrmüll illegal am Waldrand abgeladen', 'illegal_dumping'),
  (3, 'Papierkorb am Spielplatz quillt über', 'litter_bin'),
  (4, 'Graffiti an der Unterführung am Hauptbahnhof', 'graffiti'),
  (5, 'Ast hängt gefährlich über dem Gehweg im Ebertpark', 'parks_trees'),
  (6, 'Schaukel auf dem Spielplatz ist kaputt', 'playground'),
  (7, 'Verkehrszeichen umgefahren an der Kreuzung', 'traffic_sign'),
  (8, 'Wann wird die Rheinuferpromenade endlich fertig?', ''),
  (9, 'Danke für die schnelle Reparatur der Ampel!', ''),
  (10, 'Wie beantrage ich einen Anwohnerparkausweis?', ''),
  (11, 'Lärm durch Baustelle nachts in Oggersheim', ''),
  (12, 'Einladung zum Stadtteilfest in Mundenheim', ''),
  (13, 'Bus der Linie 70 kommt ständig zu spät', ''),
  (14, 'Gehweg in Friesenheim ist zugeparkt', ''),
  (15, 'Hundekot auf dem Schulweg in der Gartenstadt', 'illegal_dumping');

CREATE TEMP TABLE seed_units AS
  SELECT row_number() OVER (ORDER BY code) - 1 AS n, code FROM units WHERE active;

-- One citizen per three Anliegen.
INSERT INTO citizens (channel, external_id, display_name)
SELECT 'whatsapp', 'DE.seed.' || g, 'Bürger ' || g
FROM generate_series(1, (:rows / 3) + 1) g;
CREATE TEMP TABLE seed_citizens AS
  SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM citizens WHERE external_id LIKE 'DE.seed.%';
CREATE INDEX ON seed_citizens (n);
ANALYZE seed_citizens;

CREATE TEMP TABLE seed AS
SELECT g,
       now() - interval '365 days' * ((:rows - g)::double precision / :rows) AS received_at,
       (g::bigint * 7919) % 16 AS t,
       (g::bigint * 104729) % 100 AS r
FROM generate_series(1, :rows) g;

INSERT INTO anliegen (reference, kind, channel, status, unit_code, priority, tags, category, citizen_id,
                      received_at, updated_at, first_response_at, closed_at, last_inbound_at, last_message_at,
                      search)
SELECT 'S-' || to_char(s.received_at, 'YYYY') || '-' || lpad(s.g::text, 7, '0'),
       CASE WHEN st.category <> '' THEN 'defect_report' ELSE 'message' END,
       (ARRAY['whatsapp','whatsapp','whatsapp','facebook','instagram','x','maengelmelder','email','phone','letter'])
         [1 + s.g % 10],
       CASE WHEN s.r < 70 THEN 'closed' WHEN s.r < 80 THEN 'answered' WHEN s.r < 90 THEN 'in_progress' ELSE 'new' END,
       u.code,
       CASE WHEN s.r % 10 = 0 THEN 'high' ELSE 'normal' END,
       '{}',
       st.category,
       c.id,
       s.received_at, s.received_at,
       CASE WHEN s.r < 90 THEN s.received_at + interval '1 hour' * (1 + s.r) END,
       CASE WHEN s.r < 70 THEN s.received_at + interval '1 day' * (1 + s.r % 9) END,
       s.received_at, s.received_at,
       to_tsvector('german', st.text)
FROM seed s
JOIN seed_texts st ON st.n = s.t
JOIN seed_units u ON u.n = s.g % (SELECT count(*) FROM seed_units)
JOIN seed_citizens c ON c.n = s.g / 3;

INSERT INTO messages (anliegen_id, direction, channel, external_id, text, sent_at, author)
SELECT a.id, 'inbound', a.channel, 'seed.in.' || a.id, st.text, a.received_at, ''
FROM anliegen a
JOIN seed s ON s.g = right(a.reference, 7)::int
JOIN seed_texts st ON st.n = s.t
WHERE a.reference LIKE 'S-%';

INSERT INTO messages (anliegen_id, direction, channel, external_id, text, sent_at, author, delivery_status)
SELECT a.id, 'outbound', a.channel, 'seed.out.' || a.id,
       'Vielen Dank für Ihre Nachricht, wir kümmern uns darum.', a.first_response_at, 'Sachbearbeitung', 'delivered'
FROM anliegen a
WHERE a.reference LIKE 'S-%' AND a.first_response_at IS NOT NULL;

SET session_replication_role = origin;
ANALYZE;

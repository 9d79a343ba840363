-- The attendant's tools: who closed an attendance and whether anyone
-- answered it, labels, private notes, canned replies, what attendants
-- write down about a client, per-instance customer-facing texts, and the
-- indexes that keep the inbox search fast.
ALTER TABLE instances
    ADD COLUMN closing_message          text    NOT NULL DEFAULT '',
    ADD COLUMN feedback_when_unanswered boolean NOT NULL DEFAULT false;

ALTER TABLE attendances
    ADD COLUMN closed_by      uuid REFERENCES attendants (id) ON DELETE SET NULL,
    ADD COLUMN first_reply_at timestamptz,
    ADD COLUMN labels         text[] NOT NULL DEFAULT '{}';
-- Attendances answered before this column existed count as answered.
UPDATE attendances a SET first_reply_at = a.opened_at
    WHERE EXISTS (SELECT 1 FROM messages m WHERE m.attendance_id = a.id AND m.direction = 'out');
CREATE INDEX attendances_client ON attendances (client_id, opened_at DESC);

CREATE TABLE attendance_notes (
    id            uuid PRIMARY KEY,
    attendance_id uuid        NOT NULL REFERENCES attendances (id) ON DELETE CASCADE,
    attendant_id  uuid        REFERENCES attendants (id) ON DELETE SET NULL,
    body          text        NOT NULL,
    created_at    timestamptz NOT NULL
);
CREATE INDEX attendance_notes_attendance ON attendance_notes (attendance_id, id);

CREATE TABLE canned_replies (
    id         uuid PRIMARY KEY,
    shortcut   text        NOT NULL UNIQUE,
    body       text        NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

ALTER TABLE clients
    ADD COLUMN name       text  NOT NULL DEFAULT '',
    ADD COLUMN notes      text  NOT NULL DEFAULT '',
    ADD COLUMN attributes jsonb NOT NULL DEFAULT '{}';

-- Full text over what was written, with the 'simple' configuration: no
-- stemming, so Portuguese and English words both match as typed.
CREATE INDEX messages_text_search ON messages
    USING gin (to_tsvector('simple', body || ' ' || caption)) WHERE attendance_id IS NOT NULL;

-- Client names and phones are matched by substring; trigram indexes keep
-- that fast where pg_trgm can be installed, and the search still works
-- (scanning) where it cannot.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
    CREATE INDEX clients_search ON clients
        USING gin ((name || ' ' || push_name || ' ' || phone || ' ' || lid) gin_trgm_ops);
EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
    RAISE NOTICE 'pg_trgm unavailable: client search scans';
END $$;

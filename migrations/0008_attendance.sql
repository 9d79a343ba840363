-- The helpdesk: customers (clients) who write in, their conversations
-- (attendances), the people who answer (attendants) and what customers
-- thought of it (feedback).
CREATE TABLE clients (
    id            uuid PRIMARY KEY,
    instance_id   uuid        NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    phone         text        NOT NULL,
    push_name     text        NOT NULL DEFAULT '',
    first_seen_at timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL,
    CONSTRAINT clients_phone UNIQUE (instance_id, phone)
);

CREATE TABLE attendants (
    id            uuid PRIMARY KEY,
    name          text        NOT NULL,
    email         text        NOT NULL,
    password_hash text        NOT NULL,
    role          text        NOT NULL,
    active        boolean     NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL
);
CREATE UNIQUE INDEX attendants_email ON attendants (lower(email));

CREATE TABLE attendant_sessions (
    token_hash   bytea PRIMARY KEY,
    attendant_id uuid        NOT NULL REFERENCES attendants (id) ON DELETE CASCADE,
    expires_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL
);

CREATE TABLE attendances (
    id                uuid PRIMARY KEY,
    instance_id       uuid        NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    client_id         uuid        NOT NULL REFERENCES clients (id) ON DELETE CASCADE,
    status            text        NOT NULL,
    attendant_id      uuid        REFERENCES attendants (id) ON DELETE SET NULL,
    opened_at         timestamptz NOT NULL,
    last_activity_at  timestamptz NOT NULL,
    last_message_from text        NOT NULL,
    unread            integer     NOT NULL DEFAULT 0,
    closed_at         timestamptz,
    closed_reason     text        NOT NULL DEFAULT ''
);
-- At most one open attendance per client and instance.
CREATE UNIQUE INDEX attendances_one_open ON attendances (instance_id, client_id) WHERE status = 'open';
CREATE INDEX attendances_idle ON attendances (status, last_activity_at);

ALTER TABLE messages ADD COLUMN attendance_id uuid;
CREATE INDEX messages_attendance ON messages (attendance_id, id) WHERE attendance_id IS NOT NULL;

CREATE TABLE feedback_tokens (
    token_hash    bytea PRIMARY KEY,
    attendance_id uuid        NOT NULL REFERENCES attendances (id) ON DELETE CASCADE,
    expires_at    timestamptz NOT NULL,
    used_at       timestamptz
);

CREATE TABLE feedback (
    id            uuid PRIMARY KEY,
    attendance_id uuid        NOT NULL UNIQUE REFERENCES attendances (id) ON DELETE CASCADE,
    rating        integer     NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment       text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL
);

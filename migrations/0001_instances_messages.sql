CREATE TABLE instances (
    id                   uuid PRIMARY KEY,
    name                 text        NOT NULL,
    status               text        NOT NULL,
    phone                text        NOT NULL DEFAULT '',
    status_reason        text        NOT NULL DEFAULT '',
    token_hash           bytea       NOT NULL UNIQUE,
    send_rate_per_minute integer,
    qr_code              text        NOT NULL DEFAULT '',
    qr_expires_at        timestamptz,
    wa_jid               text        NOT NULL DEFAULT '',
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL
);

-- Messages outlive their instance (history is kept on delete), so no foreign key.
CREATE TABLE messages (
    id              uuid PRIMARY KEY,
    instance_id     uuid        NOT NULL,
    direction       text        NOT NULL,
    status          text        NOT NULL,
    to_phone        text        NOT NULL DEFAULT '',
    from_phone      text        NOT NULL DEFAULT '',
    type            text        NOT NULL,
    body            text        NOT NULL DEFAULT '',
    caption         text        NOT NULL DEFAULT '',
    media_key       text,
    media_mime      text,
    media_filename  text,
    media_size      bigint,
    media_sha256    text,
    wa_message_id   text        NOT NULL,
    error           text        NOT NULL DEFAULT '',
    idempotency_key text,
    created_at      timestamptz NOT NULL,
    send_at         timestamptz,
    sent_at         timestamptz,
    delivered_at    timestamptz,
    read_at         timestamptz,
    CONSTRAINT messages_wa_message_id UNIQUE (instance_id, wa_message_id)
);

CREATE UNIQUE INDEX messages_idempotency_key ON messages (instance_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
-- Ids are UUIDv7, so id order is creation order: lists page on (instance_id, id).
CREATE INDEX messages_instance_id ON messages (instance_id, id);
CREATE INDEX messages_due ON messages (send_at) WHERE status = 'scheduled';

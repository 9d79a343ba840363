-- The simulated WhatsApp network (ZAPGATE_WHATSAPP_DRIVER=sim). Its state is
-- in Postgres so every zapgate process sees the same network and it survives
-- restarts.
CREATE TABLE sim_sessions (
    instance_id uuid PRIMARY KEY,
    linked      boolean     NOT NULL DEFAULT false,
    phone       text        NOT NULL DEFAULT '',
    qr_code     text        NOT NULL DEFAULT '',
    send_error  text        NOT NULL DEFAULT 'none',
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Every send "WhatsApp" accepted, repeats of a wa_message_id included.
CREATE TABLE sim_sent (
    seq           bigserial PRIMARY KEY,
    instance_id   uuid        NOT NULL,
    to_phone      text        NOT NULL,
    type          text        NOT NULL,
    body          text        NOT NULL DEFAULT '',
    caption       text        NOT NULL DEFAULT '',
    mime          text        NOT NULL DEFAULT '',
    filename      text        NOT NULL DEFAULT '',
    sha256        text        NOT NULL DEFAULT '',
    wa_message_id text        NOT NULL,
    at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sim_sent_instance ON sim_sent (instance_id, seq);

-- Bot replicas share instances: each instance is connected by the one bot
-- process holding its lease; a lapsed lease is taken over.
CREATE TABLE bot_processes (
    owner   text PRIMARY KEY,
    seen_at timestamptz NOT NULL
);

CREATE TABLE instance_leases (
    instance_id uuid PRIMARY KEY REFERENCES instances (id) ON DELETE CASCADE,
    owner       text        NOT NULL,
    expires_at  timestamptz NOT NULL
);
CREATE INDEX instance_leases_owner ON instance_leases (owner);

-- Send attempts: a message whose earlier attempt may have reached WhatsApp
-- (the bot died mid-send) is checked before it is sent again.
ALTER TABLE messages ADD COLUMN send_attempts integer NOT NULL DEFAULT 0;
CREATE INDEX sim_sent_wa ON sim_sent (instance_id, wa_message_id);

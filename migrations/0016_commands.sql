-- Commands that answer: a request that needs the live WhatsApp connection
-- and a result. The API inserts the row with its cmd.* outbox message; the
-- bot that holds the instance writes the result (or the error) into it.
CREATE TABLE commands (
    id            uuid PRIMARY KEY,
    instance_id   uuid        NOT NULL,
    type          text        NOT NULL,
    payload       jsonb       NOT NULL DEFAULT '{}',
    status        text        NOT NULL DEFAULT 'pending',
    result        jsonb,
    error_code    text        NOT NULL DEFAULT '',
    error_message text        NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL,
    done_at       timestamptz
);
CREATE INDEX commands_instance ON commands (instance_id, id);
-- The sweeper looks for pending commands only.
CREATE INDEX commands_pending ON commands (created_at) WHERE status = 'pending';

-- What the simulated WhatsApp answers to contacts/check; a phone that is not
-- here is not on WhatsApp.
CREATE TABLE sim_contacts (
    phone       text PRIMARY KEY,
    lid         text    NOT NULL DEFAULT '',
    name        text    NOT NULL DEFAULT '',
    business    boolean NOT NULL DEFAULT false,
    on_whatsapp boolean NOT NULL DEFAULT true
);

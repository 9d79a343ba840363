-- The people an instance knows, one row per person: a phone JID, a LID or
-- both once WhatsApp told us they are the same person.
CREATE TABLE contacts (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    instance_id   uuid        NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    jid           text,
    lid           text,
    phone         text        NOT NULL DEFAULT '',
    name          text        NOT NULL DEFAULT '',
    push_name     text        NOT NULL DEFAULT '',
    business_name text        NOT NULL DEFAULT '',
    blocked       boolean     NOT NULL DEFAULT false,
    updated_at    timestamptz NOT NULL,
    CHECK (jid IS NOT NULL OR lid IS NOT NULL)
);
CREATE UNIQUE INDEX contacts_instance_jid ON contacts (instance_id, jid) WHERE jid IS NOT NULL;
CREATE UNIQUE INDEX contacts_instance_lid ON contacts (instance_id, lid) WHERE lid IS NOT NULL;
CREATE INDEX contacts_instance ON contacts (instance_id, id);

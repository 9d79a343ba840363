-- Commands get an outbox of their own, forwarded by a forwarder of their
-- own: events and commands no longer queue behind each other. Events keep
-- one ordered table, which the event log and websocket resumes read.
CREATE TABLE watermill_outbox_commands (
    "offset"         BIGSERIAL,
    "uuid"           VARCHAR(36) NOT NULL,
    "created_at"     TIMESTAMPTZ NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "payload"        JSON DEFAULT NULL,
    "metadata"       JSON DEFAULT NULL,
    "transaction_id" xid8 NOT NULL,
    event_id    text GENERATED ALWAYS AS (payload ->> 'uuid') STORED,
    destination text GENERATED ALWAYS AS (payload ->> 'destination_topic') STORED,
    event_type  text GENERATED ALWAYS AS (payload -> 'metadata' ->> 'event_type') STORED,
    instance_id text GENERATED ALWAYS AS (payload -> 'metadata' ->> 'instance_id') STORED,
    PRIMARY KEY ("transaction_id", "offset")
);
CREATE INDEX watermill_outbox_commands_created_at ON watermill_outbox_commands (created_at);

CREATE TABLE watermill_offsets_outbox_commands (
    consumer_group                VARCHAR(255) NOT NULL,
    offset_acked                  BIGINT,
    last_processed_transaction_id xid8 NOT NULL,
    PRIMARY KEY (consumer_group)
);

-- The Watermill outbox (watermill-sql v3, DefaultPostgreSQLSchema for topic
-- "outbox"), created here because AutoInitializeSchema cannot run inside the
-- publishing transaction. The forwarder envelope is JSON; generated columns
-- lift the event's id, type and instance out of it, so the outbox doubles as
-- the event log at no extra write.
CREATE TABLE watermill_outbox (
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

CREATE INDEX watermill_outbox_event_id ON watermill_outbox (event_id);
CREATE INDEX watermill_outbox_created_at ON watermill_outbox (created_at);

CREATE TABLE watermill_offsets_outbox (
    consumer_group                VARCHAR(255) NOT NULL,
    offset_acked                  BIGINT,
    last_processed_transaction_id xid8 NOT NULL,
    PRIMARY KEY (consumer_group)
);

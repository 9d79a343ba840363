-- Webhook subscriptions and their deliveries. The delivery schedule lives
-- here, so a restart loses no retry.
CREATE TABLE webhooks (
    id          uuid PRIMARY KEY,
    instance_id uuid        NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    url         text        NOT NULL,
    events      text[]      NOT NULL DEFAULT '{}',
    secret      text        NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE INDEX webhooks_instance ON webhooks (instance_id);

CREATE TABLE webhook_deliveries (
    id               uuid PRIMARY KEY,
    webhook_id       uuid        NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id         text        NOT NULL,
    event_type       text        NOT NULL,
    replay_id        text        NOT NULL DEFAULT '',
    payload          bytea       NOT NULL,
    status           text        NOT NULL,
    attempts         integer     NOT NULL DEFAULT 0,
    last_status_code integer     NOT NULL DEFAULT 0,
    last_error       text        NOT NULL DEFAULT '',
    next_attempt_at  timestamptz NOT NULL,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    -- The same event reaches a subscription once, unless replayed.
    CONSTRAINT webhook_deliveries_once UNIQUE (webhook_id, event_id, replay_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, id);

-- Replays run in the background, in batches: a row holds the filter, the
-- range counted when it was asked for (count events, the last at outbox
-- offset upto) and the progress (cursor_at: offset of the last event sent).
-- Each batch commits its deliveries, outbox rows and progress together, so
-- a crash resumes where the last batch ended; workers take a replay with
-- FOR UPDATE SKIP LOCKED, so replicas never run one batch twice.
CREATE TABLE replays (
    id          text PRIMARY KEY,
    since       timestamptz,
    until       timestamptz,
    types       text[] NOT NULL DEFAULT '{}',
    instance_id text NOT NULL DEFAULT '',
    target      text NOT NULL,
    webhook_id  text NOT NULL DEFAULT '',
    actor       text NOT NULL DEFAULT '',
    count       integer NOT NULL,
    truncated   boolean NOT NULL DEFAULT false,
    upto        bigint NOT NULL,
    cursor_at   bigint NOT NULL DEFAULT 0,
    sent        integer NOT NULL DEFAULT 0,
    status      text NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    done_at     timestamptz
);
CREATE INDEX replays_running ON replays (created_at) WHERE status = 'running';

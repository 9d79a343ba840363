-- An idle forwarder waits for a notification instead of polling the outbox
-- every few milliseconds. NOTIFY is not free: Postgres lets one notifying
-- transaction commit at a time (a global lock held through the commit's
-- flush), which cut pgbench's insert rate to a third here. So an insert
-- notifies only while a forwarder of its table says it waits (a row in
-- outbox_waiters, refreshed every second or so by the waiting forwarder and
-- ignored once stale, so a forwarder that died stops costing notifications);
-- a busy forwarder polls. The channel is 'zapgate_' || table name.
-- Postgres folds identical notifications of one transaction into one. A
-- missed notification only delays: a waiting forwarder still looks every
-- second.
CREATE TABLE outbox_waiters (
    outbox text        NOT NULL,
    waiter text        NOT NULL,
    since  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (outbox, waiter)
);

CREATE FUNCTION zapgate_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM outbox_waiters
               WHERE outbox = TG_TABLE_NAME AND since > now() - interval '10 seconds') THEN
        PERFORM pg_notify('zapgate_' || TG_TABLE_NAME, '');
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER watermill_outbox_notify
    AFTER INSERT ON watermill_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION zapgate_outbox_notify();

CREATE TRIGGER watermill_outbox_commands_notify
    AFTER INSERT ON watermill_outbox_commands
    FOR EACH STATEMENT EXECUTE FUNCTION zapgate_outbox_notify();

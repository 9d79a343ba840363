-- The forwarders wait for a notification instead of polling the outbox
-- every few milliseconds: each inserting statement announces its table on
-- the channel 'zapgate_' || table name. Postgres delivers it at commit and
-- folds identical notifications of one transaction into one, so a burst
-- costs one notification per transaction, not one per row. A notification
-- that is missed only delays: the forwarders still poll, rarely.
CREATE FUNCTION zapgate_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('zapgate_' || TG_TABLE_NAME, '');
    RETURN NULL;
END
$$;

CREATE TRIGGER watermill_outbox_notify
    AFTER INSERT ON watermill_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION zapgate_outbox_notify();

CREATE TRIGGER watermill_outbox_commands_notify
    AFTER INSERT ON watermill_outbox_commands
    FOR EACH STATEMENT EXECUTE FUNCTION zapgate_outbox_notify();

-- Replays go out through the outbox again, marked in their metadata; the
-- event log lists each event once, so it skips them.
ALTER TABLE watermill_outbox
    ADD COLUMN replayed boolean GENERATED ALWAYS AS ((payload -> 'metadata' ->> 'replayed') IS NOT NULL) STORED;
CREATE INDEX watermill_outbox_log ON watermill_outbox ("offset") WHERE destination = 'events' AND NOT replayed;

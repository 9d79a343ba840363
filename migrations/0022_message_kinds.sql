-- What stickers, locations, contact cards and polls carry, as typed
-- fields (messages received before this kept locations and cards in
-- extra; they are read from there). poll holds the tally, recounted from
-- poll_votes at every vote.
ALTER TABLE messages
    ADD COLUMN location jsonb,
    ADD COLUMN contacts jsonb,
    ADD COLUMN poll     jsonb;

-- Each voter's current choice on a poll (a later vote replaces it; an
-- empty choice is a withdrawn vote). wa_message_id is the vote's own id,
-- so a redelivered vote is recognised.
CREATE TABLE poll_votes (
    message_id    uuid        NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    voter         text        NOT NULL,
    selected      text[]      NOT NULL,
    wa_message_id text        NOT NULL DEFAULT '',
    at            timestamptz NOT NULL,
    PRIMARY KEY (message_id, voter)
);

-- The sim shows what each send carried.
ALTER TABLE sim_sent
    ADD COLUMN location jsonb,
    ADD COLUMN contacts jsonb,
    ADD COLUMN poll     jsonb;

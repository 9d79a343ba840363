-- The people a message mentions (JIDs), shown as `mentions`.
ALTER TABLE messages ADD COLUMN mentions text[] NOT NULL DEFAULT '{}';

-- The sim: what each send mentioned, each person's profile picture ('' =
-- hidden or unset), and whom each instance blocked (every known address of
-- the person, so a send to their phone or their LID is refused alike).
ALTER TABLE sim_sent ADD COLUMN mentions text[] NOT NULL DEFAULT '{}';
ALTER TABLE sim_contacts ADD COLUMN picture_url text NOT NULL DEFAULT '';
CREATE TABLE sim_blocks (
    instance_id uuid NOT NULL,
    jid         text NOT NULL,
    PRIMARY KEY (instance_id, jid)
);

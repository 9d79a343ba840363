-- Sending safely: the new-contact cap and the warm-up of a new phone.
-- new_contacts_per_day: the cap per rolling 24 h (0 = none; new instances
-- take ZAPGATE_NEW_CONTACTS_PER_DAY). warmup_days and linked_at: how long
-- after linking the rate and the cap grow from 20% to 100%.
ALTER TABLE instances
    ADD COLUMN new_contacts_per_day integer NOT NULL DEFAULT 50,
    ADD COLUMN warmup_days          integer NOT NULL DEFAULT 0,
    ADD COLUMN linked_at            timestamptz;

-- Every phone ever linked: a phone seen before needs no warm-up.
CREATE TABLE linked_phones (
    phone           text PRIMARY KEY,
    first_linked_at timestamptz NOT NULL
);

-- Numbers linked before this upgrade are not new: they keep their pace
-- (no warm-up) and their reconnects are not new links.
INSERT INTO linked_phones (phone, first_linked_at)
    SELECT phone, min(created_at) FROM instances WHERE phone <> '' GROUP BY phone
    ON CONFLICT DO NOTHING;
UPDATE instances SET linked_at = updated_at WHERE phone <> '';

-- A queued message waiting in Postgres for the cap says why; its command
-- was acknowledged, so the bot finds it here when the window allows.
ALTER TABLE messages ADD COLUMN held text NOT NULL DEFAULT '';
CREATE INDEX messages_held ON messages (instance_id, id) WHERE held <> '';

-- Who a chat has exchanged messages with (is a person new?), and what an
-- instance sent in the last 24 h.
CREATE INDEX messages_instance_chat ON messages (instance_id, chat, id);
CREATE INDEX messages_sent_out ON messages (instance_id, sent_at)
    WHERE direction = 'out' AND sent_at IS NOT NULL;

-- One row per person first reached by this instance, written when that
-- first message was sent: the window counts rows, not messages.
CREATE TABLE new_contacts (
    instance_id   uuid        NOT NULL,
    chat          text        NOT NULL,
    first_sent_at timestamptz NOT NULL,
    PRIMARY KEY (instance_id, chat)
);
CREATE INDEX new_contacts_window ON new_contacts (instance_id, first_sent_at);

-- Voice notes: a message sent (or received) as a push-to-talk recording.
ALTER TABLE messages ADD COLUMN ptt boolean NOT NULL DEFAULT false;

-- Incoming messages of a chat not yet marked read by the instance (read
-- receipts default to them): read_at is when the instance read them.
CREATE INDEX messages_unread_in ON messages (instance_id, chat, id)
    WHERE direction = 'in' AND read_at IS NULL;

-- The sim shows every kind of send: messages, read receipts (with the ids
-- they mark) and presence (with its state), and voice notes.
ALTER TABLE sim_sent
    ADD COLUMN IF NOT EXISTS kind text NOT NULL DEFAULT 'message',
    ADD COLUMN IF NOT EXISTS target_wa_message_id text NOT NULL DEFAULT '',
    ADD COLUMN message_ids jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN state text NOT NULL DEFAULT '',
    ADD COLUMN ptt boolean NOT NULL DEFAULT false;

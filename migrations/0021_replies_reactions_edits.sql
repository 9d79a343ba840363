-- Replies, reactions, edits and revokes (API.md "Messages").
-- reply_to: the zapgate id of the message this one quotes ('' = none, or
-- a quoted message zapgate never saw). reactions: one per sender,
-- [{"from","emoji","at"}]. target_id and emoji: what an outgoing reaction
-- reacts to and with. edited_at, revoked_at: when the text changed or the
-- message was deleted for everyone.
ALTER TABLE messages
    ADD COLUMN reply_to   text        NOT NULL DEFAULT '',
    ADD COLUMN reactions  jsonb       NOT NULL DEFAULT '[]',
    ADD COLUMN target_id  text        NOT NULL DEFAULT '',
    ADD COLUMN emoji      text        NOT NULL DEFAULT '',
    ADD COLUMN edited_at  timestamptz,
    ADD COLUMN revoked_at timestamptz;

-- The sim: what kind of send it was (an ordinary message, a reaction, an
-- edit or a revoke), the message it quotes or points at, and the emoji.
ALTER TABLE sim_sent
    ADD COLUMN kind                   text NOT NULL DEFAULT 'message',
    ADD COLUMN reply_to_wa_message_id text NOT NULL DEFAULT '',
    ADD COLUMN emoji                  text NOT NULL DEFAULT '',
    ADD COLUMN target_wa_message_id   text NOT NULL DEFAULT '';

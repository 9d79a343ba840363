-- Incoming messages: the sender's name, the chat (a group when is_group),
-- and typed data for kinds without a text body (location, contact, the kind
-- of an unsupported message).
ALTER TABLE messages
    ADD COLUMN push_name text    NOT NULL DEFAULT '',
    ADD COLUMN chat      text    NOT NULL DEFAULT '',
    ADD COLUMN is_group  boolean NOT NULL DEFAULT false,
    ADD COLUMN from_me   boolean NOT NULL DEFAULT false,
    ADD COLUMN extra     jsonb;

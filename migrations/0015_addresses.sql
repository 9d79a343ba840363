-- Addresses: a message may go to or come from a phone, a LID or a group.
-- chat is the conversation's JID (the group, or the person); from_lid and
-- to_lid hold the person's LID when known; participant is the group member
-- who wrote.
ALTER TABLE messages
    ADD COLUMN from_lid    text NOT NULL DEFAULT '',
    ADD COLUMN to_lid      text NOT NULL DEFAULT '',
    ADD COLUMN participant text NOT NULL DEFAULT '';

-- Older direct messages had no chat: it is the person, by phone or by the
-- JID stored in from_phone.
UPDATE messages SET chat = CASE
        WHEN direction = 'out' THEN to_phone || '@s.whatsapp.net'
        WHEN from_phone LIKE '%@%' THEN from_phone
        ELSE from_phone || '@s.whatsapp.net'
    END
WHERE chat = '' AND NOT is_group;

-- The simulated network shows which chat a send went to.
ALTER TABLE sim_sent ADD COLUMN chat text NOT NULL DEFAULT '';

-- WhatsApp groups as attendances: an instance may file a group's messages
-- as one attendance whose client is the group, known by its JID alone.
ALTER TABLE instances ADD COLUMN attend_groups boolean NOT NULL DEFAULT false;
ALTER TABLE clients ADD COLUMN group_jid text NOT NULL DEFAULT '';
CREATE UNIQUE INDEX clients_instance_group ON clients (instance_id, group_jid) WHERE group_jid <> '';
ALTER TABLE clients DROP CONSTRAINT clients_address;
ALTER TABLE clients ADD CONSTRAINT clients_address CHECK (phone <> '' OR lid <> '' OR group_jid <> '');

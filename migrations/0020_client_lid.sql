-- Helpdesk clients known by LID: a client has a phone, a LID or both
-- ('' when unknown), each unique per instance, so a person who writes by
-- LID and later shows a phone stays one client.
ALTER TABLE clients ADD COLUMN lid text NOT NULL DEFAULT '';
ALTER TABLE clients DROP CONSTRAINT clients_phone;
CREATE UNIQUE INDEX clients_instance_phone ON clients (instance_id, phone) WHERE phone <> '';
CREATE UNIQUE INDEX clients_instance_lid ON clients (instance_id, lid) WHERE lid <> '';
ALTER TABLE clients ADD CONSTRAINT clients_address CHECK (phone <> '' OR lid <> '');

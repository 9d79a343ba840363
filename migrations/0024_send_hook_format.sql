-- How a send hook reads what is posted to it (domain.HookFormat): auto,
-- detected per post, is the default, and reads text/plain and
-- {"to","text"} as every existing hook did.
ALTER TABLE send_hooks ADD COLUMN format text NOT NULL DEFAULT 'auto';

-- Secret URLs that send a text through an instance. Only the token's hash
-- is stored; the URL is shown once.
CREATE TABLE send_hooks (
    id          uuid PRIMARY KEY,
    instance_id uuid        NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    name        text        NOT NULL,
    to_phone    text        NOT NULL DEFAULT '',
    token_hash  bytea       NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL
);
CREATE INDEX send_hooks_instance ON send_hooks (instance_id, id);

-- The deployment's namespace: every RabbitMQ exchange and queue name carries
-- it, so deployments sharing a vhost never consume each other's messages.
-- One row, written once here and read at every start.
CREATE TABLE deployment (
    id         boolean PRIMARY KEY DEFAULT true CHECK (id),
    namespace  text        NOT NULL CHECK (namespace ~ '^[a-z0-9_-]{0,32}$'),
    created_at timestamptz NOT NULL DEFAULT now()
);

-- A database that has been served before may have messages waiting in the
-- queues named without a namespace (zapgate.commands, zapgate.events.*):
-- it keeps those names (the empty namespace), so the upgrade orphans
-- nothing. A new database gets its name (lowercased, trimmed) and a random
-- suffix: readable in the broker's UI, unique even when two deployments'
-- databases share a name.
INSERT INTO deployment (namespace)
SELECT CASE
    WHEN EXISTS (SELECT 1 FROM instances) OR EXISTS (SELECT 1 FROM messages)
      OR EXISTS (SELECT 1 FROM watermill_outbox) OR EXISTS (SELECT 1 FROM watermill_outbox_commands)
      OR EXISTS (SELECT 1 FROM watermill_offsets_outbox) OR EXISTS (SELECT 1 FROM watermill_offsets_outbox_commands)
    THEN ''
    ELSE concat_ws('-',
        nullif(left(regexp_replace(lower(current_database()), '[^a-z0-9_-]', '', 'g'), 20), ''),
        left(md5(random()::text || clock_timestamp()::text), 8))
END;

-- The groups each instance is in, as the bot last learnt them from
-- WhatsApp. Leaving a group deletes its row (and its participants): the
-- list shows the groups the instance is in now; group.left in the event
-- log keeps the history.
-- Every write of a group row takes a new version, so a reader can tell
-- whether a group changed between two reads (the sync on connect).
CREATE SEQUENCE group_versions;

CREATE TABLE groups (
    id          bigint GENERATED ALWAYS AS IDENTITY UNIQUE, -- list order and cursor
    instance_id uuid        NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    jid         text        NOT NULL,
    subject     text        NOT NULL DEFAULT '',
    description text        NOT NULL DEFAULT '',
    owner       text        NOT NULL DEFAULT '',
    announce    boolean     NOT NULL DEFAULT false,
    locked      boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     bigint      NOT NULL DEFAULT nextval('group_versions'),
    PRIMARY KEY (instance_id, jid)
);

CREATE TABLE group_participants (
    instance_id uuid NOT NULL,
    group_jid   text NOT NULL,
    jid         text NOT NULL,
    phone       text NOT NULL DEFAULT '',
    lid         text NOT NULL DEFAULT '',
    role        text NOT NULL DEFAULT 'member',
    PRIMARY KEY (instance_id, group_jid, jid),
    FOREIGN KEY (instance_id, group_jid) REFERENCES groups (instance_id, jid) ON DELETE CASCADE
);

-- The simulated network's groups (ZAPGATE_WHATSAPP_DRIVER=sim).
CREATE TABLE sim_groups (
    jid         text PRIMARY KEY,
    subject     text        NOT NULL,
    description text        NOT NULL DEFAULT '',
    owner       text        NOT NULL DEFAULT '',
    announce    boolean     NOT NULL DEFAULT false,
    locked      boolean     NOT NULL DEFAULT false,
    invite_code text        NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- A member is an instance of this deployment (instance_id set; its JID is
-- its session's phone) or a person of the sim network (member = their JID).
CREATE TABLE sim_group_members (
    group_jid   text NOT NULL REFERENCES sim_groups (jid) ON DELETE CASCADE,
    member      text NOT NULL, -- the instance id, or the person's JID
    instance_id uuid,
    role        text NOT NULL DEFAULT 'member',
    PRIMARY KEY (group_jid, member)
);
CREATE INDEX sim_group_members_instance ON sim_group_members (instance_id) WHERE instance_id IS NOT NULL;

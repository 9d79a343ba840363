-- Teams, capacity routing and attendant presence.
--
-- An attendant takes at most max_open open attendances from routing; away
-- is their own choice; last_assigned_at breaks ties (who waited longest).
ALTER TABLE attendants ADD COLUMN max_open integer NOT NULL DEFAULT 10 CHECK (max_open BETWEEN 1 AND 1000);
ALTER TABLE attendants ADD COLUMN away boolean NOT NULL DEFAULT false;
ALTER TABLE attendants ADD COLUMN last_assigned_at timestamptz;

CREATE TABLE teams (
    id         uuid PRIMARY KEY,
    name       text        NOT NULL,
    routing    text        NOT NULL,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

-- The primary key on instance_id is the rule "an instance belongs to at
-- most one team".
CREATE TABLE team_instances (
    instance_id uuid PRIMARY KEY REFERENCES instances (id) ON DELETE CASCADE,
    team_id     uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE
);
CREATE INDEX team_instances_team ON team_instances (team_id);

CREATE TABLE team_members (
    team_id      uuid NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    attendant_id uuid NOT NULL REFERENCES attendants (id) ON DELETE CASCADE,
    PRIMARY KEY (team_id, attendant_id)
);
CREATE INDEX team_members_attendant ON team_members (attendant_id);

-- The team whose queue an attendance waits in (or was routed by).
ALTER TABLE attendances ADD COLUMN team_id uuid REFERENCES teams (id) ON DELETE SET NULL;
CREATE INDEX attendances_waiting ON attendances (team_id, opened_at, id) WHERE status = 'open' AND attendant_id IS NULL;
CREATE INDEX attendances_open_by_attendant ON attendances (attendant_id) WHERE status = 'open';

-- Dashboard websockets, one row per connection, kept alive by the API
-- process that holds it: presence is the same on every replica, and the
-- connections of a replica that died expire.
CREATE TABLE attendant_feeds (
    id           uuid PRIMARY KEY,
    attendant_id uuid        NOT NULL REFERENCES attendants (id) ON DELETE CASCADE,
    process_id   uuid        NOT NULL,
    expires_at   timestamptz NOT NULL
);
CREATE INDEX attendant_feeds_attendant ON attendant_feeds (attendant_id, expires_at);
CREATE INDEX attendant_feeds_process ON attendant_feeds (process_id);

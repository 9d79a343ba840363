-- Account health: WhatsApp's warnings pause an instance's queue until a
-- deadline. The rule that a pause or ban has a deadline and ok has none is
-- domain.Health's; the check only keeps a hand-written row readable.
ALTER TABLE instances ADD COLUMN health_state text NOT NULL DEFAULT 'ok',
	ADD COLUMN health_reason text NOT NULL DEFAULT '',
	ADD COLUMN health_until timestamptz,
	ADD CONSTRAINT instances_health_state CHECK (health_state IN ('ok', 'paused', 'banned'));

-- contacts/check's per-instance budget: one row per instance, the current
-- one-minute window (opened by its first check) and the numbers checked in
-- it. A row, not a counter in memory, so every API process shares it.
CREATE TABLE contact_check_windows (
	instance_id uuid PRIMARY KEY REFERENCES instances (id) ON DELETE CASCADE,
	window_start timestamptz NOT NULL,
	used integer NOT NULL
);

-- The sim's temporary ban (POST /v1/sim/instances/{id}/faults ban_seconds).
ALTER TABLE sim_sessions ADD COLUMN banned_until timestamptz;

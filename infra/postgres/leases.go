package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Leases hands instances to bot processes: each instance to one live
// process at a time, spread evenly across the live ones.
type Leases struct {
	db    *sqlx.DB
	owner string
	ttl   time.Duration
}

// NewLeases returns the leases of one bot process.
func NewLeases(db *sqlx.DB, owner string, ttl time.Duration) *Leases {
	return &Leases{db: db, owner: owner, ttl: ttl}
}

// Sync renews this process's leases, takes free or lapsed ones up to its
// fair share (instances ÷ live processes, rounded up) and hands back any
// above that share, so a process that joins gets work. It returns the
// instance ids this process holds.
func (l *Leases) Sync(ctx context.Context) ([]string, error) {
	tx, err := l.db.BeginTxx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("leases: %w", err)
	}
	defer tx.Rollback() //nolint:errcheck
	ttl := fmt.Sprintf("%d milliseconds", l.ttl.Milliseconds())
	if _, err := tx.ExecContext(ctx, `INSERT INTO bot_processes (owner, seen_at) VALUES ($1, now())
		ON CONFLICT (owner) DO UPDATE SET seen_at = now()`, l.owner); err != nil {
		return nil, fmt.Errorf("leases: heartbeat: %w", err)
	}
	var held []string
	if err := tx.SelectContext(ctx, &held, `UPDATE instance_leases SET expires_at = now() + $2::interval
		WHERE owner = $1 RETURNING instance_id::text`, l.owner, ttl); err != nil {
		return nil, fmt.Errorf("leases: renew: %w", err)
	}
	var share int
	if err := tx.GetContext(ctx, &share, `SELECT ceil((SELECT count(*) FROM instances)::numeric /
		GREATEST((SELECT count(*) FROM bot_processes WHERE seen_at > now() - $1::interval), 1))::int`, ttl); err != nil {
		return nil, fmt.Errorf("leases: share: %w", err)
	}
	switch {
	case len(held) < share:
		var taken []string
		if err := tx.SelectContext(ctx, &taken, `INSERT INTO instance_leases (instance_id, owner, expires_at)
			SELECT i.id, $1, now() + $2::interval FROM instances i
			LEFT JOIN instance_leases l ON l.instance_id = i.id
			WHERE l.instance_id IS NULL OR l.expires_at < now()
			ORDER BY i.id LIMIT $3
			FOR UPDATE OF i SKIP LOCKED
			ON CONFLICT (instance_id) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
				WHERE instance_leases.expires_at < now()
			RETURNING instance_id::text`, l.owner, ttl, share-len(held)); err != nil {
			return nil, fmt.Errorf("leases: take: %w", err)
		}
		held = append(held, taken...)
	case len(held) > share:
		// Hand back the surplus; a peer below its share takes it next tick.
		surplus := held[share:]
		if _, err := tx.ExecContext(ctx, `DELETE FROM instance_leases WHERE owner = $1 AND instance_id::text = ANY($2)`,
			l.owner, pq.StringArray(surplus)); err != nil {
			return nil, fmt.Errorf("leases: release: %w", err)
		}
		held = held[:share]
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM bot_processes WHERE seen_at < now() - interval '1 hour'`); err != nil {
		return nil, fmt.Errorf("leases: tidy: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("leases: %w", err)
	}
	return held, nil
}

// Release gives every lease of this process back, for a quick hand-over on
// shutdown.
func (l *Leases) Release(ctx context.Context) error {
	if _, err := l.db.ExecContext(ctx, `DELETE FROM instance_leases WHERE owner = $1`, l.owner); err != nil {
		return fmt.Errorf("leases: release: %w", err)
	}
	if _, err := l.db.ExecContext(ctx, `DELETE FROM bot_processes WHERE owner = $1`, l.owner); err != nil {
		return fmt.Errorf("leases: release: %w", err)
	}
	return nil
}

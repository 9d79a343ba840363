package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// OpenFeed implements app.PresenceStore. The attendant's row is locked so
// two connections opening at once agree on which one came first.
func (s *Store) OpenFeed(ctx context.Context, id, attendantID, processID string, expiresAt, now time.Time) (bool, error) {
	came := false
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var one int
		if err := tx.GetContext(ctx, &one, `SELECT 1 FROM attendants WHERE id = $1 FOR UPDATE`, attendantID); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return domain.NotFound("attendant")
			}
			return fmt.Errorf("open feed: %w", err)
		}
		if err := tx.GetContext(ctx, &came, `SELECT NOT EXISTS (SELECT 1 FROM attendant_feeds WHERE attendant_id = $1 AND expires_at > $2)`,
			attendantID, now); err != nil {
			return fmt.Errorf("open feed: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO attendant_feeds (id, attendant_id, process_id, expires_at) VALUES ($1, $2, $3, $4)`,
			id, attendantID, processID, expiresAt); err != nil {
			return fmt.Errorf("open feed: %w", err)
		}
		return nil
	})
	return came, err
}

// CloseFeed implements app.PresenceStore.
func (s *Store) CloseFeed(ctx context.Context, id string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM attendant_feeds WHERE id = $1`, id); err != nil {
		return fmt.Errorf("close feed: %w", err)
	}
	return nil
}

// KeepFeeds implements app.PresenceStore.
func (s *Store) KeepFeeds(ctx context.Context, processID string, expiresAt, forgetBefore time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE attendant_feeds SET expires_at = $2 WHERE process_id = $1`, processID, expiresAt); err != nil {
		return fmt.Errorf("keep feeds: %w", err)
	}
	if _, err := s.db.ExecContext(ctx, `DELETE FROM attendant_feeds WHERE expires_at < $1`, forgetBefore); err != nil {
		return fmt.Errorf("expire feeds: %w", err)
	}
	return nil
}

// UpdateAttendant implements app.PresenceStore.
func (s *Store) UpdateAttendant(ctx context.Context, id string, fn func(*domain.Attendant) error) (*domain.Attendant, error) {
	var out *domain.Attendant
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var r attendantRow
		if err := tx.GetContext(ctx, &r, `SELECT `+attendantColumns+` FROM attendants WHERE id = $1 FOR UPDATE`, id); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return domain.NotFound("attendant")
			}
			return fmt.Errorf("attendant: %w", err)
		}
		a := r.domain()
		if err := fn(&a); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE attendants SET name = $2, role = $3, active = $4, max_open = $5, away = $6 WHERE id = $1`,
			a.ID, a.Name, a.Role, a.Active, a.MaxOpen, a.Away); err != nil {
			return fmt.Errorf("update attendant: %w", err)
		}
		out = &a
		return nil
	})
	return out, err
}

// AttendantLoads implements app.PresenceStore.
func (s *Store) AttendantLoads(ctx context.Context, now time.Time) (map[string]app.AttendantLoad, error) {
	var rows []struct {
		ID        string `db:"id"`
		Connected bool   `db:"connected"`
		Open      int    `db:"open"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT a.id::text AS id,
		EXISTS (SELECT 1 FROM attendant_feeds f WHERE f.attendant_id = a.id AND f.expires_at > $1) AS connected,
		(SELECT count(*) FROM attendances x WHERE x.attendant_id = a.id AND x.status = 'open') AS open
		FROM attendants a`, now); err != nil {
		return nil, fmt.Errorf("attendant loads: %w", err)
	}
	out := make(map[string]app.AttendantLoad, len(rows))
	for _, r := range rows {
		out[r.ID] = app.AttendantLoad{Connected: r.Connected, Open: r.Open}
	}
	return out, nil
}

// TeamOfInstance implements app.RoutingTx.
func (t *Tx) TeamOfInstance(ctx context.Context, instanceID string) (string, error) {
	var id string
	err := t.tx.GetContext(ctx, &id, `SELECT team_id::text FROM team_instances WHERE instance_id = $1`, instanceID)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("team of instance: %w", err)
	}
	return id, nil
}

// LockRouting implements app.RoutingTx. The advisory lock keeps two
// routers of one team apart (one reads the queue after the other
// committed); the members' rows, locked in id order, keep routers of
// different teams from filling one shared member past max_open. Counts
// are read after the locks, so they include every committed assignment.
func (t *Tx) LockRouting(ctx context.Context, teamID string, now time.Time, limit int) (domain.Routing, []domain.Member, []domain.Waiting, error) {
	if _, err := t.tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('zapgate.team.' || $1, 0))`, teamID); err != nil {
		return "", nil, nil, fmt.Errorf("lock team: %w", err)
	}
	var routing string
	if err := t.tx.GetContext(ctx, &routing, `SELECT routing FROM teams WHERE id = $1`, teamID); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil, nil, nil // deleted meanwhile: nothing to route
		}
		return "", nil, nil, fmt.Errorf("lock team: %w", err)
	}
	if domain.Routing(routing) != domain.RoundRobin {
		return domain.Routing(routing), nil, nil, nil
	}
	var ids []string
	if err := t.tx.SelectContext(ctx, &ids, `SELECT a.id::text FROM attendants a JOIN team_members m ON m.attendant_id = a.id
		WHERE m.team_id = $1 ORDER BY a.id FOR UPDATE OF a`, teamID); err != nil {
		return "", nil, nil, fmt.Errorf("lock members: %w", err)
	}
	var rows []struct {
		ID        string       `db:"id"`
		Online    bool         `db:"online"`
		Open      int          `db:"open"`
		MaxOpen   int          `db:"max_open"`
		LastGiven sql.NullTime `db:"last_assigned_at"`
	}
	if err := t.tx.SelectContext(ctx, &rows, `SELECT a.id::text AS id, a.max_open, a.last_assigned_at,
		(a.active AND NOT a.away AND EXISTS (SELECT 1 FROM attendant_feeds f WHERE f.attendant_id = a.id AND f.expires_at > $2)) AS online,
		(SELECT count(*) FROM attendances x WHERE x.attendant_id = a.id AND x.status = 'open') AS open
		FROM attendants a JOIN team_members m ON m.attendant_id = a.id WHERE m.team_id = $1 ORDER BY a.id`, teamID, now); err != nil {
		return "", nil, nil, fmt.Errorf("read members: %w", err)
	}
	members := make([]domain.Member, 0, len(rows))
	room := 0
	for _, r := range rows {
		m := domain.Member{AttendantID: r.ID, Online: r.Online, Open: r.Open, MaxOpen: r.MaxOpen}
		if r.LastGiven.Valid {
			m.LastAssignedAt = r.LastGiven.Time.UTC()
		}
		room += m.Room()
		members = append(members, m)
	}
	if room == 0 {
		return domain.RoundRobin, members, nil, nil
	}
	var waiting []struct {
		ID       string    `db:"id"`
		OpenedAt time.Time `db:"opened_at"`
	}
	if err := t.tx.SelectContext(ctx, &waiting, `SELECT id::text AS id, opened_at FROM attendances
		WHERE team_id = $1 AND status = 'open' AND attendant_id IS NULL
		ORDER BY opened_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`, teamID, min(room, limit)); err != nil {
		return "", nil, nil, fmt.Errorf("lock queue: %w", err)
	}
	queue := make([]domain.Waiting, 0, len(waiting))
	for _, w := range waiting {
		queue = append(queue, domain.Waiting{AttendanceID: w.ID, OpenedAt: w.OpenedAt.UTC()})
	}
	return domain.RoundRobin, members, queue, nil
}

// MarkAssigned implements app.RoutingTx.
func (t *Tx) MarkAssigned(ctx context.Context, attendantID string, at time.Time) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE attendants SET last_assigned_at = $2 WHERE id = $1`, attendantID, at); err != nil {
		return fmt.Errorf("mark assigned: %w", err)
	}
	return nil
}

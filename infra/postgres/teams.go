package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/zapgate/zapgate/domain"
)

type teamRow struct {
	ID           string         `db:"id"`
	Name         string         `db:"name"`
	Routing      string         `db:"routing"`
	CreatedAt    time.Time      `db:"created_at"`
	UpdatedAt    time.Time      `db:"updated_at"`
	InstanceIDs  pq.StringArray `db:"instance_ids"`
	AttendantIDs pq.StringArray `db:"attendant_ids"`
}

func (r teamRow) domain() domain.Team {
	return domain.Team{ID: r.ID, Name: r.Name, Routing: domain.Routing(r.Routing), CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(),
		InstanceIDs: append([]string{}, r.InstanceIDs...), AttendantIDs: append([]string{}, r.AttendantIDs...)}
}

const teamSQL = `SELECT t.id, t.name, t.routing, t.created_at, t.updated_at,
	array(SELECT i.instance_id::text FROM team_instances i WHERE i.team_id = t.id ORDER BY i.instance_id) AS instance_ids,
	array(SELECT m.attendant_id::text FROM team_members m WHERE m.team_id = t.id ORDER BY m.attendant_id) AS attendant_ids
	FROM teams t`

// inTx runs fn in a transaction of its own.
func (s *Store) inTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// InsertTeam implements app.TeamStore.
func (s *Store) InsertTeam(ctx context.Context, t *domain.Team) error {
	return s.inTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO teams (id, name, routing, created_at, updated_at) VALUES ($1, $2, $3, $4, $5)`,
			t.ID, t.Name, string(t.Routing), t.CreatedAt, t.UpdatedAt); err != nil {
			return fmt.Errorf("insert team: %w", err)
		}
		return saveTeamLinks(ctx, tx, t, true, true)
	})
}

// saveTeamLinks replaces the team's instances and members, as asked, and
// puts what waits unassigned and teamless on its instances in its queue.
func saveTeamLinks(ctx context.Context, tx *sqlx.Tx, t *domain.Team, instances, members bool) error {
	if instances {
		if _, err := tx.ExecContext(ctx, `DELETE FROM team_instances WHERE team_id = $1`, t.ID); err != nil {
			return fmt.Errorf("team instances: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO team_instances (instance_id, team_id) SELECT unnest($1::uuid[]), $2`,
			pq.Array(t.InstanceIDs), t.ID); err != nil {
			return teamError(err, "instance_ids", "no such instance")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE attendances SET team_id = $1
			WHERE instance_id = ANY($2::uuid[]) AND status = 'open' AND attendant_id IS NULL AND team_id IS NULL`,
			t.ID, pq.Array(t.InstanceIDs)); err != nil {
			return fmt.Errorf("team queue: %w", err)
		}
	}
	if members {
		if _, err := tx.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = $1`, t.ID); err != nil {
			return fmt.Errorf("team members: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO team_members (team_id, attendant_id) SELECT $1, unnest($2::uuid[])`,
			t.ID, pq.Array(t.AttendantIDs)); err != nil {
			return teamError(err, "attendant_ids", "no such attendant")
		}
	}
	return nil
}

// teamError translates the constraints of a team's links: an instance in
// another team, an id that names nothing.
func teamError(err error, field, missing string) error {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		switch pqErr.Code {
		case "23505":
			return domain.Conflict("instance_in_team", "an instance belongs to at most one team; remove it from its team first")
		case "23503":
			return domain.InvalidField(field, missing)
		}
	}
	return fmt.Errorf("team links: %w", err)
}

// UpdateTeam implements app.TeamStore.
func (s *Store) UpdateTeam(ctx context.Context, id string, fn func(*domain.Team) error) (*domain.Team, error) {
	var out *domain.Team
	err := s.inTx(ctx, func(tx *sqlx.Tx) error {
		var r teamRow
		if err := tx.GetContext(ctx, &r, teamSQL+` WHERE t.id = $1 FOR UPDATE OF t`, id); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return domain.NotFound("team")
			}
			return fmt.Errorf("team: %w", err)
		}
		t := r.domain()
		before := r.domain()
		if err := fn(&t); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE teams SET name = $2, routing = $3, updated_at = $4 WHERE id = $1`,
			t.ID, t.Name, string(t.Routing), t.UpdatedAt); err != nil {
			return fmt.Errorf("update team: %w", err)
		}
		if err := saveTeamLinks(ctx, tx, &t, !sameIDs(before.InstanceIDs, t.InstanceIDs), !sameIDs(before.AttendantIDs, t.AttendantIDs)); err != nil {
			return err
		}
		out = &t
		return nil
	})
	return out, err
}

func sameIDs(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	set := map[string]bool{}
	for _, id := range a {
		set[id] = true
	}
	for _, id := range b {
		if !set[id] {
			return false
		}
	}
	return true
}

// DeleteTeam implements app.TeamStore.
func (s *Store) DeleteTeam(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM teams WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete team: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("team")
	}
	return nil
}

// Team implements app.TeamStore.
func (s *Store) Team(ctx context.Context, id string) (*domain.Team, error) {
	if !domain.ValidID(id) {
		return nil, domain.NotFound("team")
	}
	var r teamRow
	if err := s.db.GetContext(ctx, &r, teamSQL+` WHERE t.id = $1`, id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, domain.NotFound("team")
		}
		return nil, fmt.Errorf("team: %w", err)
	}
	t := r.domain()
	return &t, nil
}

// ListTeams implements app.TeamStore, by name.
func (s *Store) ListTeams(ctx context.Context) ([]domain.Team, error) {
	var rows []teamRow
	if err := s.db.SelectContext(ctx, &rows, teamSQL+` ORDER BY t.name, t.id`); err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	out := make([]domain.Team, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.domain())
	}
	return out, nil
}

// RoutedTeamsOf implements app.TeamStore.
func (s *Store) RoutedTeamsOf(ctx context.Context, attendantIDs []string) ([]string, error) {
	var ids []string
	if err := s.db.SelectContext(ctx, &ids, `SELECT DISTINCT t.id::text FROM teams t JOIN team_members m ON m.team_id = t.id
		WHERE t.routing = $1 AND m.attendant_id = ANY($2::uuid[]) ORDER BY 1`, string(domain.RoundRobin), pq.Array(attendantIDs)); err != nil {
		return nil, fmt.Errorf("teams of attendants: %w", err)
	}
	return ids, nil
}

// TeamsWaiting implements app.TeamStore.
func (s *Store) TeamsWaiting(ctx context.Context) ([]string, error) {
	var ids []string
	if err := s.db.SelectContext(ctx, &ids, `SELECT t.id::text FROM teams t WHERE t.routing = $1 AND EXISTS (
		SELECT 1 FROM attendances a WHERE a.team_id = t.id AND a.status = 'open' AND a.attendant_id IS NULL) ORDER BY 1`,
		string(domain.RoundRobin)); err != nil {
		return nil, fmt.Errorf("teams waiting: %w", err)
	}
	return ids, nil
}

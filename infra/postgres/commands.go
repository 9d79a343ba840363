package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/zapgate/zapgate/domain"
)

// commandsChannel is the LISTEN/NOTIFY channel on which an ended command's
// id is announced.
const commandsChannel = "zapgate_command_ended"

const commandColumns = `id, instance_id, type, payload, status, result, error_code, error_message, created_at, done_at`

type commandRow struct {
	ID           string       `db:"id"`
	InstanceID   string       `db:"instance_id"`
	Type         string       `db:"type"`
	Payload      jsonText     `db:"payload"`
	Status       string       `db:"status"`
	Result       jsonText     `db:"result"`
	ErrorCode    string       `db:"error_code"`
	ErrorMessage string       `db:"error_message"`
	CreatedAt    time.Time    `db:"created_at"`
	DoneAt       sql.NullTime `db:"done_at"`
}

func (r commandRow) domain() domain.Command {
	return domain.Command{ID: r.ID, InstanceID: r.InstanceID, Type: domain.CommandType(r.Type), Payload: r.Payload,
		Status: domain.CommandStatus(r.Status), Result: r.Result, ErrorCode: r.ErrorCode, ErrorMessage: r.ErrorMessage,
		CreatedAt: r.CreatedAt.UTC(), DoneAt: timePtr(r.DoneAt)}
}

func getCommand(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) (*domain.Command, error) {
	var r commandRow
	if err := sqlx.GetContext(ctx, q, &r, query, args...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, domain.NotFound("command")
		}
		return nil, fmt.Errorf("read command: %w", err)
	}
	c := r.domain()
	return &c, nil
}

// Command implements app.Store.
func (s *Store) Command(ctx context.Context, instanceID, id string) (*domain.Command, error) {
	return getCommand(ctx, s.db, `SELECT `+commandColumns+` FROM commands WHERE instance_id = $1 AND id = $2`, instanceID, id)
}

// InsertCommand implements app.Tx.
func (t *Tx) InsertCommand(ctx context.Context, c *domain.Command) error {
	payload := jsonText(c.Payload)
	if payload == nil {
		payload = jsonText("{}")
	}
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO commands (id, instance_id, type, payload, status, created_at)
		VALUES ($1, $2, $3, $4, $5, $6)`, c.ID, c.InstanceID, string(c.Type), payload, string(c.Status), c.CreatedAt); err != nil {
		return fmt.Errorf("insert command: %w", err)
	}
	return nil
}

// LockCommand implements app.Tx.
func (t *Tx) LockCommand(ctx context.Context, id string) (*domain.Command, error) {
	return getCommand(ctx, t.tx, `SELECT `+commandColumns+` FROM commands WHERE id = $1 FOR UPDATE`, id)
}

// UpdateCommand implements app.Tx. The notice is sent when the transaction
// commits (Postgres holds NOTIFY until then), so a waiter that wakes reads
// the ended row.
func (t *Tx) UpdateCommand(ctx context.Context, c *domain.Command) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE commands SET status = $2, result = $3, error_code = $4,
		error_message = $5, done_at = $6 WHERE id = $1`, c.ID, string(c.Status), jsonText(c.Result), c.ErrorCode,
		c.ErrorMessage, nullTime(c.DoneAt)); err != nil {
		return fmt.Errorf("update command: %w", err)
	}
	if c.Ended() {
		if _, err := t.tx.ExecContext(ctx, `SELECT pg_notify($1, $2)`, commandsChannel, c.ID); err != nil {
			return fmt.Errorf("notify command ended: %w", err)
		}
	}
	return nil
}

// ClaimStaleCommands implements app.Tx.
func (t *Tx) ClaimStaleCommands(ctx context.Context, cutoff time.Time, limit int) ([]domain.Command, error) {
	var rows []commandRow
	if err := t.tx.SelectContext(ctx, &rows, `SELECT `+commandColumns+` FROM commands
		WHERE status = 'pending' AND created_at < $1
		ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED`, cutoff, limit); err != nil {
		return nil, fmt.Errorf("claim stale commands: %w", err)
	}
	out := make([]domain.Command, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.domain())
	}
	return out, nil
}

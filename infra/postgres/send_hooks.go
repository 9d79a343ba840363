package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/zapgate/zapgate/domain"
)

type sendHookRow struct {
	ID         string    `db:"id"`
	InstanceID string    `db:"instance_id"`
	Name       string    `db:"name"`
	To         string    `db:"to_phone"`
	Format     string    `db:"format"`
	TokenHash  []byte    `db:"token_hash"`
	CreatedAt  time.Time `db:"created_at"`
}

func (r sendHookRow) domain() domain.SendHook {
	return domain.SendHook{ID: r.ID, InstanceID: r.InstanceID, Name: r.Name, To: r.To, Format: domain.HookFormat(r.Format), TokenHash: r.TokenHash, CreatedAt: r.CreatedAt.UTC()}
}

// InsertSendHook implements app.SendHookStore.
func (s *Store) InsertSendHook(ctx context.Context, h *domain.SendHook) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO send_hooks (id, instance_id, name, to_phone, format, token_hash, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, h.ID, h.InstanceID, h.Name, h.To, string(h.Format), h.TokenHash, h.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert send hook: %w", err)
	}
	return nil
}

// SendHookByTokenHash implements app.SendHookStore.
func (s *Store) SendHookByTokenHash(ctx context.Context, hash []byte) (*domain.SendHook, error) {
	var r sendHookRow
	err := s.db.GetContext(ctx, &r, `SELECT id, instance_id, name, to_phone, format, token_hash, created_at FROM send_hooks WHERE token_hash = $1`, hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.NotFound("send hook")
	}
	if err != nil {
		return nil, fmt.Errorf("send hook: %w", err)
	}
	h := r.domain()
	return &h, nil
}

// ListSendHooks implements app.SendHookStore.
func (s *Store) ListSendHooks(ctx context.Context, instanceID string) ([]domain.SendHook, error) {
	var rows []sendHookRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, instance_id, name, to_phone, format, token_hash, created_at
		FROM send_hooks WHERE instance_id = $1 ORDER BY id`, instanceID); err != nil {
		return nil, fmt.Errorf("list send hooks: %w", err)
	}
	out := make([]domain.SendHook, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.domain())
	}
	return out, nil
}

// DeleteSendHook implements app.SendHookStore.
func (s *Store) DeleteSendHook(ctx context.Context, instanceID, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM send_hooks WHERE instance_id = $1 AND id = $2`, instanceID, id)
	if err != nil {
		return fmt.Errorf("delete send hook: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("send hook")
	}
	return nil
}

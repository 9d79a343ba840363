package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// TakeChecks implements app.CheckBudget: one upsert counts the numbers in
// the instance's current window, or opens a new window when the last one
// ended, and counts nothing when they do not fit. The row lock of the
// upsert serialises concurrent requests from every API process.
func (s *Store) TakeChecks(ctx context.Context, instanceID string, n, limit int, window time.Duration) (time.Duration, bool, error) {
	if n > limit {
		return window, false, nil
	}
	var start time.Time
	err := s.db.GetContext(ctx, &start, `
		INSERT INTO contact_check_windows AS w (instance_id, window_start, used) VALUES ($1, now(), $2)
		ON CONFLICT (instance_id) DO UPDATE SET
			window_start = CASE WHEN w.window_start <= now() - $4 * interval '1 microsecond' THEN now() ELSE w.window_start END,
			used = CASE WHEN w.window_start <= now() - $4 * interval '1 microsecond' THEN EXCLUDED.used ELSE w.used + EXCLUDED.used END
		WHERE w.window_start <= now() - $4 * interval '1 microsecond' OR w.used + EXCLUDED.used <= $3
		RETURNING window_start`, instanceID, n, limit, window.Microseconds())
	if err == nil {
		return 0, true, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return 0, false, fmt.Errorf("take checks: %w", err)
	}
	// Refused: the window is full; it ends window after it opened.
	var left float64
	if err := s.db.GetContext(ctx, &left, `SELECT extract(epoch FROM window_start + $2 * interval '1 microsecond' - now())
		FROM contact_check_windows WHERE instance_id = $1`, instanceID, window.Microseconds()); err != nil {
		return 0, false, fmt.Errorf("check window: %w", err)
	}
	return max(time.Duration(left*float64(time.Second)), 0), false, nil
}

package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/zapgate/zapgate/domain"
)

// ClaimSLABreaches implements app.SLATx. SKIP LOCKED lets replicas take
// disjoint rows; the outer "sla_breached_at IS NULL" re-checks a row that
// another transaction marked while this one waited, so no row is ever
// returned twice.
func (t *Tx) ClaimSLABreaches(ctx context.Context, now time.Time, limit int) ([]domain.Attendance, error) {
	var rows []attendanceRow
	if err := t.tx.SelectContext(ctx, &rows, `UPDATE attendances SET sla_breached_at = $1
		WHERE sla_breached_at IS NULL AND id IN (
			SELECT id FROM attendances
			WHERE status = 'open' AND first_reply_at IS NULL AND sla_breached_at IS NULL AND sla_due_at <= $1
			ORDER BY sla_due_at LIMIT $2 FOR UPDATE SKIP LOCKED)
		RETURNING `+attendanceColumns, now, limit); err != nil {
		return nil, fmt.Errorf("claim sla breaches: %w", err)
	}
	out := make([]domain.Attendance, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.domain())
	}
	return out, nil
}

package app

import (
	"context"
	"time"

	"github.com/zapgate/zapgate/domain"
)

// CloseIdleAttendances closes up to batch attendances idle for longer than
// idle, all in one transaction; replicas skip each other's rows.
func (a *App) CloseIdleAttendances(ctx context.Context, idle time.Duration, batch int) (int, error) {
	n := 0
	var freed []string // attendants with room now
	err := a.store.InTx(ctx, func(tx Tx) error {
		idleOnes, err := tx.ClaimIdleAttendances(ctx, a.now().Add(-idle), batch)
		if err != nil {
			return err
		}
		freed = freed[:0]
		for _, att := range idleOnes {
			if att.AttendantID != "" {
				freed = append(freed, att.AttendantID)
			}
			if _, err := a.closeAttendance(ctx, tx, att.ID, domain.ClosedIdle); err != nil {
				return err
			}
		}
		n = len(idleOnes)
		return nil
	})
	if err == nil && len(freed) > 0 {
		a.routeFor(ctx, freed)
	}
	return n, err
}

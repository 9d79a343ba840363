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
	err := a.store.InTx(ctx, func(tx Tx) error {
		idleOnes, err := tx.ClaimIdleAttendances(ctx, a.now().Add(-idle), batch)
		if err != nil {
			return err
		}
		for _, att := range idleOnes {
			if _, err := a.closeAttendance(ctx, tx, att.ID, domain.ClosedIdle); err != nil {
				return err
			}
		}
		n = len(idleOnes)
		return nil
	})
	return n, err
}

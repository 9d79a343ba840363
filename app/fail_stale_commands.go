package app

import (
	"context"
	"fmt"

	"github.com/zapgate/zapgate/domain"
)

// FailStaleCommands fails up to limit commands that waited longer than the
// command timeout to run, so none stays pending when no bot holds its
// instance; it returns how many it failed.
func (a *App) FailStaleCommands(ctx context.Context, limit int) (int, error) {
	now := a.now()
	n := 0
	err := a.store.InTx(ctx, func(tx Tx) error {
		n = 0
		cmds, err := tx.ClaimStaleCommands(ctx, now.Add(-a.cmdTimeout), limit)
		if err != nil {
			return err
		}
		for i := range cmds {
			c := &cmds[i]
			if err := c.Fail(domain.CommandNotConnected, "the instance was not connected in time", now); err != nil {
				continue // ended meanwhile: the first ending stands
			}
			if err := tx.UpdateCommand(ctx, c); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("fail stale commands: %w", err)
	}
	return n, nil
}

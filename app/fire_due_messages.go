package app

import (
	"context"
	"fmt"

	"github.com/zapgate/zapgate/events"
)

// FireDueMessages queues up to limit scheduled messages whose send_at has
// come: in one transaction they move to queued and their commands go to the
// outbox. Replicas skip each other's rows, so each message fires once.
func (a *App) FireDueMessages(ctx context.Context, limit int) (int, error) {
	n := 0
	err := a.store.InTx(ctx, func(tx Tx) error {
		now := a.now()
		due, err := tx.ClaimDueMessages(ctx, now, limit)
		if err != nil {
			return err
		}
		envs := make([]events.Envelope, 0, len(due))
		for i := range due {
			m := &due[i]
			if !m.Queue() {
				continue
			}
			if err := tx.UpdateMessage(ctx, m); err != nil {
				return err
			}
			envs = append(envs, sendCommand(m, now))
		}
		n = len(envs)
		return tx.Publish(ctx, envs...)
	})
	if err != nil {
		return 0, fmt.Errorf("fire due messages: %w", err)
	}
	return n, nil
}

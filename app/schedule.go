package app

import (
	"context"
	"fmt"
	"time"

	"github.com/zapgate/zapgate/domain"
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

// NextDueAt tells when the next scheduled message is due, nil if none.
func (a *App) NextDueAt(ctx context.Context) (*time.Time, error) {
	return a.store.NextDueAt(ctx)
}

// CancelMessage stops a scheduled message. Racing the scheduler, it waits
// for the row lock and then finds the message either still scheduled
// (canceled) or already queued (409): never both.
func (a *App) CancelMessage(ctx context.Context, instanceID, id string) (*domain.Message, error) {
	if !domain.ValidID(id) || !domain.ValidID(instanceID) {
		return nil, domain.NotFound("message")
	}
	var out *domain.Message
	err := a.store.InTx(ctx, func(tx Tx) error {
		m, err := tx.LockMessage(ctx, instanceID, id)
		if err != nil {
			return err
		}
		if err := m.Cancel(); err != nil {
			return err
		}
		out = m
		if err := tx.UpdateMessage(ctx, m); err != nil {
			return err
		}
		return tx.Publish(ctx, statusEvent(m, a.now()))
	})
	return out, err
}

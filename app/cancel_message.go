package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

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

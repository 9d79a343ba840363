package app

import (
	"context"
	"time"

	"github.com/zapgate/zapgate/domain"
)

// ApplyReceipt records a delivery or read receipt for an outgoing message
// and emits message.status when the status moved forward.
func (a *App) ApplyReceipt(ctx context.Context, instanceID, waMessageID string, status domain.MessageStatus, at time.Time) error {
	if domain.TextProblem(waMessageID) != "" {
		return domain.NotFound("message") // no stored message has such an id
	}
	return a.store.InTx(ctx, func(tx Tx) error {
		m, err := tx.LockMessageByWAID(ctx, instanceID, waMessageID)
		if err != nil {
			return err
		}
		before := *m
		changed := m.ApplyReceipt(status, at)
		if !changed && timesEqual(before.DeliveredAt, m.DeliveredAt) && timesEqual(before.ReadAt, m.ReadAt) {
			return nil
		}
		if err := tx.UpdateMessage(ctx, m); err != nil {
			return err
		}
		if !changed {
			return nil
		}
		return tx.Publish(ctx, statusEvent(m, a.now()))
	})
}

func timesEqual(a, b *time.Time) bool {
	return (a == nil) == (b == nil) && (a == nil || a.Equal(*b))
}

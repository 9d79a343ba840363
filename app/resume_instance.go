package app

import (
	"context"
	"fmt"

	"github.com/zapgate/zapgate/domain"
)

// ResumeInstance lifts a pause or ban early (an admin's call, after
// WhatsApp's warning was looked into); domain.ErrNotPaused when the
// instance's health is ok. The bot holding the instance sees the change on
// its next reconcile and lets the queue go.
func (a *App) ResumeInstance(ctx context.Context, instanceID string) (*domain.Instance, error) {
	if !domain.ValidID(instanceID) {
		return nil, domain.NotFound("instance")
	}
	now := a.now()
	var out *domain.Instance
	err := a.store.InTx(ctx, func(tx Tx) error {
		in, err := tx.LockInstance(ctx, instanceID)
		if err != nil {
			return err
		}
		if err := in.Resume(now); err != nil {
			return err
		}
		out = in
		return saveHealth(ctx, tx, in, now)
	})
	if err != nil {
		return nil, fmt.Errorf("resume instance %s: %w", instanceID, err)
	}
	return out, nil
}

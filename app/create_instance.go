package app

import (
	"context"
	"fmt"

	"github.com/zapgate/zapgate/domain"
)

// CreateInstance stores a new instance and returns it with its token, which
// is never shown again.
func (a *App) CreateInstance(ctx context.Context, name string) (*domain.Instance, string, error) {
	now := a.now()
	in, token, err := domain.NewInstance(name, now)
	if err != nil {
		return nil, "", err
	}
	if err := in.SetNewContactsPerDay(a.sending.NewContactsPerDay); err != nil {
		return nil, "", fmt.Errorf("create instance: default %w", err)
	}
	err = a.store.InTx(ctx, func(tx Tx) error {
		if err := tx.InsertInstance(ctx, in); err != nil {
			return err
		}
		// The insert sets what every schema has; the rest of the settings follow.
		if err := tx.UpdateInstance(ctx, in); err != nil {
			return err
		}
		return tx.Publish(ctx, instanceStatusEvent(in, now))
	})
	if err != nil {
		return nil, "", fmt.Errorf("create instance: %w", err)
	}
	return in, token, nil
}

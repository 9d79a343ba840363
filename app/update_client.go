package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// UpdateClient writes down a client's name, notes or attributes.
func (a *App) UpdateClient(ctx context.Context, id string, p domain.ClientProfile) (*ClientView, error) {
	if !domain.ValidID(id) {
		return nil, domain.NotFound("client")
	}
	if err := a.store.InTx(ctx, func(tx Tx) error {
		return tx.UpdateClient(ctx, id, p.Apply)
	}); err != nil {
		return nil, err
	}
	return a.GetClient(ctx, id)
}

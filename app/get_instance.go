package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// GetInstance returns one instance.
func (a *App) GetInstance(ctx context.Context, id string) (*domain.Instance, error) {
	if !domain.ValidID(id) {
		return nil, domain.NotFound("instance")
	}
	return a.store.Instance(ctx, id)
}

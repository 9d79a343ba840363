package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// GetCommand returns one command of an instance.
func (a *App) GetCommand(ctx context.Context, instanceID, id string) (*domain.Command, error) {
	if !domain.ValidID(id) || !domain.ValidID(instanceID) {
		return nil, domain.NotFound("command")
	}
	return a.store.Command(ctx, instanceID, id)
}

package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// GetMessage returns one message of an instance.
func (a *App) GetMessage(ctx context.Context, instanceID, id string) (*domain.Message, error) {
	if !domain.ValidID(id) || !domain.ValidID(instanceID) {
		return nil, domain.NotFound("message")
	}
	return a.store.Message(ctx, instanceID, id)
}

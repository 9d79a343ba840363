package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// Redeliver sends a delivery again now, whatever its state.
func (a *App) Redeliver(ctx context.Context, instanceID, webhookID, deliveryID string) error {
	if _, err := a.webhook(ctx, instanceID, webhookID); err != nil {
		return err
	}
	if !domain.ValidID(deliveryID) {
		return domain.NotFound("delivery")
	}
	return a.webhooks.Redeliver(ctx, webhookID, deliveryID, a.now())
}

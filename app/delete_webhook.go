package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// DeleteWebhook removes a subscription and its pending deliveries.
func (a *App) DeleteWebhook(ctx context.Context, instanceID, id string) error {
	if !domain.ValidID(instanceID) || !domain.ValidID(id) {
		return domain.NotFound("webhook")
	}
	return a.webhooks.DeleteWebhook(ctx, instanceID, id)
}

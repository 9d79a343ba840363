package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// ListDeliveries pages through a subscription's deliveries, newest first.
func (a *App) ListDeliveries(ctx context.Context, instanceID, webhookID string, p Page) ([]domain.Delivery, string, error) {
	if _, err := a.webhook(ctx, instanceID, webhookID); err != nil {
		return nil, "", err
	}
	p = clampPage(p)
	if p.Cursor != "" && !domain.ValidID(p.Cursor) {
		return nil, "", domain.InvalidField("cursor", "is not a cursor this API returned")
	}
	return a.webhooks.ListDeliveries(ctx, webhookID, p)
}

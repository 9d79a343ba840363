package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// ListWebhooks lists an instance's subscriptions.
func (a *App) ListWebhooks(ctx context.Context, instanceID string) ([]domain.Webhook, error) {
	if _, err := a.GetInstance(ctx, instanceID); err != nil {
		return nil, err
	}
	return a.webhooks.ListWebhooks(ctx, instanceID)
}

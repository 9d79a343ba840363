package app

import (
	"context"
	"fmt"

	"github.com/zapgate/zapgate/domain"
)

// CreateWebhook subscribes a URL to an instance's events; the secret is
// returned only here.
func (a *App) CreateWebhook(ctx context.Context, instanceID, url string, eventTypes []string) (*domain.Webhook, error) {
	if _, err := a.GetInstance(ctx, instanceID); err != nil {
		return nil, err
	}
	w, err := domain.NewWebhook(instanceID, url, eventTypes, a.now())
	if err != nil {
		return nil, err
	}
	if a.guard != nil {
		if err := a.guard.CheckURL(ctx, w.URL); err != nil {
			return nil, domain.InvalidField("url", err.Error())
		}
	}
	if err := a.webhooks.InsertWebhook(ctx, w); err != nil {
		return nil, fmt.Errorf("create webhook: %w", err)
	}
	return w, nil
}

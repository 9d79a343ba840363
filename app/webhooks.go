package app

import (
	"context"
	"time"

	"github.com/zapgate/zapgate/domain"
)

// WebhookStore keeps subscriptions and their deliveries.
type WebhookStore interface {
	InsertWebhook(ctx context.Context, w *domain.Webhook) error
	ListWebhooks(ctx context.Context, instanceID string) ([]domain.Webhook, error)
	// WebhooksOf lists the subscriptions of all the given instances.
	WebhooksOf(ctx context.Context, instanceIDs []string) ([]domain.Webhook, error)
	Webhook(ctx context.Context, instanceID, id string) (*domain.Webhook, error)
	DeleteWebhook(ctx context.Context, instanceID, id string) error

	// InsertDeliveries stores deliveries, skipping any a subscription
	// already has for the same event and replay; it returns how many were new.
	InsertDeliveries(ctx context.Context, ds []domain.Delivery) (int, error)
	ListDeliveries(ctx context.Context, webhookID string, p Page) ([]domain.Delivery, string, error)
	// ClaimDeliveries leases up to limit due deliveries, at most perHook of
	// any one subscription, skipping the given ones, by pushing their next
	// attempt into the future.
	ClaimDeliveries(ctx context.Context, now time.Time, limit, perHook int, skip []string, lease time.Duration) ([]DeliveryJob, error)
	// UpdateDeliveries stores the attempt fields of ds in one statement.
	UpdateDeliveries(ctx context.Context, ds []domain.Delivery) error
	// ReleaseDeliveries ends the lease of claimed deliveries, due now again.
	ReleaseDeliveries(ctx context.Context, ids []string, now time.Time) error
	// Redeliver makes a delivery pending and due now.
	Redeliver(ctx context.Context, webhookID, id string, now time.Time) error
}

// DeliveryJob is a leased delivery with its subscription.
type DeliveryJob struct {
	Delivery domain.Delivery
	Webhook  domain.Webhook
}

// URLGuard refuses webhook targets the operator does not allow (private
// networks when ZAPGATE_WEBHOOK_DENY_PRIVATE is on).
type URLGuard interface {
	CheckURL(ctx context.Context, rawURL string) error
}

func (a *App) webhook(ctx context.Context, instanceID, id string) (*domain.Webhook, error) {
	if !domain.ValidID(instanceID) || !domain.ValidID(id) {
		return nil, domain.NotFound("webhook")
	}
	return a.webhooks.Webhook(ctx, instanceID, id)
}

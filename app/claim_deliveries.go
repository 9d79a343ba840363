package app

import (
	"context"
	"time"
)

// ClaimDeliveries leases due deliveries for this process to attempt.
func (a *App) ClaimDeliveries(ctx context.Context, limit, perHook int, skip []string, lease time.Duration) ([]DeliveryJob, error) {
	return a.webhooks.ClaimDeliveries(ctx, a.now(), limit, perHook, skip, lease)
}

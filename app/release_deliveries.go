package app

import (
	"context"
)

// ReleaseDeliveries hands back claimed deliveries this process will not
// attempt now.
func (a *App) ReleaseDeliveries(ctx context.Context, ids []string) error {
	return a.webhooks.ReleaseDeliveries(ctx, ids, a.now())
}

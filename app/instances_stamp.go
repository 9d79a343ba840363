package app

import (
	"context"
)

// InstancesStamp changes whenever the set of instances or one of them does.
func (a *App) InstancesStamp(ctx context.Context) (string, error) {
	return a.store.InstancesStamp(ctx)
}

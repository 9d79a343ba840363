package app

import (
	"context"
	"time"
)

// PruneEvents enforces the retention of the event log.
func (a *App) PruneEvents(ctx context.Context, retention time.Duration) (int64, error) {
	return a.eventLog.DeleteEventsBefore(ctx, a.now().Add(-retention))
}

package app

import (
	"context"
	"time"
)

// PruneEvents enforces the retention of the event log, and of the replays
// that ended before it (their events are gone with it): it returns the rows
// removed.
func (a *App) PruneEvents(ctx context.Context, retention time.Duration) (int64, error) {
	before := a.now().Add(-retention)
	n, err := a.eventLog.DeleteEventsBefore(ctx, before)
	if err != nil {
		return n, err
	}
	r, err := a.replays.DeleteReplaysBefore(ctx, before)
	return n + r, err
}

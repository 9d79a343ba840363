package messaging

import (
	"context"
	"time"
)

// pollUntilDone runs step, then again after the wait it returns, until ctx
// ends: the one loop behind the workers that look for due work in Postgres
// (scheduled messages, replays, stale commands). A step that found a full
// batch returns 0 to go again at once.
func pollUntilDone(ctx context.Context, step func(ctx context.Context) time.Duration) error {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		}
		timer.Reset(step(ctx))
	}
}

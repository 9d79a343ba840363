package messaging

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"time"
)

// retry runs fn until it succeeds or ctx ends, with backoff.
func retry(ctx context.Context, log *slog.Logger, fn func() error) error {
	for attempt := 1; ; attempt++ {
		err := fn()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		log.Warn("database work failed, will retry", "err", err)
		if !sleep(ctx, backoff(attempt)) {
			return ctx.Err()
		}
	}
}

// backoff is 100 ms doubling to 5 s, jittered by ±30%.
func backoff(attempt int) time.Duration {
	return backoffAt(attempt, rand.Float64())
}

// backoffAt is backoff with the jitter drawn: r in [0, 1) maps to a factor
// in [0.7, 1.3). Apart so the policy is tested without randomness.
func backoffAt(attempt int, r float64) time.Duration {
	d := 100 * time.Millisecond << min(attempt-1, 6)
	d = min(d, 5*time.Second)
	return time.Duration(float64(d) * (0.7 + 0.6*r))
}

// sleep waits d; false if ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

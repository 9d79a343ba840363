package messaging

import (
	"context"
	"log/slog"
	"time"
)

// Firer is the app side of the scheduler.
type Firer interface {
	FireDueMessages(ctx context.Context, limit int) (int, error)
	NextDueAt(ctx context.Context) (*time.Time, error)
}

// Scheduler queues scheduled messages when they fall due. It sleeps until
// the next due time, with a short poll as a safety net for messages
// scheduled meanwhile (by this or another replica).
type Scheduler struct {
	app   Firer
	poll  time.Duration
	batch int
	log   *slog.Logger
}

// NewScheduler returns a scheduler polling at least every poll.
func NewScheduler(a Firer, poll time.Duration, log *slog.Logger) *Scheduler {
	return &Scheduler{app: a, poll: poll, batch: 500, log: log.With("role", "scheduler")}
}

// Run fires due messages until ctx ends.
func (s *Scheduler) Run(ctx context.Context) error {
	return pollUntilDone(ctx, s.fire)
}

// fire queues what is due and says how long to wait before looking again.
func (s *Scheduler) fire(ctx context.Context) time.Duration {
	n, err := s.app.FireDueMessages(ctx, s.batch)
	switch {
	case err != nil:
		if ctx.Err() == nil {
			s.log.Warn("fire scheduled messages", "err", err)
		}
		return s.poll
	case n == s.batch:
		return 0 // more are due
	}
	if n > 0 {
		s.log.Info("scheduled messages queued", "count", n)
	}
	if next, err := s.app.NextDueAt(ctx); err == nil && next != nil {
		return min(s.poll, max(time.Until(*next), 0))
	}
	return s.poll
}

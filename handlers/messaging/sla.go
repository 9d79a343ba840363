package messaging

import (
	"context"
	"log/slog"
	"time"
)

// SLABreacher is the app side of the SLA watcher.
type SLABreacher interface {
	BreachSLAs(ctx context.Context, batch int) (int, error)
}

// SLAWatcher reports attendances whose first reply is late. Every
// scheduler replica runs one; the store's claim makes each report happen
// once, from whichever replica sweeps first.
type SLAWatcher struct {
	app   SLABreacher
	every time.Duration
	batch int
	log   *slog.Logger
}

// NewSLAWatcher returns a watcher sweeping every every (about a second
// keeps a report within the contract's 5 s of the deadline).
func NewSLAWatcher(a SLABreacher, every time.Duration, log *slog.Logger) *SLAWatcher {
	return &SLAWatcher{app: a, every: every, batch: 100, log: log.With("role", "sla-watcher")}
}

// Run sweeps until ctx ends.
func (w *SLAWatcher) Run(ctx context.Context) error {
	return pollUntilDone(ctx, w.sweep)
}

// sweep reports what is late and says when to look again.
func (w *SLAWatcher) sweep(ctx context.Context) time.Duration {
	n, err := w.app.BreachSLAs(ctx, w.batch)
	switch {
	case err != nil:
		if ctx.Err() == nil {
			w.log.Warn("breach slas", "err", err)
		}
		return w.every
	case n == w.batch:
		return 0 // more are late
	}
	if n > 0 {
		w.log.Info("first-response SLAs breached", "count", n)
	}
	return w.every
}

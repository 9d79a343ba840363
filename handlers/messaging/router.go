package messaging

import (
	"context"
	"log/slog"
	"time"

	"github.com/zapgate/zapgate/app"
)

// Router is routing's safety net: every sweep it routes the teams with
// attendances waiting, so an assignment lost between a commit and its
// routing (a process died, a dashboard's connection expired) still
// happens. Routing itself runs where room appears (app.RouteTeam).
type Router struct {
	app   *app.App
	sweep time.Duration
	log   *slog.Logger
}

// NewRouter returns a router that sweeps every sweep.
func NewRouter(a *app.App, sweep time.Duration, log *slog.Logger) *Router {
	return &Router{app: a, sweep: sweep, log: log.With("role", "router")}
}

// Run sweeps until ctx ends.
func (r *Router) Run(ctx context.Context) error {
	t := time.NewTicker(r.sweep)
	defer t.Stop()
	for {
		n, err := r.app.RouteWaiting(ctx)
		if err != nil && ctx.Err() == nil {
			r.log.Warn("route waiting attendances", "err", err)
		}
		if n > 0 {
			r.log.Info("waiting attendances assigned by the sweep", "count", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

package messaging

import (
	"context"
	"log/slog"
	"time"

	"github.com/zapgate/zapgate/app"
)

// CommandSweeper fails commands that waited too long to run (no bot holds
// their instance, or it is not connected), so none stays pending forever.
type CommandSweeper struct {
	app   *app.App
	every time.Duration
	log   *slog.Logger
}

// NewCommandSweeper returns a sweeper that runs every every.
func NewCommandSweeper(a *app.App, every time.Duration, log *slog.Logger) *CommandSweeper {
	return &CommandSweeper{app: a, every: every, log: log.With("role", "command-sweeper")}
}

// sweepBatch caps one transaction of the sweeper.
const sweepBatch = 100

// Run sweeps until ctx ends.
func (s *CommandSweeper) Run(ctx context.Context) error {
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		for {
			n, err := s.app.FailStaleCommands(ctx, sweepBatch)
			if err != nil {
				if ctx.Err() == nil {
					s.log.Warn("fail stale commands", "err", err)
				}
				break
			}
			if n > 0 {
				s.log.Info("stale commands failed", "count", n)
			}
			if n < sweepBatch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

package messaging

import (
	"context"
	"log/slog"
	"time"
)

// StaleCommandFailer is the app side of the sweeper.
type StaleCommandFailer interface {
	FailStaleCommands(ctx context.Context, limit int) (int, error)
}

// CommandSweeper fails commands that waited too long to run (no bot holds
// their instance, or it is not connected), so none stays pending forever.
type CommandSweeper struct {
	app   StaleCommandFailer
	every time.Duration
	log   *slog.Logger
}

// NewCommandSweeper returns a sweeper that runs every every.
func NewCommandSweeper(a StaleCommandFailer, every time.Duration, log *slog.Logger) *CommandSweeper {
	return &CommandSweeper{app: a, every: every, log: log.With("role", "command-sweeper")}
}

// sweepBatch caps one transaction of the sweeper.
const sweepBatch = 100

// Run sweeps until ctx ends.
func (s *CommandSweeper) Run(ctx context.Context) error {
	return pollUntilDone(ctx, s.sweep)
}

// sweep fails one batch of stale commands.
func (s *CommandSweeper) sweep(ctx context.Context) time.Duration {
	n, err := s.app.FailStaleCommands(ctx, sweepBatch)
	if err != nil {
		if ctx.Err() == nil {
			s.log.Warn("fail stale commands", "err", err)
		}
		return s.every
	}
	if n > 0 {
		s.log.Info("stale commands failed", "count", n)
	}
	if n == sweepBatch {
		return 0 // more may be stale
	}
	return s.every
}

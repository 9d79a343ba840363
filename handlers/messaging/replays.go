package messaging

import (
	"context"
	"log/slog"
	"time"

	"github.com/zapgate/zapgate/domain"
)

// ReplayAdvancer is the app side of the replay worker.
type ReplayAdvancer interface {
	AdvanceReplay(ctx context.Context, id string, batch int) (*domain.Replay, error)
}

// Replayer sends running replays batch after batch. Between replays it
// polls: a request only writes a row, and any replica's worker may take it.
type Replayer struct {
	app   ReplayAdvancer
	poll  time.Duration
	batch int
	log   *slog.Logger
}

// NewReplayer returns a replay worker sending batch events a step, polling
// every poll when idle.
func NewReplayer(a ReplayAdvancer, poll time.Duration, batch int, log *slog.Logger) *Replayer {
	return &Replayer{app: a, poll: poll, batch: batch, log: log.With("role", "replayer")}
}

// Run advances replays until ctx ends.
func (r *Replayer) Run(ctx context.Context) error {
	return pollUntilDone(ctx, r.advance)
}

// advance sends one batch of a running replay, if any.
func (r *Replayer) advance(ctx context.Context) time.Duration {
	rp, err := r.app.AdvanceReplay(ctx, "", r.batch)
	switch {
	case err != nil:
		if ctx.Err() == nil {
			r.log.Warn("advance replay", "err", err)
		}
	case rp != nil:
		return 0 // this replay or another may have more
	}
	return r.poll
}

package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// MaxReplay is the most events one replay sends.
const MaxReplay = 10000

// Replay targets.
const (
	ReplayWebhooks  = domain.ReplayToWebhooks
	ReplayWebsocket = domain.ReplayToWebsocket
	ReplayAll       = domain.ReplayToAll
)

// ReplayStore keeps replays and reads the ranges of the event log they send.
type ReplayStore interface {
	// InReplayTx runs fn in one database transaction.
	InReplayTx(ctx context.Context, fn func(tx ReplayTx) error) error
	// CountReplayEvents counts the events f matches (its page ignored), at
	// most limit, and returns the log position of the last one counted;
	// more tells that more than limit matched.
	CountReplayEvents(ctx context.Context, f EventFilter, limit int) (n int, upto int64, more bool, err error)
	Replay(ctx context.Context, id string) (*domain.Replay, error)
	// DeleteReplaysBefore removes replays that ended before t.
	DeleteReplaysBefore(ctx context.Context, t time.Time) (int64, error)
}

// ReplayTx is the write side of a replay's transaction.
type ReplayTx interface {
	InsertReplay(ctx context.Context, r *domain.Replay) error
	// ClaimReplay locks a running replay, the given one or else the oldest,
	// skipping those another transaction holds; nil when there is none.
	ClaimReplay(ctx context.Context, id string) (*domain.Replay, error)
	// NextReplayEvents returns up to limit events of r's range after its
	// cursor, in log order, with their positions.
	NextReplayEvents(ctx context.Context, r *domain.Replay, limit int) ([]LoggedEvent, error)
	UpdateReplay(ctx context.Context, r *domain.Replay) error
	// InsertDeliveries is WebhookStore.InsertDeliveries in this transaction.
	InsertDeliveries(ctx context.Context, ds []domain.Delivery) (int, error)
	// Publish writes events to the outbox of this transaction.
	Publish(ctx context.Context, envs ...events.Envelope) error
}

// LoggedEvent is an event of the log with its position there.
type LoggedEvent struct {
	Position int64
	Env      events.Envelope
}

// ReplayRequest picks the events to send again and where.
type ReplayRequest struct {
	Since, Until *time.Time
	Types        []string
	InstanceID   string
	Target       string
	WebhookID    string
	Actor        string // who asked, for the audit log
}

// ReplayEvents records a replay of a filtered range of the event log and
// returns at once: a worker (RunReplays) sends the events again, marked
// replayed and with their original ids so receivers can de-duplicate, to
// webhooks (all subscriptions of each event's instance, or one), to the
// websocket feed, or both. The range is counted now, at most MaxReplay
// events, the oldest first.
func (a *App) ReplayEvents(ctx context.Context, r ReplayRequest) (*domain.Replay, error) {
	if err := domain.ValidateReplay(r.Since, r.Until, r.Types, r.InstanceID, r.Target, r.WebhookID); err != nil {
		return nil, err
	}
	f := EventFilter{InstanceID: r.InstanceID, Types: r.Types, Since: r.Since, Until: r.Until}
	n, upto, more, err := a.replays.CountReplayEvents(ctx, f, MaxReplay)
	if err != nil {
		return nil, fmt.Errorf("count replay: %w", err)
	}
	now := a.now()
	rp, err := domain.NewReplay(domain.NewID(now), r.Since, r.Until, r.Types, r.InstanceID, r.Target, r.WebhookID,
		r.Actor, n, more, upto, now)
	if err != nil {
		return nil, err
	}
	if err := a.replays.InReplayTx(ctx, func(tx ReplayTx) error { return tx.InsertReplay(ctx, rp) }); err != nil {
		return nil, fmt.Errorf("record replay: %w", err)
	}
	a.logger.Info("events replay requested", slog.String("replay_id", rp.ID), slog.String("actor", r.Actor),
		slog.String("target", rp.Target), slog.String("instance", r.InstanceID), slog.Any("types", r.Types),
		slog.Int("count", rp.Count), slog.Bool("truncated", rp.Truncated))
	return rp, nil
}

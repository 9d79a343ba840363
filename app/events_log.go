package app

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// EventLog reads the events kept in the outbox, in the order they were
// forwarded, never past a transaction still in flight (commit order).
type EventLog interface {
	// ListEvents returns a page and the cursor of the next ("" at the end
	// for now); a SinceID the log does not have is a not-found error.
	ListEvents(ctx context.Context, f EventFilter) ([]events.Envelope, string, error)
	// EventsAfter returns up to limit events forwarded after the event with
	// id after, up to and with the event upTo ("": all forwarded so far),
	// optionally of one instance; an unknown id is a not-found error.
	EventsAfter(ctx context.Context, after, upTo, instanceID string, limit int) ([]events.Envelope, error)
	// DeleteEventsBefore removes forwarded events older than t.
	DeleteEventsBefore(ctx context.Context, t time.Time) (int64, error)
}

// EventFilter narrows the event log.
type EventFilter struct {
	Page
	InstanceID string
	Types      []string
	Since      *time.Time
	Until      *time.Time
	// SinceID lists the events after this one, as a websocket resume does.
	SinceID string
}

// MaxReplay is the most events one replay sends.
const MaxReplay = 10000

// ListEvents pages through the event log, oldest first.
func (a *App) ListEvents(ctx context.Context, f EventFilter) ([]events.Envelope, string, error) {
	f.Page = clampPage(f.Page)
	if f.InstanceID != "" && !domain.ValidID(f.InstanceID) {
		return nil, "", domain.InvalidField("instance", "must be an instance id")
	}
	if f.SinceID != "" && !domain.ValidID(f.SinceID) {
		return nil, "", domain.InvalidField("since", "must be an event id or an RFC 3339 time")
	}
	return a.eventLog.ListEvents(ctx, f)
}

// EventsAfter resumes a feed after a known event.
func (a *App) EventsAfter(ctx context.Context, after, upTo, instanceID string, limit int) ([]events.Envelope, error) {
	return a.eventLog.EventsAfter(ctx, after, upTo, instanceID, limit)
}

// PruneEvents enforces the retention of the event log.
func (a *App) PruneEvents(ctx context.Context, retention time.Duration) (int64, error) {
	return a.eventLog.DeleteEventsBefore(ctx, a.now().Add(-retention))
}

// Replay targets.
const (
	ReplayWebhooks  = "webhooks"
	ReplayWebsocket = "websocket"
	ReplayAll       = "all"
)

// ReplayRequest picks the events to send again and where.
type ReplayRequest struct {
	Since, Until *time.Time
	Types        []string
	InstanceID   string
	Target       string
	WebhookID    string
	Actor        string // who asked, for the audit log
}

// ReplayResult reports what a replay sent.
type ReplayResult struct {
	ReplayID  string
	Count     int
	Truncated bool // more events matched than MaxReplay
}

// ReplayEvents sends a filtered range of the event log again, marked
// replayed and with the original ids so receivers can de-duplicate: to
// webhooks (all subscriptions of each event's instance, or one), to the
// websocket feed, or both.
func (a *App) ReplayEvents(ctx context.Context, r ReplayRequest) (*ReplayResult, error) {
	fields := map[string]string{}
	switch r.Target {
	case "":
		r.Target = ReplayAll
	case ReplayWebhooks, ReplayWebsocket, ReplayAll:
	default:
		fields["target"] = "must be webhooks, websocket or all"
	}
	if r.InstanceID != "" && !domain.ValidID(r.InstanceID) {
		fields["instance_id"] = "must be an instance id"
	}
	if r.WebhookID != "" && (!domain.ValidID(r.WebhookID) || r.Target == ReplayWebsocket) {
		fields["webhook_id"] = "must be a webhook id, with target webhooks or all"
	}
	if r.Since != nil && r.Until != nil && !r.Until.After(*r.Since) {
		fields["until"] = "must be after since"
	}
	if len(fields) > 0 {
		return nil, domain.Invalid(fields)
	}
	now := a.now()
	res := &ReplayResult{ReplayID: domain.NewID(now)}
	f := EventFilter{Page: Page{Limit: 500}, InstanceID: r.InstanceID, Types: r.Types, Since: r.Since, Until: r.Until}
	var picked []events.Envelope
	for {
		page, next, err := a.eventLog.ListEvents(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			if len(picked) == MaxReplay {
				res.Truncated = true
				break
			}
			e.Replayed = true
			picked = append(picked, e)
		}
		if next == "" || res.Truncated {
			break
		}
		f.Cursor = next
	}
	res.Count = len(picked)
	if r.Target != ReplayWebsocket {
		if err := a.replayToWebhooks(ctx, res.ReplayID, r.WebhookID, picked, now); err != nil {
			return nil, err
		}
	}
	if r.Target != ReplayWebhooks {
		for start := 0; start < len(picked); start += 500 {
			batch := picked[start:min(start+500, len(picked))]
			if err := a.store.InTx(ctx, func(tx Tx) error { return tx.Publish(ctx, batch...) }); err != nil {
				return nil, fmt.Errorf("replay to websocket: %w", err)
			}
		}
	}
	a.logger.Info("events replayed", slog.String("replay_id", res.ReplayID), slog.String("actor", r.Actor),
		slog.String("target", r.Target), slog.String("instance", r.InstanceID), slog.Any("types", r.Types),
		slog.Int("count", res.Count), slog.Bool("truncated", res.Truncated))
	return res, nil
}

func (a *App) replayToWebhooks(ctx context.Context, replayID, webhookID string, evs []events.Envelope, now time.Time) error {
	hooks := map[string][]domain.Webhook{} // by instance
	var ds []domain.Delivery
	for _, e := range evs {
		ws, ok := hooks[e.InstanceID]
		if !ok {
			var err error
			if ws, err = a.webhooks.ListWebhooks(ctx, e.InstanceID); err != nil {
				return err
			}
			hooks[e.InstanceID] = ws
		}
		payload, err := encodeEnvelope(e)
		if err != nil {
			return err
		}
		for _, w := range ws {
			if (webhookID == "" && w.Wants(e.Type)) || w.ID == webhookID {
				ds = append(ds, newDelivery(w.ID, e, replayID, payload, now))
			}
		}
		if len(ds) >= 500 {
			if _, err := a.webhooks.InsertDeliveries(ctx, ds); err != nil {
				return err
			}
			ds = ds[:0]
		}
	}
	if len(ds) > 0 {
		if _, err := a.webhooks.InsertDeliveries(ctx, ds); err != nil {
			return err
		}
	}
	return nil
}

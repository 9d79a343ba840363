package app

import (
	"context"
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

// ListEvents pages through the event log, oldest first.
func (a *App) ListEvents(ctx context.Context, f EventFilter) ([]events.Envelope, string, error) {
	f.Page = clampPage(f.Page)
	if f.InstanceID != "" && !domain.ValidID(f.InstanceID) {
		return nil, "", domain.InvalidField("instance", "must be an instance id")
	}
	for _, t := range f.Types {
		if err := domain.CheckText("type", t); err != nil {
			return nil, "", err
		}
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

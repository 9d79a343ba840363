package app

import (
	"context"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// EventLog reads the events kept in the outbox, in the order they were
// forwarded.
type EventLog interface {
	ListEvents(ctx context.Context, f EventFilter) ([]events.Envelope, string, error)
	// EventsAfter returns up to limit events forwarded after the event with
	// id after (not found: a not-found error), optionally of one instance.
	EventsAfter(ctx context.Context, after, instanceID string, limit int) ([]events.Envelope, error)
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
	return a.eventLog.ListEvents(ctx, f)
}

// EventsAfter resumes a feed after a known event.
func (a *App) EventsAfter(ctx context.Context, after, instanceID string, limit int) ([]events.Envelope, error) {
	return a.eventLog.EventsAfter(ctx, after, instanceID, limit)
}

// PruneEvents enforces the retention of the event log.
func (a *App) PruneEvents(ctx context.Context, retention time.Duration) (int64, error) {
	return a.eventLog.DeleteEventsBefore(ctx, a.now().Add(-retention))
}

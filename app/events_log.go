package app

import (
	"context"
	"time"

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

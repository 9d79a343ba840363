package app

import (
	"context"

	"github.com/zapgate/zapgate/events"
)

// EventsAfter resumes a feed after a known event.
func (a *App) EventsAfter(ctx context.Context, after, upTo, instanceID string, limit int) ([]events.Envelope, error) {
	return a.eventLog.EventsAfter(ctx, after, upTo, instanceID, limit)
}

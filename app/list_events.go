package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

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

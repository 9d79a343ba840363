package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// ListMessages pages through an instance's messages, newest first.
func (a *App) ListMessages(ctx context.Context, f MessageFilter) ([]domain.Message, string, error) {
	if _, err := a.GetInstance(ctx, f.InstanceID); err != nil {
		return nil, "", err
	}
	f.Page = clampPage(f.Page)
	fields := map[string]string{}
	if f.Cursor != "" && !domain.ValidID(f.Cursor) {
		fields["cursor"] = "is not a cursor this API returned"
	}
	if f.Direction != "" && f.Direction != domain.DirectionIn && f.Direction != domain.DirectionOut {
		fields["direction"] = "must be in or out"
	}
	switch f.Status {
	case "", domain.StatusScheduled, domain.StatusQueued, domain.StatusSent, domain.StatusDelivered,
		domain.StatusRead, domain.StatusFailed, domain.StatusCanceled, domain.StatusReceived:
	default:
		fields["status"] = "is not a message status"
	}
	if len(fields) > 0 {
		return nil, "", domain.Invalid(fields)
	}
	return a.store.ListMessages(ctx, f)
}

package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// UpdateCannedReply changes a canned reply's shortcut, text or both.
func (a *App) UpdateCannedReply(ctx context.Context, id string, shortcut, text *string) (*domain.CannedReply, error) {
	if !domain.ValidID(id) {
		return nil, domain.NotFound("canned reply")
	}
	return a.tools.UpdateCannedReply(ctx, id, func(r *domain.CannedReply) error {
		return r.Edit(shortcut, text, a.now())
	})
}

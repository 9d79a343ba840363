package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// DeleteCannedReply removes a canned reply.
func (a *App) DeleteCannedReply(ctx context.Context, id string) error {
	if !domain.ValidID(id) {
		return domain.NotFound("canned reply")
	}
	return a.tools.DeleteCannedReply(ctx, id)
}

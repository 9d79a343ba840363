package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// DeleteSendHook removes a hook: its URL stops working at once.
func (a *App) DeleteSendHook(ctx context.Context, instanceID, id string) error {
	if !domain.ValidID(id) || !domain.ValidID(instanceID) {
		return domain.NotFound("send hook")
	}
	return a.hooks.DeleteSendHook(ctx, instanceID, id)
}

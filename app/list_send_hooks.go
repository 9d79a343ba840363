package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// ListSendHooks lists an instance's hooks (never their tokens).
func (a *App) ListSendHooks(ctx context.Context, instanceID string) ([]domain.SendHook, error) {
	if _, err := a.GetInstance(ctx, instanceID); err != nil {
		return nil, err
	}
	return a.hooks.ListSendHooks(ctx, instanceID)
}

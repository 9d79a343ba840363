package app

import (
	"context"
	"fmt"

	"github.com/zapgate/zapgate/domain"
)

// CreateSendHook makes a new secret URL for the instance; the token is
// returned once. format says how posts are read (domain.HookFormat; empty
// is auto).
func (a *App) CreateSendHook(ctx context.Context, instanceID, name, to, format string) (*domain.SendHook, string, error) {
	if _, err := a.GetInstance(ctx, instanceID); err != nil {
		return nil, "", err
	}
	h, token, err := domain.NewSendHook(instanceID, name, to, format, a.now())
	if err != nil {
		return nil, "", err
	}
	if err := a.hooks.InsertSendHook(ctx, h); err != nil {
		return nil, "", fmt.Errorf("create send hook: %w", err)
	}
	return h, token, nil
}

package app

import (
	"context"
	"crypto/subtle"

	"github.com/zapgate/zapgate/domain"
)

// SendHook resolves a hook token; unknown tokens are not found.
func (a *App) SendHook(ctx context.Context, token string) (*domain.SendHook, error) {
	hash := domain.HashSecret(token)
	h, err := a.hooks.SendHookByTokenHash(ctx, hash)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(h.TokenHash, hash) != 1 {
		return nil, domain.NotFound("send hook")
	}
	return h, nil
}

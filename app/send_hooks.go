package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// SendHookStore keeps send hooks.
type SendHookStore interface {
	InsertSendHook(ctx context.Context, h *domain.SendHook) error
	SendHookByTokenHash(ctx context.Context, hash []byte) (*domain.SendHook, error)
	ListSendHooks(ctx context.Context, instanceID string) ([]domain.SendHook, error)
	// DeleteSendHook reports a not-found error when the hook does not exist.
	DeleteSendHook(ctx context.Context, instanceID, id string) error
}

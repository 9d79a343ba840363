package app

import (
	"context"
	"crypto/subtle"
	"fmt"

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

// CreateSendHook makes a new secret URL for the instance; the token is
// returned once.
func (a *App) CreateSendHook(ctx context.Context, instanceID, name, to string) (*domain.SendHook, string, error) {
	if _, err := a.GetInstance(ctx, instanceID); err != nil {
		return nil, "", err
	}
	h, token, err := domain.NewSendHook(instanceID, name, to, a.now())
	if err != nil {
		return nil, "", err
	}
	if err := a.hooks.InsertSendHook(ctx, h); err != nil {
		return nil, "", fmt.Errorf("create send hook: %w", err)
	}
	return h, token, nil
}

// ListSendHooks lists an instance's hooks (never their tokens).
func (a *App) ListSendHooks(ctx context.Context, instanceID string) ([]domain.SendHook, error) {
	if _, err := a.GetInstance(ctx, instanceID); err != nil {
		return nil, err
	}
	return a.hooks.ListSendHooks(ctx, instanceID)
}

// DeleteSendHook removes a hook: its URL stops working at once.
func (a *App) DeleteSendHook(ctx context.Context, instanceID, id string) error {
	if !domain.ValidID(id) || !domain.ValidID(instanceID) {
		return domain.NotFound("send hook")
	}
	return a.hooks.DeleteSendHook(ctx, instanceID, id)
}

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

// SendViaHook sends text through the hook's instance, to `to` or the hook's
// default recipient, through the same pipeline as any message.
func (a *App) SendViaHook(ctx context.Context, h *domain.SendHook, to, text string) (*domain.Message, error) {
	if to == "" {
		to = h.To
	}
	if to == "" {
		return nil, domain.InvalidField("to", "is required: this hook has no default recipient")
	}
	m, _, err := a.SendMessage(ctx, SendMessage{InstanceID: h.InstanceID, To: to, Type: string(domain.TypeText), Text: text})
	return m, err
}

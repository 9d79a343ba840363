package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

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

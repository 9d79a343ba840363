package app

import (
	"context"
	"log/slog"

	"github.com/zapgate/zapgate/app/hookformat"
	"github.com/zapgate/zapgate/domain"
)

// PostToHook reads what a tool posted to a send hook in the hook's format
// (Alertmanager, Grafana, GitHub, text, or detected) and sends the text it
// makes to the recipient the body names, else to, else the hook's default.
// A post that asks for nothing (GitHub's ping, a run not yet finished)
// sends nothing and returns why.
func (a *App) PostToHook(ctx context.Context, h *domain.SendHook, to string, post hookformat.Post) (*domain.Message, string, error) {
	r, err := hookformat.Convert(h.Format, post)
	if err != nil {
		return nil, "", err
	}
	if r.Skip != "" {
		a.logger.Info("send hook post skipped", slog.String("hook_id", h.ID),
			slog.String("instance_id", h.InstanceID), slog.String("reason", r.Skip))
		return nil, r.Skip, nil
	}
	if r.To != "" {
		to = r.To
	}
	m, err := a.SendViaHook(ctx, h, to, r.Text)
	return m, "", err
}

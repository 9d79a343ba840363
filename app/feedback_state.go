package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// FeedbackState tells the public page what to show for a link.
func (a *App) FeedbackState(ctx context.Context, token string) (string, error) {
	t, err := a.feedback.FeedbackToken(ctx, domain.HashSecret(token))
	if err != nil {
		return "", err
	}
	switch {
	case t.UsedAt != nil:
		return "used", nil
	case !a.now().Before(t.ExpiresAt):
		return "expired", nil
	}
	return "open", nil
}

package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// CreateCannedReply saves an answer attendants insert by /shortcut.
func (a *App) CreateCannedReply(ctx context.Context, shortcut, text string) (*domain.CannedReply, error) {
	r, err := domain.NewCannedReply(shortcut, text, a.now())
	if err != nil {
		return nil, err
	}
	return r, a.tools.InsertCannedReply(ctx, r)
}

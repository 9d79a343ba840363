package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// GetReplay shows a replay's progress.
func (a *App) GetReplay(ctx context.Context, id string) (*domain.Replay, error) {
	if !domain.ValidID(id) {
		return nil, domain.NotFound("replay")
	}
	return a.replays.Replay(ctx, id)
}

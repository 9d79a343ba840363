package app

import (
	"context"
	"fmt"

	"github.com/zapgate/zapgate/domain"
)

// QueuedSends returns the instance's messages among ids that are still
// queued, keyed by id, in one round trip.
func (a *App) QueuedSends(ctx context.Context, instanceID string, ids []string) (map[string]domain.Message, error) {
	ms, err := a.store.QueuedMessages(ctx, instanceID, ids)
	if err != nil {
		return nil, fmt.Errorf("queued sends: %w", err)
	}
	out := make(map[string]domain.Message, len(ms))
	for _, m := range ms {
		out[m.ID] = m
	}
	return out, nil
}

package app

import (
	"context"
	"time"
)

// NextDueAt tells when the next scheduled message is due, nil if none.
func (a *App) NextDueAt(ctx context.Context) (*time.Time, error) {
	return a.store.NextDueAt(ctx)
}

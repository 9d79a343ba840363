package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// ListAttendants lists everyone who can log in.
func (a *App) ListAttendants(ctx context.Context) ([]domain.Attendant, error) {
	return a.attendants.ListAttendants(ctx)
}

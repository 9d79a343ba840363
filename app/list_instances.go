package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// ListInstances pages through instances, oldest first.
func (a *App) ListInstances(ctx context.Context, p Page) ([]domain.Instance, string, error) {
	p = clampPage(p)
	if p.Cursor != "" && !domain.ValidID(p.Cursor) {
		return nil, "", domain.InvalidField("cursor", "is not a cursor this API returned")
	}
	return a.store.ListInstances(ctx, p)
}

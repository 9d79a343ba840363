package app

import (
	"context"

	"github.com/zapgate/zapgate/domain"
)

// AllInstances lists every instance, for the bot to reconcile sessions.
func (a *App) AllInstances(ctx context.Context) ([]domain.Instance, error) {
	var all []domain.Instance
	p := Page{Limit: 500}
	for {
		items, next, err := a.store.ListInstances(ctx, p)
		if err != nil {
			return nil, err
		}
		all = append(all, items...)
		if next == "" {
			return all, nil
		}
		p.Cursor = next
	}
}

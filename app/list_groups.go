package app

import "context"

// ListGroups lists the groups the instance is in, oldest first, as the bot
// last recorded them.
func (a *App) ListGroups(ctx context.Context, instanceID string, p Page) ([]GroupSummary, string, error) {
	if _, err := a.GetInstance(ctx, instanceID); err != nil {
		return nil, "", err
	}
	return a.groups.ListGroups(ctx, instanceID, clampPage(p))
}

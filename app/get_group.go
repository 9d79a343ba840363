package app

import "context"

// GetGroup reads one group the instance is in, with its participants.
func (a *App) GetGroup(ctx context.Context, instanceID, jid string) (*GroupInfo, error) {
	if _, err := a.GetInstance(ctx, instanceID); err != nil {
		return nil, err
	}
	j, err := groupArg(jid)
	if err != nil {
		return nil, err
	}
	return a.groups.Group(ctx, instanceID, j)
}

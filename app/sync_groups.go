package app

import (
	"context"
	"fmt"
)

// SyncGroups brings the instance's groups up to date with WhatsApp after a
// (re)connect, when news of groups may have been missed: every group it is
// in is recorded (group.joined for new ones, group.updated for changed
// ones) and those it is no longer in are forgotten (group.left). A driver
// without groups has nothing to sync.
func (a *App) SyncGroups(ctx context.Context, instanceID string) error {
	gm, ok := a.wa.(GroupManager)
	if !ok {
		return nil
	}
	// Read what was recorded before asking WhatsApp: a group recorded
	// meanwhile (a create that just ended) is then never taken as left.
	before, err := a.groups.GroupJIDs(ctx, instanceID)
	if err != nil {
		return fmt.Errorf("sync groups: %w", err)
	}
	joined, err := gm.JoinedGroups(ctx, instanceID)
	if err != nil {
		return fmt.Errorf("sync groups: %w", err)
	}
	in := make(map[string]bool, len(joined))
	for _, g := range joined {
		if err := a.GroupJoined(ctx, instanceID, g); err != nil {
			return fmt.Errorf("sync groups: %w", err)
		}
		in[g.JID] = true
	}
	for _, jid := range before {
		if in[jid] {
			continue
		}
		if err := a.GroupLeft(ctx, instanceID, jid); err != nil {
			return fmt.Errorf("sync groups: %w", err)
		}
	}
	return nil
}

package app

import (
	"context"
	"fmt"
)

// SyncGroups brings the instance's groups up to date with WhatsApp after a
// (re)connect, when news of groups may have been missed: every group it is
// in is recorded (group.joined for new ones, group.updated for changed
// ones) and those it is no longer in are forgotten (group.left). A group
// recorded by other news while WhatsApp was being asked is left as that
// news made it: the answer may be older. A driver without groups has
// nothing to sync.
func (a *App) SyncGroups(ctx context.Context, instanceID string) error {
	gm, ok := a.wa.(GroupManager)
	if !ok {
		return nil
	}
	before, err := a.groups.GroupVersions(ctx, instanceID)
	if err != nil {
		return fmt.Errorf("sync groups: %w", err)
	}
	joined, err := gm.JoinedGroups(ctx, instanceID)
	if err != nil {
		return fmt.Errorf("sync groups: %w", err)
	}
	after, err := a.groups.GroupVersions(ctx, instanceID)
	if err != nil {
		return fmt.Errorf("sync groups: %w", err)
	}
	untouched := func(jid string) bool {
		b, wasIn := before[jid]
		c, isIn := after[jid]
		return wasIn == isIn && b == c
	}
	in := make(map[string]bool, len(joined))
	for _, g := range joined {
		in[g.JID] = true
		if !untouched(g.JID) {
			continue
		}
		if err := a.GroupJoined(ctx, instanceID, g); err != nil {
			return fmt.Errorf("sync groups: %w", err)
		}
	}
	for jid := range before {
		if in[jid] || !untouched(jid) {
			continue
		}
		if err := a.GroupLeft(ctx, instanceID, jid); err != nil {
			return fmt.Errorf("sync groups: %w", err)
		}
	}
	return nil
}

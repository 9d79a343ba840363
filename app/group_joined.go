package app

import (
	"context"
	"fmt"

	"github.com/zapgate/zapgate/domain"
)

// GroupJoined records a group WhatsApp says the instance is in, with its
// participants: group.joined when the instance was not known to be in it,
// group.updated when it changed, nothing when it is as stored.
func (a *App) GroupJoined(ctx context.Context, instanceID string, g GroupInfo) error {
	addr, err := domain.ParseGroupJID("jid", g.JID)
	if err != nil {
		return err
	}
	g.JID = addr.JID()
	self, err := a.selfJID(ctx, instanceID)
	if err != nil {
		return err
	}
	if err := a.store.InTx(ctx, func(tx Tx) error { return a.storeGroup(ctx, tx, instanceID, self, g) }); err != nil {
		return fmt.Errorf("group joined %s: %w", g.JID, err)
	}
	return nil
}

// learnGroup asks WhatsApp about a group the instance is in but that was
// not recorded (news of it came first) and records it; false when the
// driver cannot tell.
func (a *App) learnGroup(ctx context.Context, instanceID, jid string) (bool, error) {
	gm, ok := a.wa.(GroupManager)
	if !ok {
		return false, nil
	}
	g, err := gm.GroupInfo(ctx, instanceID, jid)
	if err != nil {
		return false, fmt.Errorf("read group %s from WhatsApp: %w", jid, err)
	}
	return true, a.GroupJoined(ctx, instanceID, *g)
}

// knownGroup tells whether the instance is recorded in the group.
func (a *App) knownGroup(ctx context.Context, instanceID, jid string) (bool, error) {
	_, err := a.groups.Group(ctx, instanceID, jid)
	if domain.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

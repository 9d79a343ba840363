package app

import (
	"context"
	"fmt"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// GroupChanged applies a change of a group's settings WhatsApp told of (by
// is who made it, a JID or ""): group.updated with the group, nothing when
// the group already shows it. A group not recorded yet is read from
// WhatsApp and recorded whole.
func (a *App) GroupChanged(ctx context.Context, instanceID, jid string, change GroupChange, by string) error {
	addr, err := domain.ParseGroupJID("jid", jid)
	if err != nil {
		return err
	}
	jid = addr.JID()
	known, err := a.knownGroup(ctx, instanceID, jid)
	if err != nil {
		return err
	}
	if !known {
		if learnt, err := a.learnGroup(ctx, instanceID, jid); learnt || err != nil {
			return err
		}
	}
	self, err := a.selfJID(ctx, instanceID)
	if err != nil {
		return err
	}
	err = a.store.InTx(ctx, func(tx Tx) error {
		g, err := lockGroup(ctx, tx, instanceID, jid)
		if err != nil || g == nil || !applyGroupChange(g, change) {
			return err
		}
		if err := a.saveGroup(ctx, tx, instanceID, self, *g); err != nil {
			return err
		}
		return tx.Publish(ctx, newEvent(events.GroupUpdated, instanceID, a.now(), GroupView(*g)))
	})
	if err != nil {
		return fmt.Errorf("group changed %s by %q: %w", jid, by, err)
	}
	return nil
}

package app

import (
	"context"
	"fmt"

	"github.com/zapgate/zapgate/domain"
)

// GroupLeft forgets a group the instance is no longer in (it left, was
// removed, or the group ended): group.left once, nothing after.
func (a *App) GroupLeft(ctx context.Context, instanceID, jid string) error {
	addr, err := domain.ParseGroupJID("jid", jid)
	if err != nil {
		return err
	}
	if err := a.store.InTx(ctx, func(tx Tx) error { return a.dropGroup(ctx, tx, instanceID, addr.JID()) }); err != nil {
		return fmt.Errorf("group left %s: %w", jid, err)
	}
	return nil
}

package app

import (
	"context"
	"fmt"
	"slices"

	"github.com/zapgate/zapgate/domain"
)

// GroupParticipantsChanged applies participants added, removed, promoted
// or demoted (by is who did it, a JID or "") that WhatsApp told of:
// group.participants naming whom it changed, nothing when the group
// already showed it. The instance removed is the instance gone
// (group.left); a group not recorded yet is read from WhatsApp first.
func (a *App) GroupParticipantsChanged(ctx context.Context, instanceID, jid, action string, participants []string, by string) error {
	addr, err := domain.ParseGroupJID("jid", jid)
	if err != nil {
		return err
	}
	jid = addr.JID()
	act, err := domain.ParseParticipantAction(action)
	if err != nil {
		return err
	}
	jids := make([]string, 0, len(participants))
	for _, p := range participants {
		if a, ok := domain.ParseAddress(p); ok && !a.IsGroup() {
			jids = append(jids, a.JID())
		}
	}
	self, err := a.selfJID(ctx, instanceID)
	if err != nil {
		return err
	}
	gone := act == domain.ParticipantRemove && self != "" && slices.Contains(jids, self)
	all := false
	if !gone {
		known, err := a.knownGroup(ctx, instanceID, jid)
		if err != nil {
			return err
		}
		if !known {
			// What WhatsApp describes now already holds the change: announce
			// it whole.
			if _, err := a.learnGroup(ctx, instanceID, jid); err != nil {
				return err
			}
			all = true
		}
	}
	err = a.store.InTx(ctx, func(tx Tx) error {
		if err := a.changeParticipants(ctx, tx, instanceID, self, jid, string(act), jids, by, all); err != nil {
			return err
		}
		if gone {
			return a.dropGroup(ctx, tx, instanceID, jid)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("group participants %s %s: %w", jid, act, err)
	}
	return nil
}

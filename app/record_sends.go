package app

import (
	"context"
	"fmt"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// RecordSends stores the outcomes of one instance's sends, each with its
// message.status event, in one transaction. It returns the resulting status
// of each message, in the order of outs.
func (a *App) RecordSends(ctx context.Context, instanceID string, outs []SendOutcome) ([]domain.MessageStatus, error) {
	ids := make([]string, len(outs))
	for i, o := range outs {
		ids[i] = o.MessageID
	}
	statuses := make([]domain.MessageStatus, len(outs))
	err := a.store.InTx(ctx, func(tx Tx) error {
		locked, err := tx.LockMessages(ctx, instanceID, ids)
		if err != nil {
			return err
		}
		byID := make(map[string]*domain.Message, len(locked))
		for i := range locked {
			byID[locked[i].ID] = &locked[i]
		}
		var changed, reactions []*domain.Message
		var envs []events.Envelope
		for i, o := range outs {
			m, ok := byID[o.MessageID]
			if !ok {
				continue // deleted meanwhile: nothing to record
			}
			var ch bool
			if o.Err != nil {
				ch = m.MarkFailed(o.Err.Error())
			} else {
				ch = m.MarkSent(o.At)
			}
			statuses[i] = m.Status
			if ch {
				changed = append(changed, m)
				envs = append(envs, statusEvent(m, a.now()))
				if m.Type == domain.TypeReaction && m.Status == domain.StatusSent {
					reactions = append(reactions, m)
				}
			}
		}
		if len(changed) == 0 {
			return nil
		}
		if len(reactions) > 0 {
			more, err := a.applyOwnReactions(ctx, tx, instanceID, reactions)
			if err != nil {
				return err
			}
			envs = append(envs, more...)
		}
		if nc, ok := tx.(NewContactsTx); ok {
			if err := nc.CountNewContacts(ctx, instanceID, changed); err != nil {
				return err
			}
		}
		if err := tx.UpdateMessages(ctx, changed); err != nil {
			return err
		}
		return tx.Publish(ctx, envs...)
	})
	if err != nil {
		return nil, fmt.Errorf("record %d sends: %w", len(outs), err)
	}
	return statuses, nil
}

package app

import (
	"context"
	"fmt"
	"time"

	"github.com/zapgate/zapgate/domain"
)

// Reactions, edits and revokes that WhatsApp delivers are not messages of
// their own: each changes the message it points at, found by its WhatsApp
// id, and announces the change in the same transaction. A change that is
// no change (the same reaction or edit delivered again) announces nothing.
// A target zapgate never saw is NotFound; the translator drops those.

// ChangeKind is what an incoming change does.
type ChangeKind string

const (
	ChangeReaction ChangeKind = "reaction"
	ChangeEdit     ChangeKind = "edit"
	ChangeRevoke   ChangeKind = "revoke"
)

// IncomingChange is a reaction, edit or revoke WhatsApp delivered.
type IncomingChange struct {
	InstanceID string
	Kind       ChangeKind
	TargetWAID string // the WhatsApp id of the message it changes
	From       string // who reacted: phone when known, else JID
	Emoji      string // a reaction; "" removes From's
	Text       string // an edit: the new text or caption
	At         time.Time
}

// ReceiveChange applies an incoming reaction, edit or revoke to the
// message it points at, and returns that message.
func (a *App) ReceiveChange(ctx context.Context, c IncomingChange) (*domain.Message, error) {
	if c.TargetWAID == "" || len(c.TargetWAID) > 128 {
		return nil, domain.InvalidField("target_wa_message_id", "is required, at most 128 characters")
	}
	if err := domain.CheckText("target_wa_message_id", c.TargetWAID); err != nil {
		return nil, err
	}
	if c.Kind == ChangeReaction && c.From == "" {
		return nil, domain.InvalidField("from", "is required")
	}
	at := c.At
	if at.IsZero() {
		at = a.now()
	}
	var target *domain.Message
	err := a.store.InTx(ctx, func(tx Tx) error {
		m, err := tx.LockMessageByWAID(ctx, c.InstanceID, c.TargetWAID)
		if err != nil {
			return err
		}
		target = m
		switch c.Kind {
		case ChangeReaction:
			envs, err := a.react(ctx, tx, m, domain.CleanText(c.From), domain.CleanText(c.Emoji), at)
			if err != nil || len(envs) == 0 {
				return err
			}
			return tx.Publish(ctx, envs...)
		case ChangeEdit:
			return a.applyEdit(ctx, tx, c.InstanceID, m.ID, domain.CleanText(c.Text))
		case ChangeRevoke:
			return a.applyRevoke(ctx, tx, c.InstanceID, m.ID)
		}
		return fmt.Errorf("unknown change %q", c.Kind)
	})
	if err != nil {
		return nil, fmt.Errorf("receive %s of %s: %w", c.Kind, c.TargetWAID, err)
	}
	return target, nil
}

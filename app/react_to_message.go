package app

import (
	"context"
	"fmt"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// A reaction is sent like any message (SendMessage with type reaction: it
// is paced, ordered and idempotent as the others are). Once WhatsApp
// accepted it, RecordSends puts it on the message it reacts to, in the
// same transaction, and announces message.reaction.

// applyOwnReactions puts the instance's reactions that WhatsApp just
// accepted on their targets, from the instance's phone.
func (a *App) applyOwnReactions(ctx context.Context, tx Tx, instanceID string, sent []*domain.Message) ([]events.Envelope, error) {
	// Read in the transaction: the phone the reactions are from.
	in, err := tx.LockInstance(ctx, instanceID)
	if err != nil {
		return nil, fmt.Errorf("read the reacting instance: %w", err)
	}
	var envs []events.Envelope
	for _, r := range sent {
		target, err := tx.LockMessage(ctx, instanceID, r.TargetID)
		if domain.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		env, err := a.react(ctx, tx, target, in.Phone, r.Emoji, *r.SentAt)
		if err != nil {
			return nil, err
		}
		envs = append(envs, env...)
	}
	return envs, nil
}

// react records from's emoji on the locked message m and returns its
// message.reaction event, none when nothing changed (a redelivery).
func (a *App) react(ctx context.Context, tx Tx, m *domain.Message, from, emoji string, at time.Time) ([]events.Envelope, error) {
	if !m.React(from, emoji, at) {
		return nil, nil
	}
	if err := tx.UpdateMessageContent(ctx, m); err != nil {
		return nil, err
	}
	return []events.Envelope{newEvent(events.MessageReaction, m.InstanceID, a.now(),
		events.MessageReacted{MessageID: m.ID, From: from, Emoji: emoji, AttendanceID: m.AttendanceID})}, nil
}

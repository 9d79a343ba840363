package app

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// RevokedMessage is the stored payload of revoke_message and its result.
type RevokedMessage struct {
	MessageID string `json:"message_id"`
}

// RevokeMessage asks the instance's bot to delete a message it sent for
// everyone (POST …/messages/{mid}/revoke); 409 not_revocable when WhatsApp
// would refuse, checked now and again when the bot runs it.
func (a *App) RevokeMessage(ctx context.Context, instanceID, messageID string) (*domain.Command, error) {
	m, err := a.GetMessage(ctx, instanceID, messageID)
	if err != nil {
		return nil, err
	}
	if err := m.CheckRevocable(a.now()); err != nil {
		return nil, err
	}
	return a.requestCommand(ctx, instanceID, domain.CommandRevokeMessage, RevokedMessage{MessageID: m.ID})
}

// runRevokeMessage deletes the message on WhatsApp; its ending sets
// revoked_at and announces message.revoked.
func (a *App) runRevokeMessage(ctx context.Context, cmd *domain.Command) ([]byte, func(Tx) error, error) {
	var p RevokedMessage
	if err := json.Unmarshal(cmd.Payload, &p); err != nil {
		return nil, nil, fmt.Errorf("decode %s payload: %w", cmd.Type, err)
	}
	m, err := a.store.Message(ctx, cmd.InstanceID, p.MessageID)
	if err != nil {
		return nil, nil, err
	}
	if err := m.CheckRevocable(a.now()); err != nil {
		return nil, nil, err
	}
	ed, err := a.messageEditor()
	if err != nil {
		return nil, nil, err
	}
	if err := ed.RevokeMessage(ctx, cmd.InstanceID, MessageRevoke{Chat: m.SendTo(), WAMessageID: m.WAMessageID}); err != nil {
		return nil, nil, err
	}
	return cmd.Payload, func(tx Tx) error {
		return a.applyRevoke(ctx, tx, cmd.InstanceID, m.ID)
	}, nil
}

// applyRevoke marks a message deleted for everyone and announces it, once.
func (a *App) applyRevoke(ctx context.Context, tx Tx, instanceID, id string) error {
	m, err := tx.LockMessage(ctx, instanceID, id)
	if err != nil {
		return err
	}
	now := a.now()
	if !m.Revoke(now) {
		return nil
	}
	if err := tx.UpdateMessageContent(ctx, m); err != nil {
		return err
	}
	return tx.Publish(ctx, newEvent(events.MessageRevoked, instanceID, now, events.MessageRevokedData{MessageID: m.ID, AttendanceID: m.AttendanceID}))
}

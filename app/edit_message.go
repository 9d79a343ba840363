package app

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// EditedText is the stored payload of edit_message and its result: which
// message, and its new text (or caption).
type EditedText struct {
	MessageID string `json:"message_id"`
	Text      string `json:"text"`
}

// EditMessage asks the instance's bot to edit a message it sent (PATCH
// …/messages/{mid}); 409 not_editable when WhatsApp would refuse, checked
// now and again when the bot runs it.
func (a *App) EditMessage(ctx context.Context, instanceID, messageID, text string) (*domain.Command, error) {
	m, err := a.GetMessage(ctx, instanceID, messageID)
	if err != nil {
		return nil, err
	}
	if err := m.CheckEditText(text); err != nil {
		return nil, err
	}
	if err := m.CheckEditable(a.now()); err != nil {
		return nil, err
	}
	return a.requestCommand(ctx, instanceID, domain.CommandEditMessage, EditedText{MessageID: m.ID, Text: text})
}

// runEditMessage edits the message on WhatsApp; its ending stores the new
// text with edited_at and announces message.edited.
func (a *App) runEditMessage(ctx context.Context, cmd *domain.Command) ([]byte, func(Tx) error, error) {
	var p EditedText
	if err := json.Unmarshal(cmd.Payload, &p); err != nil {
		return nil, nil, fmt.Errorf("decode %s payload: %w", cmd.Type, err)
	}
	m, err := a.store.Message(ctx, cmd.InstanceID, p.MessageID)
	if err != nil {
		return nil, nil, err
	}
	if err := m.CheckEditable(a.now()); err != nil {
		return nil, nil, err
	}
	ed, err := a.messageEditor()
	if err != nil {
		return nil, nil, err
	}
	if err := ed.EditMessage(ctx, cmd.InstanceID, MessageEdit{Chat: m.SendTo(), WAMessageID: m.WAMessageID, Type: m.Type, Text: p.Text}); err != nil {
		return nil, nil, err
	}
	return cmd.Payload, func(tx Tx) error {
		return a.applyEdit(ctx, tx, cmd.InstanceID, m.ID, p.Text)
	}, nil
}

// applyEdit stores a message's new text and announces it, once.
func (a *App) applyEdit(ctx context.Context, tx Tx, instanceID, id, text string) error {
	m, err := tx.LockMessage(ctx, instanceID, id)
	if err != nil {
		return err
	}
	now := a.now()
	if !m.Edit(text, now) {
		return nil
	}
	if err := tx.UpdateMessageContent(ctx, m); err != nil {
		return err
	}
	return tx.Publish(ctx, newEvent(events.MessageEdited, instanceID, now, events.MessageEditedData{MessageID: m.ID, Text: text, AttendanceID: m.AttendanceID}))
}

// messageEditor is the driver's edit and revoke side.
func (a *App) messageEditor() (MessageEditor, error) {
	ed, ok := a.wa.(MessageEditor)
	if !ok {
		return nil, fmt.Errorf("the WhatsApp driver cannot edit or revoke messages: %w", ErrPermanent)
	}
	return ed, nil
}

package meow

import (
	"context"
	"fmt"
	"time"

	"go.mau.fi/whatsmeow/types"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

var _ app.ChatManager = (*Driver)(nil)

// chatClient is the part of *whatsmeow.Client read receipts and presence
// use.
type chatClient interface {
	MarkRead(ctx context.Context, ids []types.MessageID, timestamp time.Time, chat, sender types.JID, receiptTypeExtra ...types.ReceiptType) error
	SendChatPresence(ctx context.Context, jid types.JID, state types.ChatPresence, media types.ChatPresenceMedia) error
}

// MarkRead implements app.ChatManager.
func (d *Driver) MarkRead(ctx context.Context, instanceID, chat, sender string, waMessageIDs []string, at time.Time) error {
	c, err := d.live(instanceID, "read receipt")
	if err != nil {
		return err
	}
	return markRead(ctx, c, chat, sender, waMessageIDs, at)
}

// SendPresence implements app.ChatManager.
func (d *Driver) SendPresence(ctx context.Context, instanceID, chat string, state domain.PresenceState) error {
	c, err := d.live(instanceID, "presence")
	if err != nil {
		return err
	}
	return sendPresence(ctx, c, chat, state)
}

// markRead sends one read receipt. WhatsApp takes the sender only in
// groups (the member who wrote); in a direct chat the chat is the sender
// and whatsmeow leaves it out, so none is given.
func markRead(ctx context.Context, c chatClient, chat, sender string, ids []string, at time.Time) error {
	to, err := ParseRecipient(chat)
	if err != nil {
		return err
	}
	var from types.JID
	if to.Server == types.GroupServer {
		if from, err = ParseRecipient(sender); err != nil {
			return err
		}
	}
	mids := make([]types.MessageID, len(ids))
	for i, id := range ids {
		mids[i] = types.MessageID(id)
	}
	if err := c.MarkRead(ctx, mids, at, to, from); err != nil {
		return fmt.Errorf("read receipt in %s: %w", chat, classify(err))
	}
	return nil
}

// ChatPresenceOf is whatsmeow's presence for a state: recording is
// "composing" audio, typing is composing text.
func ChatPresenceOf(state domain.PresenceState) (types.ChatPresence, types.ChatPresenceMedia, error) {
	switch state {
	case domain.PresenceTyping:
		return types.ChatPresenceComposing, types.ChatPresenceMediaText, nil
	case domain.PresenceRecording:
		return types.ChatPresenceComposing, types.ChatPresenceMediaAudio, nil
	case domain.PresencePaused:
		return types.ChatPresencePaused, types.ChatPresenceMediaText, nil
	}
	return "", "", fmt.Errorf("presence %q: %w", state, app.ErrPermanent)
}

func sendPresence(ctx context.Context, c chatClient, chat string, state domain.PresenceState) error {
	to, err := ParseRecipient(chat)
	if err != nil {
		return err
	}
	p, media, err := ChatPresenceOf(state)
	if err != nil {
		return err
	}
	if err := c.SendChatPresence(ctx, to, p, media); err != nil {
		return fmt.Errorf("presence in %s: %w", chat, classify(err))
	}
	return nil
}

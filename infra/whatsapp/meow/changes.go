package meow

import (
	"context"
	"fmt"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"google.golang.org/protobuf/proto"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// Replies, reactions, edits and revokes all name another message by its
// key: chat, id, and whether we wrote it (else who did, in groups).

var _ app.MessageEditor = (*Driver)(nil)

// withQuote adds the quoted message of a reply to a message's context:
// WhatsApp shows the original (its sender and content) above the answer.
func withQuote(ci *waE2E.ContextInfo, q *app.QuotedMessage) *waE2E.ContextInfo {
	if q == nil {
		return ci
	}
	if ci == nil {
		ci = &waE2E.ContextInfo{}
	}
	ci.StanzaID = proto.String(q.WAMessageID)
	ci.Participant = optional(q.Sender)
	ci.QuotedMessage = quotedContent(q)
	return ci
}

// quotedContent is the original as a minimal message: its text, or its
// caption in a message of its kind; WhatsApp needs no more to show it.
func quotedContent(q *app.QuotedMessage) *waE2E.Message {
	caption := optional(q.Caption)
	switch q.Type {
	case domain.TypeImage:
		return &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: caption}}
	case domain.TypeVideo:
		return &waE2E.Message{VideoMessage: &waE2E.VideoMessage{Caption: caption}}
	case domain.TypeDocument:
		return &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{Caption: caption}}
	case domain.TypeAudio:
		return &waE2E.Message{AudioMessage: &waE2E.AudioMessage{}}
	case domain.TypeSticker:
		return &waE2E.Message{StickerMessage: &waE2E.StickerMessage{}}
	}
	text := q.Text
	if text == "" {
		text = q.Caption
	}
	return &waE2E.Message{Conversation: proto.String(text)}
}

// messageKey names a message as whatsmeow's Client.BuildMessageKey does:
// from us, or, in a group, from the participant who wrote it.
func messageKey(q *app.QuotedMessage) (*waCommon.MessageKey, error) {
	chat, err := ParseRecipient(q.Chat)
	if err != nil {
		return nil, err
	}
	key := &waCommon.MessageKey{FromMe: proto.Bool(q.FromMe), ID: proto.String(q.WAMessageID), RemoteJID: proto.String(chat.String())}
	if !q.FromMe && chat.Server == types.GroupServer {
		key.Participant = optional(q.Sender)
	}
	return key, nil
}

// BuildReaction is the ReactionMessage of a reaction (Type reaction, with
// Target); an empty emoji removes ours, as WhatsApp does.
func BuildReaction(m app.OutboundMessage, now time.Time) (*waE2E.Message, error) {
	if m.Target == nil {
		return nil, fmt.Errorf("a reaction names no message: %w", app.ErrPermanent)
	}
	key, err := messageKey(m.Target)
	if err != nil {
		return nil, err
	}
	return &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{
		Key: key, Text: proto.String(m.Emoji), SenderTimestampMS: proto.Int64(now.UnixMilli()),
	}}, nil
}

// EditContent is the new content of an edit: the text, or the caption in
// a message of the original's kind.
func EditContent(e app.MessageEdit) (*waE2E.Message, error) {
	switch e.Type {
	case domain.TypeText:
		return &waE2E.Message{Conversation: proto.String(e.Text)}, nil
	case domain.TypeImage:
		return &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String(e.Text)}}, nil
	case domain.TypeVideo:
		return &waE2E.Message{VideoMessage: &waE2E.VideoMessage{Caption: proto.String(e.Text)}}, nil
	case domain.TypeDocument:
		return &waE2E.Message{DocumentMessage: &waE2E.DocumentMessage{Caption: proto.String(e.Text)}}, nil
	}
	return nil, fmt.Errorf("a %s message has no text to edit: %w", e.Type, app.ErrPermanent)
}

// messageBuilder is the part of *whatsmeow.Client that builds edits and
// revokes; tests pass a client without a session.
type messageBuilder interface {
	BuildEdit(chat types.JID, id types.MessageID, newContent *waE2E.Message) *waE2E.Message
	BuildRevoke(chat, sender types.JID, id types.MessageID) *waE2E.Message
}

// BuildEdit is the edit of a message we sent, and the chat to send it to.
func BuildEdit(b messageBuilder, e app.MessageEdit) (types.JID, *waE2E.Message, error) {
	chat, err := ParseRecipient(e.Chat)
	if err != nil {
		return types.JID{}, nil, err
	}
	content, err := EditContent(e)
	if err != nil {
		return types.JID{}, nil, err
	}
	return chat, b.BuildEdit(chat, types.MessageID(e.WAMessageID), content), nil
}

// BuildRevoke is the delete for everyone of a message we sent (the empty
// sender means ours), and the chat to send it to.
func BuildRevoke(b messageBuilder, r app.MessageRevoke) (types.JID, *waE2E.Message, error) {
	chat, err := ParseRecipient(r.Chat)
	if err != nil {
		return types.JID{}, nil, err
	}
	return chat, b.BuildRevoke(chat, types.EmptyJID, types.MessageID(r.WAMessageID)), nil
}

// EditMessage implements app.MessageEditor.
func (d *Driver) EditMessage(ctx context.Context, instanceID string, e app.MessageEdit) error {
	c, err := d.live(instanceID, "edit message")
	if err != nil {
		return err
	}
	chat, msg, err := BuildEdit(c, e)
	if err != nil {
		return fmt.Errorf("edit %s: %w", e.WAMessageID, err)
	}
	if _, err := c.SendMessage(ctx, chat, msg); err != nil {
		return fmt.Errorf("edit %s: %w", e.WAMessageID, classify(err))
	}
	return nil
}

// RevokeMessage implements app.MessageEditor.
func (d *Driver) RevokeMessage(ctx context.Context, instanceID string, r app.MessageRevoke) error {
	c, err := d.live(instanceID, "revoke message")
	if err != nil {
		return err
	}
	chat, msg, err := BuildRevoke(c, r)
	if err != nil {
		return fmt.Errorf("revoke %s: %w", r.WAMessageID, err)
	}
	if _, err := c.SendMessage(ctx, chat, msg); err != nil {
		return fmt.Errorf("revoke %s: %w", r.WAMessageID, classify(err))
	}
	return nil
}

// withOwnSender names us as the sender of a message we quote: WhatsApp
// shows whose words are quoted.
func withOwnSender(m app.OutboundMessage, own types.JID) app.OutboundMessage {
	if m.ReplyTo == nil || !m.ReplyTo.FromMe || own.IsEmpty() {
		return m
	}
	q := *m.ReplyTo
	q.Sender = own.ToNonAD().String()
	m.ReplyTo = &q
	return m
}

// ownJID is the linked account's phone JID, empty before pairing.
func ownJID(c *whatsmeow.Client) types.JID {
	if c == nil || c.Store == nil || c.Store.ID == nil {
		return types.EmptyJID
	}
	return c.Store.ID.ToNonAD()
}

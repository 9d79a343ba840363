package app

import (
	"context"
	"fmt"

	"github.com/zapgate/zapgate/domain"
)

// Replies and reactions point at another message of the instance: a reply
// quotes it (reply_to), a reaction reacts to it (message_id). Both are
// checked when the message is accepted and read again when it is sent, for
// what WhatsApp needs to name it.

// resolveQuotes checks the messages a draft points at and, for a reaction,
// addresses it to the chat of the message it reacts to. A message that is
// not one of the instance's is a 400 naming the field.
func (a *App) resolveQuotes(ctx context.Context, d *domain.OutgoingDraft) error {
	if d.ReplyTo != "" && d.Type != string(domain.TypeReaction) {
		if _, err := a.quotable(ctx, d.InstanceID, d.ReplyTo, "reply_to"); err != nil {
			return err
		}
	}
	if d.Type != string(domain.TypeReaction) || d.TargetID == "" {
		return nil // NewOutgoing names what is missing
	}
	target, err := a.quotable(ctx, d.InstanceID, d.TargetID, "message_id")
	if err != nil {
		return err
	}
	d.To = chatOf(target)
	return nil
}

// quotable reads a message of the instance that may be quoted or reacted
// to; any other id is a 400 naming field.
func (a *App) quotable(ctx context.Context, instanceID, id, field string) (*domain.Message, error) {
	m, err := a.GetMessage(ctx, instanceID, id)
	if domain.IsNotFound(err) {
		return nil, domain.InvalidField(field, "is not the id of a message of this instance")
	}
	if err != nil {
		return nil, err
	}
	if err := m.CheckQuotable(field); err != nil {
		return nil, err
	}
	return m, nil
}

// quoteFor fills what WhatsApp needs of the messages m quotes or reacts
// to. A reaction whose target is gone fails for good (ErrPermanent); a
// reply whose quoted message is gone goes as a plain message.
func (a *App) quoteFor(ctx context.Context, m *domain.Message, out *OutboundMessage) error {
	if m.ReplyTo != "" {
		q, err := a.store.Message(ctx, m.InstanceID, m.ReplyTo)
		switch {
		case err == nil:
			out.ReplyTo = quotedOf(q)
		case !domain.IsNotFound(err):
			return fmt.Errorf("read the quoted message %s: %w", m.ReplyTo, err)
		}
	}
	if m.Type != domain.TypeReaction {
		return nil
	}
	t, err := a.store.Message(ctx, m.InstanceID, m.TargetID)
	if domain.IsNotFound(err) {
		return fmt.Errorf("the message %s reacted to is gone: %w", m.TargetID, ErrPermanent)
	}
	if err != nil {
		return fmt.Errorf("read the message reacted to %s: %w", m.TargetID, err)
	}
	out.Target, out.Emoji = quotedOf(t), m.Emoji
	return nil
}

// quotedOf names a message as WhatsApp does when it is quoted or reacted
// to: its id, its chat, and who wrote it (the instance, or the person; in
// groups the participant).
func quotedOf(m *domain.Message) *QuotedMessage {
	q := &QuotedMessage{WAMessageID: m.WAMessageID, Chat: chatOf(m), Type: m.Type, Text: m.Text, Caption: m.Caption,
		FromMe: m.Direction == domain.DirectionOut || m.FromMe}
	if q.FromMe {
		return q
	}
	q.Sender = m.Participant
	if q.Sender == "" {
		if a, ok := domain.ParseAddress(m.From); ok {
			q.Sender = a.JID()
		}
	}
	return q
}

// chatOf is the conversation a message belongs to: its chat, or for
// messages stored before chats were, its person.
func chatOf(m *domain.Message) string {
	switch {
	case m.Chat != "":
		return m.Chat
	case m.Direction == domain.DirectionOut:
		return m.To
	}
	return m.From
}

// knowQuoted fills reply_to of an incoming reply with the zapgate id of
// the message it quotes, when zapgate has it; else reply_to stays "".
func (a *App) knowQuoted(ctx context.Context, tx Tx, m *domain.Message, quotedWAID string) error {
	if quotedWAID == "" || m.ReplyTo != "" {
		return nil
	}
	q, err := tx.LockMessageByWAID(ctx, m.InstanceID, domain.CleanText(quotedWAID))
	if domain.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("find the quoted message: %w", err)
	}
	m.ReplyTo = q.ID
	return nil
}

package sim

import (
	"context"
	"fmt"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// Kinds of send the sim records, as `sent` shows them.
const (
	KindMessage  = "message"
	KindReaction = "reaction"
	KindEdit     = "edit"
	KindRevoke   = "revoke"
)

// sentRefs is what a send says of other messages: the one it quotes, the
// one it reacts to, and the emoji.
type sentRefs struct{ kind, replyTo, target, emoji string }

func refsOf(m app.OutboundMessage) sentRefs {
	r := sentRefs{kind: KindMessage, emoji: m.Emoji}
	if m.ReplyTo != nil {
		r.replyTo = m.ReplyTo.WAMessageID
	}
	if m.Type == domain.TypeReaction {
		r.kind = KindReaction
		if m.Target != nil {
			r.target = m.Target.WAMessageID
		}
	}
	return r
}

var _ app.MessageEditor = (*Network)(nil)

// EditMessage implements app.MessageEditor: the edit is a send of its own
// (kind edit, a fresh id) pointing at the message, as WhatsApp's is.
func (n *Network) EditMessage(ctx context.Context, instanceID string, e app.MessageEdit) error {
	return n.sendChange(ctx, instanceID, KindEdit, e.Chat, e.WAMessageID, e.Text)
}

// RevokeMessage implements app.MessageEditor (kind revoke).
func (n *Network) RevokeMessage(ctx context.Context, instanceID string, r app.MessageRevoke) error {
	return n.sendChange(ctx, instanceID, KindRevoke, r.Chat, r.WAMessageID, "")
}

// sendChange records an edit or revoke; like a send it needs a linked
// session, and the permanent fault refuses it as WhatsApp would.
func (n *Network) sendChange(ctx context.Context, instanceID, kind, chat, target, text string) error {
	to, ok := domain.ParseAddress(chat)
	if !ok {
		return fmt.Errorf("sim: %s to %q %s: %w", kind, chat, domain.AddressRule, app.ErrPermanent)
	}
	if err := n.linked(ctx, instanceID); err != nil {
		return fmt.Errorf("sim %s: %w", kind, err)
	}
	var sendError string
	if err := n.db.GetContext(ctx, &sendError, `SELECT send_error FROM sim_sessions WHERE instance_id = $1`, instanceID); err != nil {
		return fmt.Errorf("sim %s: %w", kind, err)
	}
	switch sendError {
	case FaultPermanent:
		return fmt.Errorf("sim: WhatsApp refused the %s: %w", kind, app.ErrPermanent)
	case FaultTransient:
		return fmt.Errorf("sim: transient %s failure", kind)
	}
	if _, err := n.db.ExecContext(ctx, `INSERT INTO sim_sent
		(instance_id, to_phone, chat, type, body, wa_message_id, kind, target_wa_message_id)
		VALUES ($1, $2, $3, $4, $5, $6, $4, $7)`,
		instanceID, chat, to.JID(), kind, text, domain.NewWAMessageID(), target); err != nil {
		return fmt.Errorf("sim %s: %w", kind, err)
	}
	return nil
}

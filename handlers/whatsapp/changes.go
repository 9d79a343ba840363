package whatsapp

import (
	"context"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// ChangeSink applies reactions, edits and revokes to the messages they
// point at (app.ReceiveChange).
type ChangeSink interface {
	ReceiveChange(ctx context.Context, c app.IncomingChange) (*domain.Message, error)
}

// change hands a reaction, edit or revoke to the app. One that points at a
// message zapgate never saw (sent before the instance was linked, or from
// another device's history) has nothing to change and is dropped.
func (t *Translator) change(ctx context.Context, ch app.IncomingChange) error {
	if t.Changes == nil {
		return nil
	}
	_, err := t.Changes.ReceiveChange(ctx, ch)
	if domain.IsNotFound(err) {
		t.Log.Debug("a change of an unknown message", "instance", t.InstanceID, "kind", ch.Kind, "target", ch.TargetWAID)
		return nil
	}
	return err
}

// ConvertChange reads a reaction (ReactionMessage), an edit (a
// ProtocolMessage MESSAGE_EDIT, which whatsmeow also unwraps from an
// EditedMessage and marks IsEdit) or a revoke (ProtocolMessage REVOKE);
// ok is false for anything else, which is a message of its own. No
// network.
func ConvertChange(instanceID string, info types.MessageInfo, msg *waE2E.Message) (app.IncomingChange, bool) {
	from, _ := sender(info.MessageSource)
	ch := app.IncomingChange{InstanceID: instanceID, From: from, At: info.Timestamp}
	if r := msg.GetReactionMessage(); r != nil {
		ch.Kind, ch.TargetWAID, ch.Emoji = app.ChangeReaction, r.GetKey().GetID(), r.GetText()
		return ch, true
	}
	p := msg.GetProtocolMessage()
	if p == nil || p.Type == nil { // REVOKE is the enum's zero: only a set type counts
		return app.IncomingChange{}, false
	}
	switch p.GetType() {
	case waE2E.ProtocolMessage_REVOKE:
		ch.Kind, ch.TargetWAID = app.ChangeRevoke, p.GetKey().GetID()
		return ch, true
	case waE2E.ProtocolMessage_MESSAGE_EDIT:
		ch.Kind, ch.TargetWAID, ch.Text = app.ChangeEdit, p.GetKey().GetID(), editedText(p.GetEditedMessage())
		return ch, true
	}
	return app.IncomingChange{}, false
}

// editedText is the new text of an edit: a text, or a media caption.
func editedText(m *waE2E.Message) string {
	switch {
	case m.GetConversation() != "":
		return m.GetConversation()
	case m.GetExtendedTextMessage() != nil:
		return m.GetExtendedTextMessage().GetText()
	case m.GetImageMessage() != nil:
		return m.GetImageMessage().GetCaption()
	case m.GetVideoMessage() != nil:
		return m.GetVideoMessage().GetCaption()
	case m.GetDocumentMessage() != nil:
		return m.GetDocumentMessage().GetCaption()
	}
	return ""
}

// quotedID is the WhatsApp id of the message a reply quotes (its
// context's stanza id), "" when it quotes none. Any kind can reply.
func quotedID(msg *waE2E.Message) string {
	return contextInfo(msg).GetStanzaID()
}

// contextInfo is the context a message of any kind carries (quote,
// mentions), nil when it has none.
func contextInfo(msg *waE2E.Message) *waE2E.ContextInfo {
	switch {
	case msg.GetExtendedTextMessage() != nil:
		return msg.GetExtendedTextMessage().GetContextInfo()
	case msg.GetImageMessage() != nil:
		return msg.GetImageMessage().GetContextInfo()
	case msg.GetVideoMessage() != nil:
		return msg.GetVideoMessage().GetContextInfo()
	case msg.GetDocumentMessage() != nil:
		return msg.GetDocumentMessage().GetContextInfo()
	case msg.GetAudioMessage() != nil:
		return msg.GetAudioMessage().GetContextInfo()
	case msg.GetStickerMessage() != nil:
		return msg.GetStickerMessage().GetContextInfo()
	case msg.GetLocationMessage() != nil:
		return msg.GetLocationMessage().GetContextInfo()
	case msg.GetContactMessage() != nil:
		return msg.GetContactMessage().GetContextInfo()
	case msg.GetContactsArrayMessage() != nil:
		return msg.GetContactsArrayMessage().GetContextInfo()
	}
	return nil
}

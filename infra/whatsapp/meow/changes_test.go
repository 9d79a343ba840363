package meow

import (
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// TestBuildReply: a reply carries the quoted message's id, sender and
// content in its context; a text reply is an extended text.
func TestBuildReply(t *testing.T) {
	own := types.NewJID("5511900000001", types.DefaultUserServer)
	tests := []struct {
		name        string
		msg         app.OutboundMessage
		participant string
		check       func(t *testing.T, got *waE2E.Message) *waE2E.ContextInfo
	}{
		{"text quoting a person's text", app.OutboundMessage{Type: domain.TypeText, Text: "yes",
			ReplyTo: &app.QuotedMessage{WAMessageID: "Q1", Chat: "5511988887777@s.whatsapp.net", Sender: "5511988887777@s.whatsapp.net",
				Type: domain.TypeText, Text: "can we meet?"}}, "5511988887777@s.whatsapp.net",
			func(t *testing.T, got *waE2E.Message) *waE2E.ContextInfo {
				if got.Conversation != nil || got.GetExtendedTextMessage().GetText() != "yes" {
					t.Errorf("not an extended text: %v", got)
				}
				ci := got.GetExtendedTextMessage().GetContextInfo()
				if ci.GetQuotedMessage().GetConversation() != "can we meet?" {
					t.Errorf("quoted %v", ci.GetQuotedMessage())
				}
				return ci
			}},
		{"text quoting our own image", app.OutboundMessage{Type: domain.TypeText, Text: "this one",
			ReplyTo: &app.QuotedMessage{WAMessageID: "Q2", Chat: "5511988887777@s.whatsapp.net", FromMe: true,
				Type: domain.TypeImage, Caption: "menu"}}, own.String(),
			func(t *testing.T, got *waE2E.Message) *waE2E.ContextInfo {
				ci := got.GetExtendedTextMessage().GetContextInfo()
				if ci.GetQuotedMessage().GetImageMessage().GetCaption() != "menu" {
					t.Errorf("quoted %v", ci.GetQuotedMessage())
				}
				return ci
			}},
		{"image quoting a group member", app.OutboundMessage{Type: domain.TypeImage, Mime: "image/png", Caption: "here",
			ReplyTo: &app.QuotedMessage{WAMessageID: "Q3", Chat: "120363025246125244@g.us", Sender: "201234567890123@lid",
				Type: domain.TypeText, Text: "send it"}}, "201234567890123@lid",
			func(t *testing.T, got *waE2E.Message) *waE2E.ContextInfo {
				return got.GetImageMessage().GetContextInfo()
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := BuildMessage(withOwnSender(tt.msg, own), upload)
			if err != nil {
				t.Fatal(err)
			}
			ci := tt.check(t, got)
			if ci.GetStanzaID() != tt.msg.ReplyTo.WAMessageID || ci.GetParticipant() != tt.participant {
				t.Errorf("context stanza %q participant %q, want %q %q", ci.GetStanzaID(), ci.GetParticipant(), tt.msg.ReplyTo.WAMessageID, tt.participant)
			}
		})
	}
}

// TestBuildReaction: the reaction names its target by key (ours, or the
// member's in a group); "" removes it.
func TestBuildReaction(t *testing.T) {
	tests := []struct {
		name              string
		target            app.QuotedMessage
		emoji             string
		fromMe            bool
		chat, participant string
	}{
		{"on a person's message", app.QuotedMessage{WAMessageID: "T1", Chat: "5511988887777@s.whatsapp.net", Sender: "5511988887777@s.whatsapp.net"},
			"👍", false, "5511988887777@s.whatsapp.net", ""},
		{"on our message, removed", app.QuotedMessage{WAMessageID: "T2", Chat: "5511988887777", FromMe: true},
			"", true, "5511988887777@s.whatsapp.net", ""},
		{"on a group member's message", app.QuotedMessage{WAMessageID: "T3", Chat: "120363025246125244@g.us", Sender: "5511988887777@s.whatsapp.net"},
			"❤️", false, "120363025246125244@g.us", "5511988887777@s.whatsapp.net"},
	}
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := tt.target
			got, err := BuildReaction(app.OutboundMessage{Type: domain.TypeReaction, Target: &target, Emoji: tt.emoji}, now)
			if err != nil {
				t.Fatal(err)
			}
			r := got.GetReactionMessage()
			k := r.GetKey()
			if r == nil || r.Text == nil || r.GetText() != tt.emoji || r.GetSenderTimestampMS() != now.UnixMilli() {
				t.Fatalf("reaction %v", r)
			}
			if k.GetID() != tt.target.WAMessageID || k.GetFromMe() != tt.fromMe || k.GetRemoteJID() != tt.chat || k.GetParticipant() != tt.participant {
				t.Errorf("key %v", k)
			}
		})
	}
	if _, err := BuildMessage(app.OutboundMessage{Type: domain.TypeReaction}, nil); err == nil {
		t.Error("a reaction without a target was built")
	}
}

// TestBuildEditAndRevoke: whatsmeow's BuildEdit with our new content and
// BuildRevoke of our own message.
func TestBuildEditAndRevoke(t *testing.T) {
	var c *whatsmeow.Client // BuildEdit and BuildRevoke of our own messages need no session
	tests := []struct {
		name    string
		edit    app.MessageEdit
		content func(*waE2E.Message) string
	}{
		{"text", app.MessageEdit{Chat: "5511988887777", WAMessageID: "E1", Type: domain.TypeText, Text: "fixed"},
			func(m *waE2E.Message) string { return m.GetConversation() }},
		{"caption", app.MessageEdit{Chat: "120363025246125244@g.us", WAMessageID: "E2", Type: domain.TypeImage, Text: "new caption"},
			func(m *waE2E.Message) string { return m.GetImageMessage().GetCaption() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			chat, got, err := BuildEdit(c, tt.edit)
			if err != nil {
				t.Fatal(err)
			}
			p := got.GetEditedMessage().GetMessage().GetProtocolMessage()
			if p.GetType() != waE2E.ProtocolMessage_MESSAGE_EDIT || p.GetKey().GetID() != tt.edit.WAMessageID || !p.GetKey().GetFromMe() ||
				p.GetKey().GetRemoteJID() != chat.String() {
				t.Errorf("edit %v", p)
			}
			if got := tt.content(p.GetEditedMessage()); got != tt.edit.Text {
				t.Errorf("new content %q", got)
			}
		})
	}
	if _, _, err := BuildEdit(c, app.MessageEdit{Chat: "5511988887777", WAMessageID: "E3", Type: domain.TypeAudio, Text: "x"}); err == nil {
		t.Error("an audio edit was built")
	}
	chat, got, err := BuildRevoke(c, app.MessageRevoke{Chat: "5511988887777", WAMessageID: "R1"})
	if err != nil {
		t.Fatal(err)
	}
	p := got.GetProtocolMessage()
	if chat.String() != "5511988887777@s.whatsapp.net" || p.GetType() != waE2E.ProtocolMessage_REVOKE || p.GetKey().GetID() != "R1" || !p.GetKey().GetFromMe() {
		t.Errorf("revoke to %s: %v", chat, p)
	}
}

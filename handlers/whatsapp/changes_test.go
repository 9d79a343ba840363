package whatsapp

import (
	"context"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

type fakeChanges struct{ got []app.IncomingChange }

func (f *fakeChanges) ReceiveChange(ctx context.Context, c app.IncomingChange) (*domain.Message, error) {
	f.got = append(f.got, c)
	if c.TargetWAID == "UNKNOWN" {
		return nil, domain.NotFound("message")
	}
	return &domain.Message{ID: "m1"}, nil
}

func key(id string) *waCommon.MessageKey {
	return &waCommon.MessageKey{ID: proto.String(id), RemoteJID: proto.String("5511900000001@s.whatsapp.net"), FromMe: proto.Bool(true)}
}

// TestIncomingChanges: reactions, edits (as a ProtocolMessage, and as
// whatsmeow unwraps an EditedMessage) and revokes change their target and
// never become messages; an unknown target is dropped.
func TestIncomingChanges(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	info := types.MessageInfo{ID: "CHANGE-1", Timestamp: at, MessageSource: types.MessageSource{
		Chat: types.NewJID("5511988887777", types.DefaultUserServer), Sender: types.NewJID("5511988887777", types.DefaultUserServer)}}
	edit := &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(), Key: key("WA-1"),
		EditedMessage: &waE2E.Message{Conversation: proto.String("fixed")}}}
	tests := []struct {
		name string
		msg  *waE2E.Message
		want app.IncomingChange
	}{
		{"reaction", &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Key: key("WA-1"), Text: proto.String("👍")}},
			app.IncomingChange{Kind: app.ChangeReaction, TargetWAID: "WA-1", Emoji: "👍"}},
		{"reaction removed", &waE2E.Message{ReactionMessage: &waE2E.ReactionMessage{Key: key("WA-1"), Text: proto.String("")}},
			app.IncomingChange{Kind: app.ChangeReaction, TargetWAID: "WA-1", Emoji: ""}},
		{"edit", edit, app.IncomingChange{Kind: app.ChangeEdit, TargetWAID: "WA-1", Text: "fixed"}},
		{"caption edit", &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_MESSAGE_EDIT.Enum(),
			Key: key("WA-2"), EditedMessage: &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("new caption")}}}},
			app.IncomingChange{Kind: app.ChangeEdit, TargetWAID: "WA-2", Text: "new caption"}},
		{"edit unwrapped by whatsmeow", (&events.Message{RawMessage: &waE2E.Message{EditedMessage: &waE2E.FutureProofMessage{Message: edit}}}).UnwrapRaw().Message,
			app.IncomingChange{Kind: app.ChangeEdit, TargetWAID: "WA-1", Text: "fixed"}},
		{"revoke", &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_REVOKE.Enum(), Key: key("WA-3")}},
			app.IncomingChange{Kind: app.ChangeRevoke, TargetWAID: "WA-3"}},
		{"unknown target", &waE2E.Message{ProtocolMessage: &waE2E.ProtocolMessage{Type: waE2E.ProtocolMessage_REVOKE.Enum(), Key: key("UNKNOWN")}},
			app.IncomingChange{Kind: app.ChangeRevoke, TargetWAID: "UNKNOWN"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink, changes := &fakeSink{}, &fakeChanges{}
			tr := newTranslator(sink)
			tr.Changes = changes
			if err := tr.Handle(context.Background(), &events.Message{Info: info, Message: tt.msg}); err != nil {
				t.Fatal(err)
			}
			if len(sink.received) != 0 {
				t.Errorf("became a message: %+v", sink.received)
			}
			want := tt.want
			want.InstanceID, want.From, want.At = "inst", "5511988887777", at
			if len(changes.got) != 1 || changes.got[0] != want {
				t.Errorf("changes %+v, want %+v", changes.got, want)
			}
		})
	}
}

// TestIncomingReplies: the quoted message's id rides in the context of
// any kind of message; a message quoting nothing has none.
func TestIncomingReplies(t *testing.T) {
	ci := &waE2E.ContextInfo{StanzaID: proto.String("WA-Q"), Participant: proto.String("5511900000001@s.whatsapp.net"),
		QuotedMessage: &waE2E.Message{Conversation: proto.String("the original")}}
	tests := []struct {
		name string
		msg  *waE2E.Message
		want string
	}{
		{"text", &waE2E.Message{ExtendedTextMessage: &waE2E.ExtendedTextMessage{Text: proto.String("yes"), ContextInfo: ci}}, "WA-Q"},
		{"image", &waE2E.Message{ImageMessage: &waE2E.ImageMessage{Caption: proto.String("this"), ContextInfo: ci}}, "WA-Q"},
		{"sticker", &waE2E.Message{StickerMessage: &waE2E.StickerMessage{ContextInfo: ci}}, "WA-Q"},
		{"location", &waE2E.Message{LocationMessage: &waE2E.LocationMessage{ContextInfo: ci}}, "WA-Q"},
		{"plain", &waE2E.Message{Conversation: proto.String("hi")}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := ConvertMessage("inst", types.MessageInfo{ID: "X", MessageSource: types.MessageSource{
				Chat: types.NewJID("5511988887777", types.DefaultUserServer), Sender: types.NewJID("5511988887777", types.DefaultUserServer)}}, tt.msg)
			if d.QuotedWAID != tt.want {
				t.Errorf("quoted %q, want %q", d.QuotedWAID, tt.want)
			}
		})
	}
}

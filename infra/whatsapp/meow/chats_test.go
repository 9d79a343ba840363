package meow

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// fakeChatClient records what whatsmeow would be asked.
type fakeChatClient struct {
	ids          []types.MessageID
	at           time.Time
	chat, sender types.JID
	presence     types.ChatPresence
	media        types.ChatPresenceMedia
	err          error
}

func (f *fakeChatClient) MarkRead(ctx context.Context, ids []types.MessageID, at time.Time, chat, sender types.JID, _ ...types.ReceiptType) error {
	f.ids, f.at, f.chat, f.sender = ids, at, chat, sender
	return f.err
}

func (f *fakeChatClient) SendChatPresence(ctx context.Context, jid types.JID, state types.ChatPresence, media types.ChatPresenceMedia) error {
	f.chat, f.presence, f.media = jid, state, media
	return f.err
}

func TestMarkRead(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, chat, sender string
		wantChat           types.JID
		wantSender         types.JID
	}{
		{"person", "5511999998888@s.whatsapp.net", "5511999998888@s.whatsapp.net", types.NewJID("5511999998888", types.DefaultUserServer), types.EmptyJID},
		{"person by LID", "99887766@lid", "99887766@lid", types.NewJID("99887766", types.HiddenUserServer), types.EmptyJID},
		{"group member", "120363025246125244@g.us", "5511111111111@s.whatsapp.net",
			types.NewJID("120363025246125244", types.GroupServer), types.NewJID("5511111111111", types.DefaultUserServer)},
		{"group member by LID", "120363025246125244@g.us", "4455@lid",
			types.NewJID("120363025246125244", types.GroupServer), types.NewJID("4455", types.HiddenUserServer)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &fakeChatClient{}
			if err := markRead(context.Background(), c, tt.chat, tt.sender, []string{"3EB0A", "3EB0B"}, at); err != nil {
				t.Fatal(err)
			}
			if c.chat != tt.wantChat || c.sender != tt.wantSender || !c.at.Equal(at) ||
				!slices.Equal(c.ids, []types.MessageID{"3EB0A", "3EB0B"}) {
				t.Fatalf("MarkRead(%v, %v, %v, %v)", c.ids, c.at, c.chat, c.sender)
			}
		})
	}
	if err := markRead(context.Background(), &fakeChatClient{}, "nope", "", []string{"x"}, at); !errors.Is(err, app.ErrPermanent) {
		t.Errorf("bad chat: %v", err)
	}
	c := &fakeChatClient{err: whatsmeow.ErrNotConnected}
	if err := markRead(context.Background(), c, "5511999998888@s.whatsapp.net", "", []string{"x"}, at); !errors.Is(err, app.ErrNotConnected) {
		t.Errorf("disconnected: %v", err)
	}
}

func TestSendPresence(t *testing.T) {
	tests := []struct {
		state    domain.PresenceState
		presence types.ChatPresence
		media    types.ChatPresenceMedia
	}{
		{domain.PresenceTyping, types.ChatPresenceComposing, types.ChatPresenceMediaText},
		{domain.PresenceRecording, types.ChatPresenceComposing, types.ChatPresenceMediaAudio},
		{domain.PresencePaused, types.ChatPresencePaused, types.ChatPresenceMediaText},
	}
	for _, tt := range tests {
		t.Run(string(tt.state), func(t *testing.T) {
			c := &fakeChatClient{}
			if err := sendPresence(context.Background(), c, "5511999998888@s.whatsapp.net", tt.state); err != nil {
				t.Fatal(err)
			}
			if c.chat != types.NewJID("5511999998888", types.DefaultUserServer) || c.presence != tt.presence || c.media != tt.media {
				t.Fatalf("SendChatPresence(%v, %q, %q)", c.chat, c.presence, c.media)
			}
		})
	}
	if err := sendPresence(context.Background(), &fakeChatClient{}, "5511999998888@s.whatsapp.net", "dancing"); !errors.Is(err, app.ErrPermanent) {
		t.Errorf("unknown state: %v", err)
	}
}

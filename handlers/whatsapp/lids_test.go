package whatsapp

import (
	"context"
	"errors"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/zapgate/zapgate/domain"
)

var (
	pnJID    = types.NewJID("5511988887777", types.DefaultUserServer)
	lidJID   = types.NewJID("123456789", types.HiddenUserServer)
	groupJID = types.NewJID("120363000000000000", types.GroupServer)
	selfPN   = types.NewJID("5511900000001", types.DefaultUserServer)
	selfLID  = types.NewJID("900000001", types.HiddenUserServer)
)

// TestSenderAddresses covers every way WhatsApp names a sender: what the
// draft carries decides which phone and LID the app joins.
func TestSenderAddresses(t *testing.T) {
	dev := func(j types.JID, d uint16) types.JID { j.Device = d; return j }
	tests := []struct {
		name                   string
		src                    types.MessageSource
		from, fromLID, chat, p string
		toLID                  string
	}{
		{"phone sender alone", types.MessageSource{Chat: pnJID, Sender: pnJID},
			"5511988887777", "", "5511988887777@s.whatsapp.net", "", ""},
		{"phone sender with its LID", types.MessageSource{Chat: pnJID, Sender: pnJID, SenderAlt: lidJID},
			"5511988887777", "123456789@lid", "5511988887777@s.whatsapp.net", "", ""},
		{"LID sender with its phone", types.MessageSource{Chat: lidJID, Sender: lidJID, SenderAlt: pnJID},
			"5511988887777", "123456789@lid", "123456789@lid", "", ""},
		{"LID sender alone", types.MessageSource{Chat: lidJID, Sender: lidJID},
			"123456789@lid", "123456789@lid", "123456789@lid", "", ""},
		{"LID device with a phone device as alt", types.MessageSource{Chat: lidJID, Sender: dev(lidJID, 4), SenderAlt: dev(pnJID, 4)},
			"5511988887777", "123456789@lid", "123456789@lid", "", ""},
		{"group member by LID with their phone", types.MessageSource{Chat: groupJID, IsGroup: true, Sender: dev(lidJID, 2), SenderAlt: pnJID},
			"5511988887777", "123456789@lid", "120363000000000000@g.us", "123456789@lid", ""},
		{"group member by phone with their LID", types.MessageSource{Chat: groupJID, IsGroup: true, Sender: pnJID, SenderAlt: lidJID},
			"5511988887777", "123456789@lid", "120363000000000000@g.us", "5511988887777@s.whatsapp.net", ""},
		{"group member by LID alone", types.MessageSource{Chat: groupJID, IsGroup: true, Sender: lidJID},
			"123456789@lid", "123456789@lid", "120363000000000000@g.us", "123456789@lid", ""},
		// From another of our devices: the chat is the person written to,
		// as WhatsApp named them; their LID is the chat or RecipientAlt.
		{"from me to a LID, with their phone", types.MessageSource{Chat: lidJID, Sender: selfPN, SenderAlt: selfLID, IsFromMe: true, RecipientAlt: pnJID},
			"5511900000001", "900000001@lid", "123456789@lid", "", "123456789@lid"},
		{"from me to a phone, with their LID", types.MessageSource{Chat: pnJID, Sender: selfLID, SenderAlt: selfPN, IsFromMe: true, RecipientAlt: lidJID},
			"5511900000001", "900000001@lid", "5511988887777@s.whatsapp.net", "", "123456789@lid"},
		{"from me to a phone, LID unknown", types.MessageSource{Chat: pnJID, Sender: selfPN, IsFromMe: true},
			"5511900000001", "", "5511988887777@s.whatsapp.net", "", ""},
		{"from me in a group", types.MessageSource{Chat: groupJID, IsGroup: true, Sender: selfPN, SenderAlt: selfLID, IsFromMe: true},
			"5511900000001", "900000001@lid", "120363000000000000@g.us", "5511900000001@s.whatsapp.net", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := types.MessageInfo{ID: "W1", MessageSource: tt.src, Timestamp: time.Unix(1_700_000_000, 0)}
			d, _ := ConvertMessage("inst", in, &waE2E.Message{Conversation: proto.String("x")})
			if d.From != tt.from || d.FromLID != tt.fromLID || d.Chat != tt.chat || d.Participant != tt.p || d.FromMe != tt.src.IsFromMe || d.ToLID != tt.toLID {
				t.Fatalf("from %q lid %q chat %q participant %q to_lid %q; want %q %q %q %q %q", d.From, d.FromLID, d.Chat, d.Participant, d.ToLID, tt.from, tt.fromLID, tt.chat, tt.p, tt.toLID)
			}
			if _, err := domain.NewIncoming(d, time.Now()); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestSenderPhoneFromTheLIDStore(t *testing.T) {
	tests := []struct {
		name     string
		src      types.MessageSource
		store    map[types.JID]types.JID
		err      error
		lookups  int
		from     string
		fromLID  string
		particip string
	}{
		{"LID alone, known to the store", types.MessageSource{Chat: lidJID, Sender: lidJID},
			map[types.JID]types.JID{lidJID: pnJID}, nil, 1, "5511988887777", "123456789@lid", ""},
		{"a device's LID is looked up as the person", types.MessageSource{Chat: lidJID, Sender: types.JID{User: "123456789", Server: types.HiddenUserServer, Device: 9}},
			map[types.JID]types.JID{lidJID: pnJID}, nil, 1, "5511988887777", "123456789@lid", ""},
		{"group member by LID, known to the store", types.MessageSource{Chat: groupJID, IsGroup: true, Sender: lidJID},
			map[types.JID]types.JID{lidJID: pnJID}, nil, 1, "5511988887777", "123456789@lid", "123456789@lid"},
		{"LID alone, unknown to the store", types.MessageSource{Chat: lidJID, Sender: lidJID},
			map[types.JID]types.JID{}, nil, 1, "123456789@lid", "123456789@lid", ""},
		{"store failure: the message still counts", types.MessageSource{Chat: lidJID, Sender: lidJID},
			nil, errors.New("db down"), 1, "123456789@lid", "123456789@lid", ""},
		{"the message brought the phone: no lookup", types.MessageSource{Chat: lidJID, Sender: lidJID, SenderAlt: pnJID},
			nil, nil, 0, "5511988887777", "123456789@lid", ""},
		{"phone sender: no lookup", types.MessageSource{Chat: pnJID, Sender: pnJID},
			nil, nil, 0, "5511988887777", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &fakeSink{}
			tr := newTranslator(sink)
			lookups := 0
			tr.PhoneForLID = func(ctx context.Context, lid types.JID) (types.JID, error) {
				lookups++
				return tt.store[lid], tt.err
			}
			evt := &events.Message{Info: types.MessageInfo{ID: "W1", MessageSource: tt.src}, Message: &waE2E.Message{Conversation: proto.String("x")}}
			if err := tr.Handle(context.Background(), evt); err != nil {
				t.Fatal(err)
			}
			d := sink.received[0]
			if lookups != tt.lookups || d.From != tt.from || d.FromLID != tt.fromLID || d.Participant != tt.particip {
				t.Fatalf("%d lookups, from %q lid %q participant %q", lookups, d.From, d.FromLID, d.Participant)
			}
		})
	}
}

package whatsapp

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"testing"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/proto/waCommon"
	"go.mau.fi/whatsmeow/proto/waE2E"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

const anaCard = "BEGIN:VCARD\nVERSION:3.0\nN:Souza;Ana;;;\nFN:Ana Souza\nORG:ACME\nitem1.TEL;waid=5511988887777:+55 11 98888-7777\nitem1.X-ABLabel:Mobile\nEND:VCARD"

func TestConvertKinds(t *testing.T) {
	pn := types.NewJID("5511999998888", types.DefaultUserServer)
	poll := &waE2E.PollCreationMessage{Name: proto.String("Lunch?"), SelectableOptionsCount: proto.Uint32(1),
		Options: []*waE2E.PollCreationMessage_Option{{OptionName: proto.String("pizza")}, {OptionName: proto.String("sushi")}}}
	wantPoll := &domain.Poll{Question: "Lunch?", Selectable: 1, Options: []domain.PollOption{{Name: "pizza"}, {Name: "sushi"}}}
	tests := []struct {
		name string
		msg  *waE2E.Message
		want domain.IncomingDraft // Type and the typed fields
	}{
		{"location", &waE2E.Message{LocationMessage: &waE2E.LocationMessage{DegreesLatitude: proto.Float64(-23.5505), DegreesLongitude: proto.Float64(-46.6333),
			Name: proto.String("Store"), Address: proto.String("Av. Paulista 1000")}},
			domain.IncomingDraft{Type: domain.TypeLocation, Location: &domain.Location{Latitude: -23.5505, Longitude: -46.6333, Name: "Store", Address: "Av. Paulista 1000"}}},
		{"live location", &waE2E.Message{LiveLocationMessage: &waE2E.LiveLocationMessage{DegreesLatitude: proto.Float64(1), DegreesLongitude: proto.Float64(2)}},
			domain.IncomingDraft{Type: domain.TypeLocation, Location: &domain.Location{Latitude: 1, Longitude: 2}}},
		{"one contact", &waE2E.Message{ContactMessage: &waE2E.ContactMessage{DisplayName: proto.String("Ana"), Vcard: proto.String(anaCard)}},
			domain.IncomingDraft{Type: domain.TypeContact, Contacts: []domain.ContactCard{{Name: "Ana", Phones: []string{"5511988887777"}, Organization: "ACME", VCard: anaCard}}}},
		{"a contact without a display name", &waE2E.Message{ContactMessage: &waE2E.ContactMessage{Vcard: proto.String(anaCard)}},
			domain.IncomingDraft{Type: domain.TypeContact, Contacts: []domain.ContactCard{{Name: "Ana Souza", Phones: []string{"5511988887777"}, Organization: "ACME", VCard: anaCard}}}},
		{"several contacts", &waE2E.Message{ContactsArrayMessage: &waE2E.ContactsArrayMessage{DisplayName: proto.String("2 contacts"), Contacts: []*waE2E.ContactMessage{
			{DisplayName: proto.String("Ana"), Vcard: proto.String(anaCard)},
			{DisplayName: proto.String("Bia"), Vcard: proto.String("BEGIN:VCARD\nFN:Bia\nTEL:+1 555 0100 2000\nEND:VCARD")}}}},
			domain.IncomingDraft{Type: domain.TypeContact, Contacts: []domain.ContactCard{
				{Name: "Ana", Phones: []string{"5511988887777"}, Organization: "ACME", VCard: anaCard},
				{Name: "Bia", Phones: []string{"155501002000"}, VCard: "BEGIN:VCARD\nFN:Bia\nTEL:+1 555 0100 2000\nEND:VCARD"}}}},
		{"poll", &waE2E.Message{PollCreationMessage: poll}, domain.IncomingDraft{Type: domain.TypePoll, Poll: wantPoll}},
		{"poll v3", &waE2E.Message{PollCreationMessageV3: poll}, domain.IncomingDraft{Type: domain.TypePoll, Poll: wantPoll}},
		{"sticker is media", &waE2E.Message{StickerMessage: &waE2E.StickerMessage{Mimetype: proto.String("image/webp")}}, domain.IncomingDraft{Type: domain.TypeSticker}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, media := ConvertMessage("i1", info(pn), tt.msg)
			if d.Type != tt.want.Type || !reflect.DeepEqual(d.Location, tt.want.Location) ||
				!reflect.DeepEqual(d.Contacts, tt.want.Contacts) || !reflect.DeepEqual(d.Poll, tt.want.Poll) {
				t.Errorf("got %s %+v %+v %+v\nwant %s %+v %+v %+v", d.Type, d.Location, d.Contacts, d.Poll,
					tt.want.Type, tt.want.Location, tt.want.Contacts, tt.want.Poll)
			}
			if (media != nil) != (tt.want.Type == domain.TypeSticker) {
				t.Errorf("media = %+v", media)
			}
			if d.Extra != nil {
				t.Errorf("typed kinds left in extra: %+v", d.Extra)
			}
		})
	}
}

type fakeVotes struct {
	votes []app.PollVote
	err   error
}

func (f *fakeVotes) ReceivePollVote(ctx context.Context, v app.PollVote) (bool, error) {
	if f.err != nil {
		return false, f.err
	}
	f.votes = append(f.votes, v)
	return true, nil
}

func TestPollVotes(t *testing.T) {
	voter := types.NewJID("5511977776666", types.DefaultUserServer)
	lidVoter := types.NewJID("4242", types.HiddenUserServer)
	pizza := whatsmeow.HashPollOptions([]string{"pizza"})
	voteEvt := func(from types.JID) *events.Message {
		i := info(from)
		i.ID = "VOTE1"
		return &events.Message{Info: i, Message: &waE2E.Message{PollUpdateMessage: &waE2E.PollUpdateMessage{
			PollCreationMessageKey: &waCommon.MessageKey{ID: proto.String("POLL1"), FromMe: proto.Bool(true)},
			Vote:                   &waE2E.PollEncValue{EncPayload: []byte("sealed"), EncIV: []byte("iv")},
		}}}
	}
	decrypted := func(hashes [][]byte) func(context.Context, *events.Message) (*waE2E.PollVoteMessage, error) {
		return func(ctx context.Context, e *events.Message) (*waE2E.PollVoteMessage, error) {
			if string(e.Message.GetPollUpdateMessage().GetVote().GetEncPayload()) != "sealed" {
				return nil, errors.New("not the vote")
			}
			return &waE2E.PollVoteMessage{SelectedOptions: hashes}, nil
		}
	}
	tests := []struct {
		name     string
		evt      *events.Message
		decrypt  func(context.Context, *events.Message) (*waE2E.PollVoteMessage, error)
		sinkErr  error
		want     []app.PollVote
		wantErr  bool
		lidPhone types.JID
	}{
		{"a vote for our poll", voteEvt(voter), decrypted(pizza), nil,
			[]app.PollVote{{InstanceID: "i1", TargetWAMessageID: "POLL1", WAMessageID: "VOTE1", Voter: "5511977776666", SelectedHashes: pizza, At: info(voter).Timestamp}}, false, types.EmptyJID},
		{"a withdrawn vote", voteEvt(voter), decrypted(nil), nil,
			[]app.PollVote{{InstanceID: "i1", TargetWAMessageID: "POLL1", WAMessageID: "VOTE1", Voter: "5511977776666", SelectedHashes: [][]byte{}, At: info(voter).Timestamp}}, false, types.EmptyJID},
		{"a voter by LID whose phone the store knows", voteEvt(lidVoter), decrypted(pizza), nil,
			[]app.PollVote{{InstanceID: "i1", TargetWAMessageID: "POLL1", WAMessageID: "VOTE1", Voter: "5511977776666", SelectedHashes: pizza, At: info(voter).Timestamp}}, false, voter},
		{"a voter by LID alone", voteEvt(lidVoter), decrypted(pizza), nil,
			[]app.PollVote{{InstanceID: "i1", TargetWAMessageID: "POLL1", WAMessageID: "VOTE1", Voter: "4242@lid", SelectedHashes: pizza, At: info(voter).Timestamp}}, false, types.EmptyJID},
		{"undecryptable is dropped", voteEvt(voter), func(context.Context, *events.Message) (*waE2E.PollVoteMessage, error) {
			return nil, whatsmeow.ErrOriginalMessageSecretNotFound
		}, nil, nil, false, types.EmptyJID},
		{"a poll zapgate does not hold is dropped", voteEvt(voter), decrypted(pizza), domain.NotFound("message"), nil, false, types.EmptyJID},
		{"a store failure is returned", voteEvt(voter), decrypted(pizza), errors.New("db down"), nil, true, types.EmptyJID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink, votes := &fakeSink{}, &fakeVotes{err: tt.sinkErr}
			tr := Translator{InstanceID: "i1", Sink: sink, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
				DecryptPollVote: tt.decrypt, Votes: votes,
				PhoneForLID: func(ctx context.Context, lid types.JID) (types.JID, error) { return tt.lidPhone, nil }}
			err := tr.Handle(context.Background(), tt.evt)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v", err)
			}
			if len(sink.received) != 0 {
				t.Errorf("a vote became a message: %+v", sink.received)
			}
			if !reflect.DeepEqual(votes.votes, tt.want) {
				t.Errorf("votes = %+v\nwant %+v", votes.votes, tt.want)
			}
		})
	}

	// Without the hook, votes are dropped, never stored as messages.
	sink := &fakeSink{}
	tr := Translator{InstanceID: "i1", Sink: sink, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := tr.Handle(context.Background(), voteEvt(voter)); err != nil || len(sink.received) != 0 {
		t.Errorf("no hook: err %v, received %+v", err, sink.received)
	}
}

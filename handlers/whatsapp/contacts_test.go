package whatsapp

import (
	"context"
	"reflect"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/proto/waSyncAction"
	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"
	"google.golang.org/protobuf/proto"

	"github.com/zapgate/zapgate/domain"
)

type fakeContacts struct{ obs []domain.ContactObservation }

func (f *fakeContacts) RecordContacts(ctx context.Context, instanceID string, obs []domain.ContactObservation) error {
	f.obs = append(f.obs, obs...)
	return nil
}

func TestContactEvents(t *testing.T) {
	at := time.Date(2026, 2, 1, 10, 0, 0, 0, time.UTC)
	now := at.Add(time.Hour)
	tests := []struct {
		name string
		evt  any
		want []domain.ContactObservation
	}{
		{"address book entry with phone and LID", &events.Contact{JID: pnJID, Timestamp: at, Action: &waSyncAction.ContactAction{
			FullName: proto.String("Maria Souza"), FirstName: proto.String("Maria"), LidJID: proto.String("123456789@lid")}},
			[]domain.ContactObservation{{JID: "5511988887777@s.whatsapp.net", Phone: "5511988887777", LID: "123456789@lid", Name: "Maria Souza", At: at}}},
		{"entry by LID naming the phone, first name only", &events.Contact{JID: lidJID, Timestamp: at, Action: &waSyncAction.ContactAction{
			FirstName: proto.String("Jo"), PnJID: proto.String("5511988887777@s.whatsapp.net")}},
			[]domain.ContactObservation{{JID: "5511988887777@s.whatsapp.net", Phone: "5511988887777", LID: "123456789@lid", Name: "Jo", At: at}}},
		{"entry without action", &events.Contact{JID: pnJID, Timestamp: at},
			[]domain.ContactObservation{{JID: "5511988887777@s.whatsapp.net", Phone: "5511988887777", At: at}}},
		{"a group's entry is nobody", &events.Contact{JID: groupJID, Timestamp: at, Action: &waSyncAction.ContactAction{FullName: proto.String("G")}}, nil},
		{"NUL in a name is cleaned", &events.Contact{JID: pnJID, Timestamp: at, Action: &waSyncAction.ContactAction{FullName: proto.String("A\x00na")}},
			[]domain.ContactObservation{{JID: "5511988887777@s.whatsapp.net", Phone: "5511988887777", Name: "Ana", At: at}}},
		{"push name by LID with the phone", &events.PushName{JID: lidJID, JIDAlt: pnJID, NewPushName: "Mari",
			Message: &types.MessageInfo{Timestamp: at}},
			[]domain.ContactObservation{{JID: "5511988887777@s.whatsapp.net", Phone: "5511988887777", LID: "123456789@lid", PushName: "Mari", At: at}}},
		{"push name without a message is dated now", &events.PushName{JID: pnJID, NewPushName: "Mari"},
			[]domain.ContactObservation{{JID: "5511988887777@s.whatsapp.net", Phone: "5511988887777", PushName: "Mari", At: now}}},
		{"a cleared push name teaches nothing", &events.PushName{JID: pnJID, OldPushName: "Mari"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []domain.ContactObservation
			switch e := tt.evt.(type) {
			case *events.Contact:
				if o, ok := ContactObservation(e); ok {
					got = append(got, o)
				}
			case *events.PushName:
				if o, ok := PushNameObservation(e, now); ok {
					got = append(got, o)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestContactEventsReachTheSink(t *testing.T) {
	tr := newTranslator(&fakeSink{})
	evts := []any{
		&events.Contact{JID: pnJID, Action: &waSyncAction.ContactAction{FullName: proto.String("Maria")}},
		&events.PushName{JID: lidJID, JIDAlt: pnJID, NewPushName: "Mari"},
		&events.Contact{JID: groupJID},
	}
	for _, e := range evts { // no sink: ignored
		if err := tr.Handle(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	contacts := &fakeContacts{}
	tr.Contacts = contacts
	for _, e := range evts {
		if err := tr.Handle(context.Background(), e); err != nil {
			t.Fatal(err)
		}
	}
	if len(contacts.obs) != 2 || contacts.obs[0].Name != "Maria" || contacts.obs[1].LID != "123456789@lid" || contacts.obs[1].Phone != "5511988887777" {
		t.Fatalf("recorded %+v", contacts.obs)
	}
}

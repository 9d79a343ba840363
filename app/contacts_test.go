package app

import (
	"context"
	"testing"
	"time"

	"github.com/zapgate/zapgate/domain"
)

func TestReceivedContact(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		m    domain.Message
		want domain.ContactObservation
		ok   bool
	}{
		{"phone and LID", domain.Message{From: "5511988880001", FromLID: "99@lid", PushName: "Ana", CreatedAt: at},
			domain.ContactObservation{JID: "5511988880001@s.whatsapp.net", Phone: "5511988880001", LID: "99@lid", PushName: "Ana", At: at}, true},
		{"LID only", domain.Message{From: "99@lid", FromLID: "99@lid", CreatedAt: at},
			domain.ContactObservation{LID: "99@lid", At: at}, true},
		{"group: the participant", domain.Message{From: "5511988880001", IsGroup: true, Participant: "5511988880001@s.whatsapp.net", PushName: "Ana", CreatedAt: at},
			domain.ContactObservation{JID: "5511988880001@s.whatsapp.net", Phone: "5511988880001", PushName: "Ana", At: at}, true},
		{"group: a member by LID, with their phone", domain.Message{From: "5511988880001", FromLID: "99@lid", IsGroup: true, Participant: "99@lid", PushName: "Ana", CreatedAt: at},
			domain.ContactObservation{JID: "5511988880001@s.whatsapp.net", Phone: "5511988880001", LID: "99@lid", PushName: "Ana", At: at}, true},
		{"group: a member by LID alone", domain.Message{From: "99@lid", FromLID: "99@lid", IsGroup: true, Participant: "99@lid", CreatedAt: at},
			domain.ContactObservation{LID: "99@lid", At: at}, true},
		{"from me", domain.Message{From: "5511988880001", FromMe: true, CreatedAt: at}, domain.ContactObservation{}, false},
		{"not an address", domain.Message{From: "status@broadcast", CreatedAt: at}, domain.ContactObservation{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := receivedContact(&tt.m)
			if ok != tt.ok || got != tt.want {
				t.Fatalf("got %+v %v, want %+v %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestCheckedContacts(t *testing.T) {
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	got := checkedContacts(ContactsChecked{Items: []ContactCheck{
		{Phone: "5511988880001", OnWhatsApp: true, JID: "5511988880001@s.whatsapp.net", LID: "99@lid"},
		{Phone: "5511988880002", OnWhatsApp: true, JID: "5511988880002@s.whatsapp.net"},
		{Phone: "5511988880003"},
	}}, domain.ContactObservation{At: at})
	want := []domain.ContactObservation{
		{JID: "5511988880001@s.whatsapp.net", Phone: "5511988880001", LID: "99@lid", At: at},
		{JID: "5511988880002@s.whatsapp.net", Phone: "5511988880002", At: at},
	}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("got %+v, want %+v", got, want)
	}
}

func TestReceiveMessageRecordsTheSender(t *testing.T) {
	store := newFakeStore()
	a := New(Deps{Store: store, Storage: &fakeStorage{}, WhatsApp: &fakeWhatsApp{}, QR: fakeQR{}})
	d := domain.IncomingDraft{InstanceID: "i", WAMessageID: "w1", From: "5511988880001", FromLID: "99@lid",
		PushName: "Ana", Type: domain.TypeText, Text: "hi"}
	if _, _, err := a.ReceiveMessage(context.Background(), d, nil); err != nil {
		t.Fatal(err)
	}
	if len(store.contactObservations) != 1 {
		t.Fatalf("observations = %+v", store.contactObservations)
	}
	o := store.contactObservations[0]
	if o.Phone != "5511988880001" || o.LID != "99@lid" || o.PushName != "Ana" {
		t.Fatalf("observation = %+v", o)
	}
}

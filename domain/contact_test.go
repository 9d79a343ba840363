package domain

import (
	"testing"
	"time"
)

func TestContactMerge(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	t1 := t0.Add(time.Minute)
	tests := []struct {
		name string
		c    Contact
		o    ContactObservation
		want Contact
	}{
		{"fills an empty contact",
			Contact{},
			ContactObservation{JID: "5511@s.whatsapp.net", Phone: "5511", PushName: "Ana", At: t0},
			Contact{JID: "5511@s.whatsapp.net", Phone: "5511", PushName: "Ana", UpdatedAt: t0}},
		{"adds a LID to a phone",
			Contact{JID: "5511@s.whatsapp.net", Phone: "5511", UpdatedAt: t0},
			ContactObservation{LID: "99@lid", At: t1},
			Contact{JID: "5511@s.whatsapp.net", Phone: "5511", LID: "99@lid", UpdatedAt: t1}},
		{"never loses a known phone or LID",
			Contact{JID: "5511@s.whatsapp.net", Phone: "5511", LID: "99@lid", UpdatedAt: t0},
			ContactObservation{JID: "5522@s.whatsapp.net", Phone: "5522", LID: "88@lid", At: t1},
			Contact{JID: "5511@s.whatsapp.net", Phone: "5511", LID: "99@lid", UpdatedAt: t1}},
		{"the newest push name wins",
			Contact{LID: "99@lid", PushName: "Old", UpdatedAt: t0},
			ContactObservation{LID: "99@lid", PushName: "New", At: t1},
			Contact{LID: "99@lid", PushName: "New", UpdatedAt: t1}},
		{"an older push name does not replace a newer one",
			Contact{LID: "99@lid", PushName: "New", UpdatedAt: t1},
			ContactObservation{LID: "99@lid", PushName: "Old", At: t0},
			Contact{LID: "99@lid", PushName: "New", UpdatedAt: t1}},
		{"an older name still fills an unknown one",
			Contact{LID: "99@lid", UpdatedAt: t1},
			ContactObservation{LID: "99@lid", BusinessName: "Shop", At: t0},
			Contact{LID: "99@lid", BusinessName: "Shop", UpdatedAt: t1}},
		{"an empty push name keeps the known one",
			Contact{LID: "99@lid", PushName: "Ana", UpdatedAt: t0},
			ContactObservation{LID: "99@lid", At: t1},
			Contact{LID: "99@lid", PushName: "Ana", UpdatedAt: t1}},
		{"blocked changes only when known",
			Contact{LID: "99@lid", Blocked: true, UpdatedAt: t0},
			ContactObservation{LID: "99@lid", At: t1},
			Contact{LID: "99@lid", Blocked: true, UpdatedAt: t1}},
		{"unblocked when known",
			Contact{LID: "99@lid", Blocked: true, UpdatedAt: t0},
			ContactObservation{LID: "99@lid", BlockedKnown: true, At: t1},
			Contact{LID: "99@lid", UpdatedAt: t1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := tt.c
			c.Merge(tt.o)
			if c != tt.want {
				t.Fatalf("got %+v, want %+v", c, tt.want)
			}
		})
	}
}

func TestNewContactObservation(t *testing.T) {
	tests := []struct {
		in            string
		jid, lid, tel string
		ok            bool
	}{
		{"5511999998888", "5511999998888@s.whatsapp.net", "", "5511999998888", true},
		{"123456789@lid", "", "123456789@lid", "", true},
		{"120363000000000000@g.us", "", "", "", false},
	}
	for _, tt := range tests {
		a, _ := ParseAddress(tt.in)
		o, ok := NewContactObservation(a, time.Time{})
		if ok != tt.ok || o.JID != tt.jid || o.LID != tt.lid || o.Phone != tt.tel {
			t.Errorf("%s: got %+v %v", tt.in, o, ok)
		}
	}
}

package app

import (
	"testing"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// A person writing directly is a helpdesk customer, by phone, by LID or
// both; a message in a group names the group (filed only when the instance
// attends groups).
func TestCustomer(t *testing.T) {
	in := string(domain.DirectionIn)
	tests := []struct {
		name       string
		m          events.Message
		phone, lid string
		group      string
	}{
		{"direct", events.Message{Direction: in, From: "5511999990000", Chat: "5511999990000@s.whatsapp.net"}, "5511999990000", "", ""},
		{"direct, older message without chat", events.Message{Direction: in, From: "5511999990000"}, "5511999990000", "", ""},
		{"group", events.Message{Direction: in, From: "5511999990000", Chat: "120363025246125244@g.us", IsGroup: true}, "", "", "120363025246125244@g.us"},
		{"group chat without the flag", events.Message{Direction: in, From: "5511999990000", Chat: "120363025246125244@g.us"}, "", "", "120363025246125244@g.us"},
		{"group flag without a group chat", events.Message{Direction: in, From: "5511999990000", IsGroup: true}, "", "", ""},
		{"from the linked phone, in a group", events.Message{Direction: in, From: "5511999990000", Chat: "120363025246125244@g.us", IsGroup: true, FromMe: true}, "", "", ""},
		{"from the linked phone", events.Message{Direction: in, From: "5511999990000", FromMe: true}, "", "", ""},
		{"outgoing", events.Message{Direction: string(domain.DirectionOut), To: "5511999990000"}, "", "", ""},
		{"LID only", events.Message{Direction: in, From: "123456789@lid", Chat: "123456789@lid"}, "", "123456789@lid", ""},
		{"LID only, from_lid too", events.Message{Direction: in, From: "123456789@lid", FromLID: "123456789@lid"}, "", "123456789@lid", ""},
		{"phone with its LID", events.Message{Direction: in, From: "5511999990000", FromLID: "123456789@lid", Chat: "123456789@lid"}, "5511999990000", "123456789@lid", ""},
		{"from is a group", events.Message{Direction: in, From: "120363025246125244@g.us"}, "", "", ""},
		{"from is no address", events.Message{Direction: in, From: "someone"}, "", "", ""},
	}
	for _, tt := range tests {
		c, ok := customer(tt.m)
		want := tt.phone != "" || tt.lid != "" || tt.group != ""
		if ok != want || (ok && (c.Phone != tt.phone || c.LID != tt.lid || c.GroupJID != tt.group)) {
			t.Errorf("%s: customer = %+v, %v; want phone %q lid %q group %q", tt.name, c, ok, tt.phone, tt.lid, tt.group)
		}
	}
}

package app

import (
	"testing"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// Only a person writing directly is a helpdesk customer.
func TestCustomerPhone(t *testing.T) {
	in := string(domain.DirectionIn)
	tests := []struct {
		name  string
		m     events.Message
		phone string
	}{
		{"direct", events.Message{Direction: in, From: "5511999990000", Chat: "5511999990000@s.whatsapp.net"}, "5511999990000"},
		{"direct, older message without chat", events.Message{Direction: in, From: "5511999990000"}, "5511999990000"},
		{"group", events.Message{Direction: in, From: "5511999990000", Chat: "120363025246125244@g.us", IsGroup: true}, ""},
		{"group chat without the flag", events.Message{Direction: in, From: "5511999990000", Chat: "120363025246125244@g.us"}, ""},
		{"from the linked phone", events.Message{Direction: in, From: "5511999990000", FromMe: true}, ""},
		{"outgoing", events.Message{Direction: string(domain.DirectionOut), To: "5511999990000"}, ""},
		{"LID only", events.Message{Direction: in, From: "123456789@lid", Chat: "123456789@lid"}, ""},
	}
	for _, tt := range tests {
		phone, ok := customerPhone(tt.m)
		if phone != tt.phone || ok != (tt.phone != "") {
			t.Errorf("%s: customerPhone = %q, %v; want %q", tt.name, phone, ok, tt.phone)
		}
	}
}

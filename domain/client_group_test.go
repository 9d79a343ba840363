package domain

import (
	"testing"
	"time"
)

func TestNewGroupClient(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name, addr string
		ok         bool
	}{
		{"group", "120363025246125244@g.us", true},
		{"phone", "5511999990000", false},
		{"lid", "123456789@lid", false},
	}
	for _, tt := range tests {
		addr, _ := ParseAddress(tt.addr)
		c, ok := NewGroupClient("i", addr, "Sales", at)
		if ok != tt.ok {
			t.Fatalf("%s: ok = %v", tt.name, ok)
		}
		if ok && (c.GroupJID != tt.addr || c.Address() != tt.addr || !c.IsGroup() || c.PushName != "Sales" || c.Phone != "") {
			t.Fatalf("%s: %+v, address %q", tt.name, c, c.Address())
		}
	}
	// A group client answers at the group even if a phone were ever set.
	c := Client{Phone: "5511999990000", GroupJID: "120363025246125244@g.us"}
	if c.Address() != c.GroupJID {
		t.Fatalf("address = %q", c.Address())
	}
}

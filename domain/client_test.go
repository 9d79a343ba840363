package domain

import (
	"testing"
	"time"
)

func TestNewClient(t *testing.T) {
	phone, _ := ParseAddress("5511999990000")
	lid, _ := ParseAddress("123456789@lid")
	group, _ := ParseAddress("120363025246125244@g.us")
	tests := []struct {
		name       string
		addr, lid  Address
		phone, got string
		ok         bool
	}{
		{"by phone", phone, Address{}, "5511999990000", "", true},
		{"by phone with its LID", phone, lid, "5511999990000", "123456789@lid", true},
		{"by LID only", lid, Address{}, "", "123456789@lid", true},
		{"a phone as lid is ignored", lid, phone, "", "123456789@lid", true},
		{"a group is no client", group, Address{}, "", "", false},
		{"nothing", Address{}, lid, "", "", false},
	}
	for _, tt := range tests {
		c, ok := NewClient("i", tt.addr, tt.lid, "Ana", now)
		if ok != tt.ok || (ok && (c.Phone != tt.phone || c.LID != tt.got || c.ID == "")) {
			t.Errorf("%s: %+v %v", tt.name, c, ok)
		}
	}
}

func TestClientAddressLearnConflicts(t *testing.T) {
	t1 := now.Add(time.Minute)
	lidOnly := Client{LID: "1@lid", PushName: "Ana", FirstSeenAt: now, LastSeenAt: now}
	if lidOnly.Address() != "1@lid" {
		t.Fatalf("address of a LID-only client = %q", lidOnly.Address())
	}
	c := lidOnly
	c.Learn(Client{Phone: "5511999990000", LID: "1@lid", PushName: "Ana S", FirstSeenAt: t1, LastSeenAt: t1})
	if c.Phone != "5511999990000" || c.LID != "1@lid" || c.PushName != "Ana S" || !c.FirstSeenAt.Equal(now) || !c.LastSeenAt.Equal(t1) {
		t.Fatalf("learned %+v", c)
	}
	if c.Address() != "5511999990000" {
		t.Fatalf("a known phone is where replies go, got %q", c.Address())
	}
	// A known phone or LID is never replaced; an older name does not win.
	c.Learn(Client{Phone: "5511888880000", LID: "2@lid", PushName: "old", FirstSeenAt: now, LastSeenAt: now})
	if c.Phone != "5511999990000" || c.LID != "1@lid" || c.PushName != "Ana S" {
		t.Fatalf("overwritten: %+v", c)
	}
	tests := []struct {
		a, b Client
		want bool
	}{
		{Client{Phone: "1"}, Client{LID: "1@lid"}, false},
		{Client{Phone: "1", LID: "1@lid"}, Client{LID: "1@lid"}, false},
		{Client{Phone: "1"}, Client{Phone: "2"}, true},
		{Client{Phone: "1", LID: "1@lid"}, Client{LID: "2@lid"}, true},
	}
	for _, tt := range tests {
		if got := tt.a.Conflicts(tt.b); got != tt.want {
			t.Errorf("%+v conflicts %+v = %v", tt.a, tt.b, got)
		}
	}
}

func TestAttendanceMergeInto(t *testing.T) {
	t1, t2 := now.Add(time.Minute), now.Add(2*time.Minute)
	keep := OpenAttendance("i", "c1", now)
	other := OpenAttendance("i", "c2", t1)
	other.AttendantID = "at"
	_ = other.Touch(FromClient, t2)
	if err := other.MergeInto(keep, t2); err != nil {
		t.Fatal(err)
	}
	if keep.Unread != 3 || !keep.LastActivityAt.Equal(t2) || keep.AttendantID != "at" || keep.Status != AttendanceOpen {
		t.Fatalf("kept %+v", keep)
	}
	if other.Status != AttendanceClosed || other.ClosedReason != ClosedMerged || other.Unread != 0 || other.ClosedAt == nil {
		t.Fatalf("merged %+v", other)
	}
	if err := other.MergeInto(keep, t2); err == nil {
		t.Fatal("a closed attendance merged again")
	}
}

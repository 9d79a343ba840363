package app

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// API.md: "Replying to an unassigned attendance assigns it to the
// attendant who replied", with attendance.assigned; a reply to an
// attendance someone holds, or by the admin token, takes nothing.
func TestReplyingTakesAnUnassignedAttendance(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	a, store, instanceID := helpdeskApp(t, &now)
	if err := a.AttendIncoming(ctx, incoming(instanceID, domain.NewID(now), now)); err != nil {
		t.Fatal(err)
	}
	att := onlyAttendance(t, store)
	ana, bia := domain.NewID(now), domain.NewID(now)

	// The admin token is nobody: it replies without taking.
	if _, err := a.Reply(ctx, att.ID, SendMessage{Type: "text", Text: "from the admin"}); err != nil {
		t.Fatal(err)
	}
	if got := onlyAttendance(t, store); got.AttendantID != "" {
		t.Fatalf("the admin's reply assigned %q", got.AttendantID)
	}
	store.published = nil
	if _, err := a.Reply(ctx, att.ID, SendMessage{Type: "text", Text: "hi", RepliedBy: ana}); err != nil {
		t.Fatal(err)
	}
	if got := onlyAttendance(t, store); got.AttendantID != ana {
		t.Fatalf("assigned to %q, want the attendant who replied", got.AttendantID)
	}
	var assigned []events.AttendanceAssignedData
	for _, e := range store.published {
		if e.Type == events.AttendanceAssigned {
			var d events.AttendanceAssignedData
			if err := json.Unmarshal(e.Data, &d); err != nil {
				t.Fatal(err)
			}
			assigned = append(assigned, d)
		}
	}
	if len(assigned) != 1 || assigned[0].AttendantID != ana || assigned[0].By != ana || assigned[0].AttendanceID != att.ID {
		t.Fatalf("attendance.assigned = %+v", assigned)
	}
	// Someone else replying later does not take it over.
	store.published = nil
	if _, err := a.Reply(ctx, att.ID, SendMessage{Type: "text", Text: "me too", RepliedBy: bia}); err != nil {
		t.Fatal(err)
	}
	if got := onlyAttendance(t, store); got.AttendantID != ana {
		t.Fatalf("a second replier took it: %q", got.AttendantID)
	}
	for _, e := range store.published {
		if e.Type == events.AttendanceAssigned {
			t.Fatalf("a second reply emitted %s", e.Type)
		}
	}
}

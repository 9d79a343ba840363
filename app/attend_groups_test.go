package app

import (
	"context"
	"testing"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// A group's messages open nothing until the instance attends groups; then
// its members write into one attendance whose client is the group, and
// replies go to the group.
func TestAttendGroups(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	a, store, instanceID := helpdeskApp(t, &now)
	const group = "120363025246125244@g.us"
	inGroup := func(from, name string, at time.Time) events.Message {
		m := incoming(instanceID, domain.NewID(at), at)
		m.From, m.PushName, m.Chat, m.IsGroup, m.Participant = from, name, group, true, from
		return m
	}

	if err := a.AttendIncoming(ctx, inGroup("5511911110000", "Ana", now)); err != nil {
		t.Fatal(err)
	}
	if n := len(store.helpdesk.attendances); n != 0 {
		t.Fatalf("attend_groups off: %d attendances", n)
	}

	on := true
	if _, err := a.UpdateInstance(ctx, instanceID, InstancePatch{AttendGroups: &on}); err != nil {
		t.Fatal(err)
	}
	mine := inGroup("5511911110000", "", now.Add(time.Second))
	mine.FromMe = true
	err := a.AttendIncoming(ctx, inGroup("5511911110000", "Ana", now.Add(time.Second)),
		inGroup("5511922220000", "Bia", now.Add(2*time.Second)), mine)
	if err != nil {
		t.Fatal(err)
	}
	att := onlyAttendance(t, store)
	if att.Unread != 2 {
		t.Fatalf("unread = %d, want 2 (the linked phone's own message files nothing)", att.Unread)
	}
	client := store.helpdesk.clients[att.ClientID]
	if client.GroupJID != group || client.Phone != "" || client.LID != "" || len(store.helpdesk.clients) != 1 {
		t.Fatalf("client = %+v (of %d)", client, len(store.helpdesk.clients))
	}
	m, err := a.Reply(ctx, att.ID, SendMessage{Type: "text", Text: "hello all"})
	if err != nil {
		t.Fatal(err)
	}
	if m.To != group {
		t.Fatalf("reply to %q, want the group", m.To)
	}
}

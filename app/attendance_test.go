package app

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// helpdeskApp is an App over the fake store with its clock at *now.
func helpdeskApp(t *testing.T, now *time.Time) (*App, *fakeStore, string) {
	t.Helper()
	store := newFakeStore()
	a := New(Deps{Store: store, Attendances: store, Storage: &fakeStorage{}, WhatsApp: &fakeWhatsApp{}, QR: fakeQR{},
		Clock: func() time.Time { return *now }, PublicURL: "https://zap.example",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	in, _, err := a.CreateInstance(context.Background(), "desk")
	if err != nil {
		t.Fatal(err)
	}
	store.published = nil
	return a, store, in.ID
}

func incoming(instanceID, id string, at time.Time) events.Message {
	return events.Message{ID: id, InstanceID: instanceID, Direction: string(domain.DirectionIn), From: "5511999990000",
		Type: "text", Text: "hi", CreatedAt: at}
}

func publishedTypes(s *fakeStore) []string {
	var out []string
	for _, e := range s.published {
		out = append(out, e.Type)
	}
	return out
}

// onlyAttendance is the store's one attendance.
func onlyAttendance(t *testing.T, s *fakeStore) domain.Attendance {
	t.Helper()
	if len(s.helpdesk.attendances) != 1 {
		t.Fatalf("%d attendances", len(s.helpdesk.attendances))
	}
	for _, a := range s.helpdesk.attendances {
		return a
	}
	panic("unreachable")
}

func TestAttendanceLifecycle(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	a, store, instanceID := helpdeskApp(t, &now)

	// The first message opens an attendance that counts it as unread; a
	// redelivery changes nothing; the next one is counted too.
	first := incoming(instanceID, domain.NewID(now), now)
	for range 2 {
		if err := a.AttendIncoming(ctx, first); err != nil {
			t.Fatal(err)
		}
	}
	if att := onlyAttendance(t, store); att.Unread != 1 || att.Status != domain.AttendanceOpen {
		t.Fatalf("after the first message: %+v", att)
	}
	if err := a.AttendIncoming(ctx, incoming(instanceID, domain.NewID(now), now.Add(time.Second))); err != nil {
		t.Fatal(err)
	}
	att := onlyAttendance(t, store)
	if att.Unread != 2 || !att.LastActivityAt.Equal(now.Add(time.Second)) {
		t.Fatalf("after the second message: %+v", att)
	}

	// A reply is filed in the attendance and clears unread.
	m, err := a.Reply(ctx, att.ID, SendMessage{Type: "text", Text: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	if m.AttendanceID != att.ID {
		t.Fatalf("reply filed in %q", m.AttendanceID)
	}
	if att = onlyAttendance(t, store); att.Unread != 0 || att.LastMessageFrom != domain.FromAttendant {
		t.Fatalf("after the reply: %+v", att)
	}

	// Closing sends a feedback link filed in the attendance; a second close
	// is refused and leaves no trace.
	store.published = nil
	closed, err := a.CloseAttendance(ctx, att.ID)
	if err != nil || closed.Status != domain.AttendanceClosed || closed.ClosedReason != domain.ClosedManual {
		t.Fatalf("close: %+v %v", closed, err)
	}
	want := []string{events.CmdSendMessage, events.AttendanceClosed}
	if got := publishedTypes(store); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("published %v, want %v", got, want)
	}
	if len(store.helpdesk.tokens) != 1 {
		t.Fatalf("%d feedback links", len(store.helpdesk.tokens))
	}
	if _, err := a.CloseAttendance(ctx, att.ID); domain.KindOf(err) != domain.KindConflict {
		t.Fatalf("second close: %v", err)
	}
	if len(store.helpdesk.tokens) != 1 {
		t.Fatalf("%d feedback links after a refused close", len(store.helpdesk.tokens))
	}
	if _, err := a.Reply(ctx, att.ID, SendMessage{Type: "text", Text: "late"}); domain.KindOf(err) != domain.KindConflict {
		t.Fatalf("reply to a closed attendance: %v", err)
	}
}

func TestCloseIdleAttendances(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	a, store, instanceID := helpdeskApp(t, &now)
	if err := a.AttendIncoming(ctx, incoming(instanceID, domain.NewID(now), now)); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		after     time.Duration
		wantN     int
		wantState domain.AttendanceStatus
	}{
		{"active", time.Minute, 0, domain.AttendanceOpen},
		{"idle", time.Hour + time.Minute, 1, domain.AttendanceClosed},
		{"already closed", 2 * time.Hour, 0, domain.AttendanceClosed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			now = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC).Add(tt.after)
			n, err := a.CloseIdleAttendances(ctx, time.Hour, 10)
			if err != nil || n != tt.wantN {
				t.Fatalf("closed %d, %v", n, err)
			}
			if att := onlyAttendance(t, store); att.Status != tt.wantState ||
				(tt.wantState == domain.AttendanceClosed && att.ClosedReason != domain.ClosedIdle) {
				t.Fatalf("%+v", att)
			}
		})
	}
}

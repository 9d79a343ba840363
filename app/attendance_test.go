package app

import (
	"context"
	"encoding/json"
	"errors"
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
	a := New(Deps{Store: store, Attendances: store, Tools: fakeTools{store}, Storage: &fakeStorage{}, WhatsApp: &fakeWhatsApp{}, QR: fakeQR{},
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
	closed, err := a.CloseAttendance(ctx, att.ID, "")
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
	if _, err := a.CloseAttendance(ctx, att.ID, ""); domain.KindOf(err) != domain.KindConflict {
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

// A customer known only by LID is a client like any other: the attendance
// opens, the reply and the feedback link go to the LID, and when their phone
// shows, the same client gains it and later messages go to the phone.
func TestLIDOnlyCustomer(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	a, store, instanceID := helpdeskApp(t, &now)
	const lid = "201234567890123@lid"
	m := incoming(instanceID, domain.NewID(now), now)
	m.From, m.Chat, m.PushName = lid, lid, "Ana"
	if err := a.AttendIncoming(ctx, m); err != nil {
		t.Fatal(err)
	}
	att := onlyAttendance(t, store)
	var opened events.AttendanceOpenedData
	for _, e := range store.published {
		if e.Type == events.AttendanceOpened {
			if err := json.Unmarshal(e.Data, &opened); err != nil {
				t.Fatal(err)
			}
		}
	}
	if opened.Client.LID != lid || opened.Client.Phone != "" || opened.Client.PushName != "Ana" {
		t.Fatalf("attendance.opened client = %+v", opened.Client)
	}
	reply, err := a.Reply(ctx, att.ID, SendMessage{Type: "text", Text: "hello"})
	if err != nil || reply.To != lid {
		t.Fatalf("reply to %q, %v", reply.To, err)
	}

	// Their phone shows: the same client, no second attendance.
	m2 := incoming(instanceID, domain.NewID(now), now.Add(time.Second))
	m2.FromLID = lid
	if err := a.AttendIncoming(ctx, m2); err != nil {
		t.Fatal(err)
	}
	if att2 := onlyAttendance(t, store); att2.ID != att.ID || len(store.helpdesk.clients) != 1 {
		t.Fatalf("%d clients, attendance %s", len(store.helpdesk.clients), att2.ID)
	}
	closed, err := a.CloseAttendance(ctx, att.ID, "")
	if err != nil || closed.Status != domain.AttendanceClosed {
		t.Fatalf("close: %+v %v", closed, err)
	}
	for _, sent := range store.messages {
		if sent.Direction == domain.DirectionOut && sent.ID != reply.ID && sent.To != "5511999990000" {
			t.Fatalf("feedback link sent to %q, want the phone now known", sent.To)
		}
	}
}

// fakeContacts knows people by phone JID or LID.
type fakeContacts []domain.Contact

func (f fakeContacts) ListContacts(ctx context.Context, instanceID, q string, p Page) ([]domain.Contact, string, error) {
	return f, "", nil
}

func (f fakeContacts) Contact(ctx context.Context, instanceID string, addr domain.Address) (*domain.Contact, error) {
	for _, c := range f {
		if c.JID == addr.JID() || c.LID == addr.JID() {
			return &c, nil
		}
	}
	return nil, domain.NotFound("contact")
}

// A LID the contacts already pair with a phone files into the client of
// that phone, whichever address comes first.
func TestCustomerResolvedThroughContacts(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	a, store, instanceID := helpdeskApp(t, &now)
	const lid = "201234567890123@lid"
	a.contacts = fakeContacts{{JID: "5511999990000@s.whatsapp.net", Phone: "5511999990000", LID: lid}}
	byLID := incoming(instanceID, domain.NewID(now), now)
	byLID.From, byLID.Chat = lid, lid
	if err := a.AttendIncoming(ctx, byLID); err != nil {
		t.Fatal(err)
	}
	if err := a.AttendIncoming(ctx, incoming(instanceID, domain.NewID(now), now.Add(time.Second))); err != nil {
		t.Fatal(err)
	}
	if att := onlyAttendance(t, store); att.Unread != 2 || len(store.helpdesk.clients) != 1 {
		t.Fatalf("%d clients, %+v", len(store.helpdesk.clients), att)
	}
	for _, c := range store.helpdesk.clients {
		if c.Phone != "5511999990000" || c.LID != lid {
			t.Fatalf("client %+v", c)
		}
	}
}

// TestReplyQuotesAndReactsWithinItsAttendance: from an attendance, a reply
// may quote and a reaction may target only messages of that conversation
// (a reaction goes to its target's chat, a quote shows its content).
func TestReplyQuotesAndReactsWithinItsAttendance(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	a, store, instanceID := helpdeskApp(t, &now)
	ana, bia := incoming(instanceID, domain.NewID(now), now), incoming(instanceID, domain.NewID(now), now)
	bia.From = "5511999990001"
	if err := a.AttendIncoming(ctx, ana, bia); err != nil {
		t.Fatal(err)
	}
	var anaAtt, biaAtt string
	for _, att := range store.helpdesk.attendances {
		if store.helpdesk.clients[att.ClientID].Phone == bia.From {
			biaAtt = att.ID
		} else {
			anaAtt = att.ID
		}
	}
	toAna, err := a.Reply(ctx, anaAtt, SendMessage{Type: "text", Text: "hello Ana"})
	if err != nil {
		t.Fatal(err)
	}
	toBia, err := a.Reply(ctx, biaAtt, SendMessage{Type: "text", Text: "hello Bia"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		cmd   SendMessage
		field string // "" when accepted
	}{
		{"a quote of the conversation", SendMessage{Type: "text", Text: "as I said", ReplyTo: toAna.ID}, ""},
		{"a reaction in the conversation", SendMessage{Type: "reaction", MessageID: toAna.ID, Emoji: "👍"}, ""},
		{"a quote of another conversation", SendMessage{Type: "text", Text: "look", ReplyTo: toBia.ID}, "reply_to"},
		{"a reaction in another conversation", SendMessage{Type: "reaction", MessageID: toBia.ID, Emoji: "👍"}, "message_id"},
		{"a quote of no message", SendMessage{Type: "text", Text: "x", ReplyTo: domain.NewID(now)}, "reply_to"},
		{"a reaction to no message", SendMessage{Type: "reaction", MessageID: "nope", Emoji: "👍"}, "message_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := a.Reply(ctx, anaAtt, tt.cmd)
			if tt.field == "" {
				if err != nil || m.AttendanceID != anaAtt || m.To != ana.From {
					t.Fatalf("refused or misfiled: %+v %v", m, err)
				}
				return
			}
			var de *domain.Error
			if !errors.As(err, &de) || de.Kind != domain.KindInvalid || de.Fields[tt.field] == "" {
				t.Fatalf("err = %v, want a 400 naming %s", err, tt.field)
			}
		})
	}
}

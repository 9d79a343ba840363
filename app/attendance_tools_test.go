package app

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// Closing asks for feedback only when someone answered (unless the
// instance wants it anyway), with the instance's own text.
func TestClosingMessage(t *testing.T) {
	tests := []struct {
		name         string
		answered     bool
		askAnyway    bool
		closing      *string
		wantSent     string // "" when nothing is sent; LINK stands for the link
		wantFeedback bool
	}{
		{"answered, default text", true, false, nil, "Thanks for talking to us! How did we do? LINK", true},
		{"unanswered: no feedback asked", false, false, nil, "", false},
		{"unanswered, the instance asks anyway", false, true, nil, "Thanks for talking to us! How did we do? LINK", true},
		{"own text with the link inside", true, false, ptr("Obrigado! Avalie: {{link}} :)"), "Obrigado! Avalie: LINK :)", true},
		{"own text without the link: appended", true, false, ptr("Obrigado!"), "Obrigado! LINK", true},
		{"empty text: the default again", true, false, ptr(""), "Thanks for talking to us! How did we do? LINK", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
			a, store, instanceID := helpdeskApp(t, &now)
			if _, err := a.UpdateInstance(ctx, instanceID, InstancePatch{ClosingMessage: tt.closing, FeedbackWhenUnanswered: &tt.askAnyway}); err != nil {
				t.Fatal(err)
			}
			if err := a.AttendIncoming(ctx, incoming(instanceID, domain.NewID(now), now)); err != nil {
				t.Fatal(err)
			}
			att := onlyAttendance(t, store)
			if tt.answered {
				if _, err := a.Reply(ctx, att.ID, SendMessage{Type: "text", Text: "hello"}); err != nil {
					t.Fatal(err)
				}
			}
			before := len(store.messages)
			store.published = nil
			closed, err := a.CloseAttendance(ctx, att.ID, "0196a3f0-6c1e-7d2a-9b4f-2f5e8c1d3a70")
			if err != nil || closed.ClosedBy != "0196a3f0-6c1e-7d2a-9b4f-2f5e8c1d3a70" {
				t.Fatalf("close: %+v %v", closed, err)
			}
			var sent []domain.Message
			for _, m := range store.messages {
				if m.Direction == domain.DirectionOut && m.Text != "hello" {
					sent = append(sent, m)
				}
			}
			if tt.wantSent == "" {
				if len(store.messages) != before || len(store.helpdesk.tokens) != 0 {
					t.Fatalf("sent %d messages, %d links to a client nobody answered", len(store.messages)-before, len(store.helpdesk.tokens))
				}
			} else {
				if len(sent) != 1 || len(store.helpdesk.tokens) != 1 {
					t.Fatalf("sent %v, %d links", sent, len(store.helpdesk.tokens))
				}
				i := strings.Index(sent[0].Text, "https://zap.example/feedback/zgf_")
				if i < 0 {
					t.Fatalf("no link in %q", sent[0].Text)
				}
				link := strings.Fields(sent[0].Text[i:])[0]
				if got := strings.Replace(sent[0].Text, link, "LINK", 1); got != tt.wantSent {
					t.Fatalf("sent %q, want %q", got, tt.wantSent)
				}
			}
			var data events.AttendanceClosedData
			for _, e := range store.published {
				if e.Type == events.AttendanceClosed {
					if err := json.Unmarshal(e.Data, &data); err != nil {
						t.Fatal(err)
					}
				}
			}
			if data.AttendanceID != att.ID || data.FeedbackRequested != tt.wantFeedback || data.ClosedBy == "" {
				t.Fatalf("attendance.closed %+v", data)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

// Notes slot into the timeline by time, are published as attendance.note
// and never become messages.
func TestNotesInTimeline(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	a, store, instanceID := helpdeskApp(t, &now)
	if err := a.AttendIncoming(ctx, incoming(instanceID, domain.NewID(now), now)); err != nil {
		t.Fatal(err)
	}
	att := onlyAttendance(t, store)
	msgs := len(store.messages)
	now = now.Add(time.Second)
	n, err := a.AddNote(ctx, Principal{AttendantID: "0196a3f0-6c1e-7d2a-9b4f-2f5e8c1d3a70"}, att.ID, "  VIP customer  ")
	if err != nil || n.Text != "VIP customer" {
		t.Fatalf("note %+v, %v", n, err)
	}
	if len(store.messages) != msgs {
		t.Fatal("a note became a message")
	}
	if got := publishedTypes(store); got[len(got)-1] != events.AttendanceNote {
		t.Fatalf("published %v", got)
	}
	for _, bad := range []string{"", "   ", "a\x00b", strings.Repeat("x", domain.MaxNoteLen+1)} {
		if _, err := a.AddNote(ctx, Principal{Admin: true}, att.ID, bad); domain.KindOf(err) != domain.KindInvalid {
			t.Fatalf("note %q: %v", bad, err)
		}
	}
	if _, err := a.AddNote(ctx, Principal{Admin: true}, domain.NewID(now), "x"); !domain.IsNotFound(err) {
		t.Fatalf("note on no attendance: %v", err)
	}

	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	m := func(id string, at time.Duration) domain.Message { return domain.Message{ID: id, CreatedAt: t0.Add(at)} }
	note := func(id string, at time.Duration) domain.Note { return domain.Note{ID: id, CreatedAt: t0.Add(at)} }
	got := mergeTimeline([]domain.Message{m("m1", 0), m("m2", 2*time.Second), m("m3", 2*time.Second)},
		[]domain.Note{note("n1", time.Second), note("n2", 2*time.Second), note("n3", time.Hour)})
	var order []string
	for _, it := range got {
		if it.Note != nil {
			order = append(order, it.Note.ID)
		} else {
			order = append(order, it.Message.ID)
		}
	}
	if strings.Join(order, ",") != "m1,n1,m2,m3,n2,n3" {
		t.Fatalf("timeline %v", order)
	}
}

func TestReopenAndLabels(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	a, store, instanceID := helpdeskApp(t, &now)
	if err := a.AttendIncoming(ctx, incoming(instanceID, domain.NewID(now), now)); err != nil {
		t.Fatal(err)
	}
	att := onlyAttendance(t, store)
	if _, err := a.ReopenAttendance(ctx, Principal{Admin: true}, att.ID); domain.KindOf(err) != domain.KindConflict {
		t.Fatalf("reopen an open attendance: %v", err)
	}
	if _, err := a.CloseAttendance(ctx, att.ID, ""); err != nil {
		t.Fatal(err)
	}
	got, err := a.SetLabels(ctx, att.ID, []string{" Billing ", "billing", "VIP"})
	if err != nil || strings.Join(got.Labels, ",") != "Billing,VIP" {
		t.Fatalf("labels %v, %v", got, err)
	}
	now = now.Add(time.Minute)
	re, err := a.ReopenAttendance(ctx, Principal{Admin: true}, att.ID)
	if err != nil || re.Status != domain.AttendanceOpen || re.ClosedAt != nil || !re.LastActivityAt.Equal(now) {
		t.Fatalf("reopen: %+v %v", re, err)
	}
	if got := publishedTypes(store); got[len(got)-1] != events.AttendanceReopened {
		t.Fatalf("published %v", got)
	}
}

// Canned replies listed for an attendance come filled for its client and
// the attendant asking.
func TestCannedRepliesFilled(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	a, store, instanceID := helpdeskApp(t, &now)
	a.attendants = fakeAttendants{"0196a3f0-6c1e-7d2a-9b4f-2f5e8c1d3a70": "Bia"}
	m := incoming(instanceID, domain.NewID(now), now)
	m.PushName = "Ana"
	if err := a.AttendIncoming(ctx, m); err != nil {
		t.Fatal(err)
	}
	att := onlyAttendance(t, store)
	if _, err := a.CreateCannedReply(ctx, "/hi", "Hi {{name}}, {{attendant}} here."); err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateCannedReply(ctx, "hi", "again"); domain.KindOf(err) != domain.KindConflict {
		t.Fatalf("same shortcut twice: %v", err)
	}
	p := Principal{AttendantID: "0196a3f0-6c1e-7d2a-9b4f-2f5e8c1d3a70"}
	rs, err := a.ListCannedReplies(ctx, p, att.ID)
	if err != nil || len(rs) != 1 || rs[0].Filled == nil || *rs[0].Filled != "Hi Ana, Bia here." || rs[0].Shortcut != "hi" {
		t.Fatalf("%+v %v", rs, err)
	}
	if _, err := a.UpdateClient(ctx, att.ClientID, domain.ClientProfile{Name: ptr("Ana Souza")}); err != nil {
		t.Fatal(err)
	}
	rs, _ = a.ListCannedReplies(ctx, p, att.ID)
	if *rs[0].Filled != "Hi Ana Souza, Bia here." {
		t.Fatalf("filled %q", *rs[0].Filled)
	}
	if rs, _ := a.ListCannedReplies(ctx, p, ""); rs[0].Filled != nil {
		t.Fatalf("filled without an attendance: %q", *rs[0].Filled)
	}
	if _, err := a.ListCannedReplies(ctx, p, "nope"); domain.KindOf(err) != domain.KindInvalid {
		t.Fatalf("bad attendance_id: %v", err)
	}
}

// fakeAttendants knows attendants by id → name.
type fakeAttendants map[string]string

func (f fakeAttendants) InsertAttendant(ctx context.Context, at *domain.Attendant) error { return nil }
func (f fakeAttendants) AttendantByEmail(ctx context.Context, email string) (*domain.Attendant, error) {
	return nil, domain.NotFound("attendant")
}
func (f fakeAttendants) AttendantByID(ctx context.Context, id string) (*domain.Attendant, error) {
	name, ok := f[id]
	if !ok {
		return nil, domain.NotFound("attendant")
	}
	return &domain.Attendant{ID: id, Name: name, Active: true}, nil
}
func (f fakeAttendants) ListAttendants(ctx context.Context) ([]domain.Attendant, error) {
	return nil, nil
}
func (f fakeAttendants) InsertSession(ctx context.Context, hash []byte, attendantID string, expiresAt time.Time) error {
	return nil
}
func (f fakeAttendants) SessionAttendant(ctx context.Context, hash []byte, now time.Time) (*domain.Attendant, error) {
	return nil, domain.NotFound("session")
}

func TestListAttendancesFilters(t *testing.T) {
	a := New(Deps{Attendances: &fakeStore{}})
	tests := []struct {
		name  string
		p     Principal
		f     AttendanceFilter
		field string
	}{
		{"me without a session", Principal{Admin: true}, AttendanceFilter{Assigned: "me"}, "assigned"},
		{"assigned nonsense", Principal{Admin: true}, AttendanceFilter{Assigned: "bob"}, "assigned"},
		{"q with NUL", Principal{Admin: true}, AttendanceFilter{Q: "a\x00"}, "q"},
		{"long q", Principal{Admin: true}, AttendanceFilter{Q: strings.Repeat("q", 201)}, "q"},
		{"long label", Principal{Admin: true}, AttendanceFilter{Label: strings.Repeat("l", 33)}, "label"},
		{"bad team", Principal{Admin: true}, AttendanceFilter{TeamID: "t1"}, "team_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := a.ListAttendances(context.Background(), tt.p, tt.f)
			var de *domain.Error
			if !errors.As(err, &de) || de.Fields[tt.field] == "" {
				t.Fatalf("err %v, want a reason for %s", err, tt.field)
			}
		})
	}
}

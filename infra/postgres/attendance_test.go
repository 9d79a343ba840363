package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
)

func attendanceApp(t testing.TB) (*app.App, *postgres.Store, *domain.Instance, func() time.Time) {
	t.Helper()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	in := newInstance(t, s)
	now := time.Now().UTC()
	clock := func() time.Time { return now }
	a := app.New(app.Deps{AdminToken: "admin-token", Store: s, Attendances: s, Attendants: s, Feedback: s, Tools: s,
		Teams: s, Presence: s, PublicURL: "https://zap.example", Clock: clock, Log: quiet})
	return a, s, in, clock
}

func receive(t *testing.T, a *app.App, instanceID, from, wa string, at time.Time) app.AttendanceView {
	t.Helper()
	ctx := context.Background()
	m, _, err := a.ReceiveMessage(ctx, domain.IncomingDraft{InstanceID: instanceID, WAMessageID: wa, From: from, Type: domain.TypeText, Text: "hi", At: at}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data := app.MessageData(m)
	// The consumer may see the same event more than once.
	for range 2 {
		if err := a.AttendIncoming(ctx, data); err != nil {
			t.Fatal(err)
		}
	}
	items, _, err := a.ListAttendances(ctx, app.Principal{Admin: true}, app.AttendanceFilter{Page: app.Page{Limit: 500}, Status: string(domain.AttendanceOpen), InstanceID: instanceID})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range items {
		if v.Client.Phone == from {
			return v
		}
	}
	t.Fatalf("no open attendance for %s", from)
	return app.AttendanceView{}
}

func TestAttendanceConsumerIsIdempotent(t *testing.T) {
	t.Parallel()
	a, _, in, clock := attendanceApp(t)
	v := receive(t, a, in.ID, "5511988887777", "W1", clock())
	if v.Attendance.Unread != 1 {
		t.Fatalf("unread = %d after one message seen twice", v.Attendance.Unread)
	}
	v2 := receive(t, a, in.ID, "5511988887777", "W2", clock().Add(time.Second))
	if v2.Attendance.ID != v.Attendance.ID || v2.Attendance.Unread != 2 {
		t.Fatalf("second message: %+v", v2.Attendance)
	}
	_, msgs, err := a.GetAttendance(context.Background(), v.Attendance.ID)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("%d messages filed, %v", len(msgs), err)
	}
	// Group messages and the phone's own messages open nothing.
	ctx := context.Background()
	for i, d := range []domain.IncomingDraft{
		{InstanceID: in.ID, WAMessageID: "G1", From: "5511900000001", Type: domain.TypeText, Text: "x", IsGroup: true, Chat: "1@g.us"},
		{InstanceID: in.ID, WAMessageID: "M1", From: "5511900000002", Type: domain.TypeText, Text: "x", FromMe: true},
	} {
		m, _, err := a.ReceiveMessage(ctx, d, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.AttendIncoming(ctx, app.MessageData(m)); err != nil {
			t.Fatal(err)
		}
		items, _, _ := a.ListAttendances(ctx, app.Principal{Admin: true}, app.AttendanceFilter{InstanceID: in.ID})
		if len(items) != 1 {
			t.Fatalf("case %d opened an attendance", i)
		}
	}
}

// TestAttendIncomingFilesABatchInOrder: the consumer files what arrived
// together in one transaction, each message into its own client's
// attendance, and the same batch again changes nothing.
func TestAttendIncomingFilesABatchInOrder(t *testing.T) {
	t.Parallel()
	a, _, in, clock := attendanceApp(t)
	ctx := context.Background()
	var batch []events.Message
	for i, d := range []domain.IncomingDraft{
		{WAMessageID: "B1", From: "5511900000011"},
		{WAMessageID: "B2", From: "5511900000022"},
		{WAMessageID: "B3", From: "5511900000011"},
		{WAMessageID: "B4", From: "5511900000033", IsGroup: true, Chat: "2@g.us"},
	} {
		d.InstanceID, d.Type, d.Text, d.At = in.ID, domain.TypeText, "hi", clock().Add(time.Duration(i)*time.Second)
		m, _, err := a.ReceiveMessage(ctx, d, nil)
		if err != nil {
			t.Fatal(err)
		}
		batch = append(batch, app.MessageData(m))
	}
	for range 2 {
		if err := a.AttendIncoming(ctx, batch...); err != nil {
			t.Fatal(err)
		}
	}
	items, _, err := a.ListAttendances(ctx, app.Principal{Admin: true}, app.AttendanceFilter{Page: app.Page{Limit: 10}, InstanceID: in.ID})
	if err != nil || len(items) != 2 {
		t.Fatalf("%d attendances, %v; want one per customer (the group opens none)", len(items), err)
	}
	unread := map[string]int{}
	for _, v := range items {
		unread[v.Client.Phone] = v.Attendance.Unread
	}
	if unread["5511900000011"] != 2 || unread["5511900000022"] != 1 {
		t.Fatalf("unread by phone: %v", unread)
	}
}

// TestTwoClosersCloseEachAttendanceOnce races two closers over 150 idle
// attendances in batches of 40: each is closed once, with one feedback
// link and one message to its client (nobody answered them, so the
// instance asks for feedback of the unanswered too).
func TestTwoClosersCloseEachAttendanceOnce(t *testing.T) {
	t.Parallel()
	a, s, in, clock := attendanceApp(t)
	ctx := context.Background()
	if _, err := a.UpdateInstance(ctx, in.ID, app.InstancePatch{FeedbackWhenUnanswered: ptr(true)}); err != nil {
		t.Fatal(err)
	}
	old := clock().Add(-time.Hour)
	for i := range 150 {
		receive(t, a, in.ID, fmt.Sprintf("55119888%05d", i), fmt.Sprint("W", i), old)
	}
	fresh := receive(t, a, in.ID, "5511977770000", "FRESH", clock())
	var wg sync.WaitGroup
	closed := make([]int, 2)
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n, err := a.CloseIdleAttendances(ctx, 30*time.Minute, 40)
				if err != nil {
					t.Error(err)
					return
				}
				closed[w] += n
				if n == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	if closed[0]+closed[1] != 150 {
		t.Fatalf("closers closed %v, want 150 in all", closed)
	}
	var counts struct {
		Closed   int `db:"closed"`
		Tokens   int `db:"tokens"`
		Messages int `db:"messages"`
	}
	err := s.DB().GetContext(ctx, &counts, `SELECT
		(SELECT count(*) FROM attendances WHERE status = 'closed' AND closed_reason = 'idle') AS closed,
		(SELECT count(*) FROM feedback_tokens) AS tokens,
		(SELECT count(*) FROM messages WHERE direction = 'out' AND body LIKE '%https://zap.example/feedback/zgf_%') AS messages`)
	if err != nil {
		t.Fatal(err)
	}
	if counts.Closed != 150 || counts.Tokens != 150 || counts.Messages != 150 {
		t.Fatalf("counts = %+v", counts)
	}
	v, _, err := a.GetAttendance(ctx, fresh.Attendance.ID)
	if err != nil || v.Attendance.Status != domain.AttendanceOpen {
		t.Fatalf("an active attendance was closed: %v", err)
	}
}

// UpdateAttendance stores what fn changed, and nothing when fn refuses.
func TestUpdateAttendance(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, s, in, clock := attendanceApp(t)
	v := receive(t, a, in.ID, "5511977776666", "W1", clock())
	id := v.Attendance.ID
	refused := fmt.Errorf("refused")
	tests := []struct {
		name    string
		id      string
		fn      func(*domain.Attendance) error
		wantErr func(error) bool
		unread  int
	}{
		{"a change is stored", id, func(att *domain.Attendance) error { return att.Touch(domain.FromClient, clock()) },
			func(err error) bool { return err == nil }, 2},
		{"a refused change stores nothing", id, func(att *domain.Attendance) error {
			att.Unread = 99 // changed in memory, then refused
			return refused
		}, func(err error) bool { return err == refused }, 2},
		{"an unknown attendance", domain.NewID(clock()), func(*domain.Attendance) error { return nil },
			domain.IsNotFound, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The transaction commits whatever UpdateAttendance answers, so
			// a refused change must not have been written at all.
			var err error
			if txErr := s.InTx(ctx, func(tx app.Tx) error {
				err = tx.UpdateAttendance(ctx, tt.id, tt.fn)
				return nil
			}); txErr != nil {
				t.Fatal(txErr)
			}
			if !tt.wantErr(err) {
				t.Fatalf("err = %v", err)
			}
			got, _, err := a.GetAttendance(ctx, id)
			if err != nil || got.Attendance.Unread != tt.unread {
				t.Fatalf("unread = %d, %v; want %d", got.Attendance.Unread, err, tt.unread)
			}
		})
	}
}

// TestOpenAttendanceFor looks for the client's open attendance before it
// inserts: the open one is returned locked and unchanged, a client with
// none gets the draft, and SaveAttendance stores a change to what it
// returned.
func TestOpenAttendanceFor(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, s, in, clock := attendanceApp(t)
	open := receive(t, a, in.ID, "5511977775555", "O1", clock())
	fresh, _ := domain.NewClient(in.ID, mustAddress(t, "5511977774444"), domain.Address{}, "", clock())
	tests := []struct {
		name        string
		client      *domain.Client
		wantCreated bool
		wantSameAs  string // the attendance expected, when not the draft
	}{
		{"the open attendance is found", &domain.Client{ID: open.Client.ID, InstanceID: in.ID, Phone: open.Client.Phone,
			FirstSeenAt: clock(), LastSeenAt: clock()}, false, open.Attendance.ID},
		{"a client with none gets the draft", fresh, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.InTx(ctx, func(tx app.Tx) error {
				c, _, err := tx.UpsertClient(ctx, tt.client)
				if err != nil {
					return err
				}
				draft := domain.OpenAttendance(in.ID, c.ID, clock())
				att, created, err := tx.OpenAttendanceFor(ctx, draft)
				if err != nil {
					return err
				}
				want := tt.wantSameAs
				if want == "" {
					want = draft.ID
				}
				if created != tt.wantCreated || att.ID != want {
					t.Errorf("attendance %s, created %v; want %s, %v", att.ID, created, want, tt.wantCreated)
				}
				before := att.Unread
				if err := att.Touch(domain.FromClient, clock()); err != nil {
					return err
				}
				if err := tx.SaveAttendance(ctx, att); err != nil {
					return err
				}
				again, created, err := tx.OpenAttendanceFor(ctx, domain.OpenAttendance(in.ID, c.ID, clock()))
				if err != nil {
					return err
				}
				if created || again.ID != att.ID || again.Unread != before+1 {
					t.Errorf("again: %s unread %d, created %v; want %s unread %d, not created", again.ID, again.Unread, created, att.ID, before+1)
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func mustAddress(t *testing.T, s string) domain.Address {
	t.Helper()
	addr, ok := domain.ParseAddress(s)
	if !ok {
		t.Fatalf("bad address %q", s)
	}
	return addr
}

package postgres_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
)

// say files a client's message with its text and returns their attendance.
func say(t testing.TB, a *app.App, instanceID, from, push, text string, at time.Time) app.AttendanceView {
	t.Helper()
	ctx := context.Background()
	m, _, err := a.ReceiveMessage(ctx, domain.IncomingDraft{InstanceID: instanceID, WAMessageID: domain.NewID(at), From: from,
		PushName: push, Type: domain.TypeText, Text: text, At: at}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.AttendIncoming(ctx, app.MessageData(m)); err != nil {
		t.Fatal(err)
	}
	v, _, err := a.ListAttendances(ctx, app.Principal{Admin: true}, app.AttendanceFilter{Page: app.Page{Limit: 500}, Status: "open", Q: from})
	if err != nil || len(v) != 1 {
		t.Fatalf("attendance of %s: %d, %v", from, len(v), err)
	}
	return v[0]
}

func ids(vs []app.AttendanceView) string {
	var out []string
	for _, v := range vs {
		out = append(out, v.Client.PushName)
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

func TestAttendanceSearchAndFilters(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	a, s, in, clock := attendanceApp(t)
	other := newInstance(t, s)
	now := clock()
	ana := say(t, a, in.ID, "5511988887777", "Ana", "O boleto está atrasado, podem ajudar?", now)
	bob := say(t, a, in.ID, "5511977776666", "Bob", "My invoice is overdue", now.Add(time.Second))
	cid := say(t, a, other.ID, "5521955554444", "Cida", "Bom dia", now.Add(2*time.Second))

	if _, err := a.SetLabels(ctx, ana.Attendance.ID, []string{"Billing", "VIP"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.SetLabels(ctx, bob.Attendance.ID, []string{"billing"}); err != nil {
		t.Fatal(err)
	}
	at, err := a.CreateAttendant(ctx, "Bia", "bia@example.com", "secret-pass", "attendant")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.AssignAttendance(ctx, bob.Attendance.ID, at.ID, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := a.UpdateClient(ctx, cid.Client.ID, domain.ClientProfile{Name: ptr("Maria Aparecida")}); err != nil {
		t.Fatal(err)
	}

	team, err := a.CreateTeam(ctx, "Recife", []string{other.ID}, nil, "manual")
	if err != nil {
		t.Fatal(err)
	}

	admin := app.Principal{Admin: true}
	tests := []struct {
		name string
		p    app.Principal
		f    app.AttendanceFilter
		want string
	}{
		{"all", admin, app.AttendanceFilter{}, "Ana,Bob,Cida"},
		{"a word of a message", admin, app.AttendanceFilter{Q: "boleto"}, "Ana"},
		{"accents and case as typed", admin, app.AttendanceFilter{Q: "ESTÁ"}, "Ana"},
		{"a prefix", admin, app.AttendanceFilter{Q: "overd"}, "Bob"},
		{"two words, both needed", admin, app.AttendanceFilter{Q: "invoice overdue"}, "Bob"},
		{"words of two messages", admin, app.AttendanceFilter{Q: "invoice boleto"}, ""},
		{"a push name", admin, app.AttendanceFilter{Q: "bob"}, "Bob"},
		{"a name written down", admin, app.AttendanceFilter{Q: "aparecida"}, "Cida"},
		{"a phone as people type it", admin, app.AttendanceFilter{Q: "+55 (21) 95555"}, "Cida"},
		{"part of a phone", admin, app.AttendanceFilter{Q: "88887"}, "Ana"},
		{"like wildcards are literal", admin, app.AttendanceFilter{Q: "%"}, ""},
		{"tsquery syntax is literal", admin, app.AttendanceFilter{Q: "boleto & | ! :*"}, "Ana"},
		{"nothing", admin, app.AttendanceFilter{Q: "zebra"}, ""},
		{"label, any case", admin, app.AttendanceFilter{Label: "BILLING"}, "Ana,Bob"},
		{"label and search", admin, app.AttendanceFilter{Label: "billing", Q: "boleto"}, "Ana"},
		{"unassigned", admin, app.AttendanceFilter{Assigned: "none"}, "Ana,Cida"},
		{"assigned to her", admin, app.AttendanceFilter{Assigned: at.ID}, "Bob"},
		{"mine", app.Principal{AttendantID: at.ID}, app.AttendanceFilter{Assigned: "me"}, "Bob"},
		{"an instance", admin, app.AttendanceFilter{InstanceID: other.ID}, "Cida"},
		{"a team with none of these", admin, app.AttendanceFilter{TeamID: domain.NewID(now)}, ""},
		{"the team of an instance", admin, app.AttendanceFilter{TeamID: team.ID}, "Cida"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vs, _, err := a.ListAttendances(ctx, tt.p, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(vs); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestAttendanceToolsRoundTrip(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	in := newInstance(t, s)
	now := time.Now().UTC()
	clock := now
	a := app.New(app.Deps{AdminToken: "admin-token", Store: s, Attendances: s, Attendants: s, Feedback: s, Tools: s,
		PublicURL: "https://zap.example", Clock: func() time.Time { return clock }, Log: quiet})
	tick := func() { clock = clock.Add(time.Second) }
	v := say(t, a, in.ID, "5511988887777", "Ana", "oi", now)
	tick()
	at, err := a.CreateAttendant(ctx, "Bia", "bia@example.com", "secret-pass", "attendant")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddNote(ctx, app.Principal{AttendantID: at.ID}, v.Attendance.ID, "call her back"); err != nil {
		t.Fatal(err)
	}
	tick()
	if _, err := a.Reply(ctx, v.Attendance.ID, app.SendMessage{Type: "text", Text: "olá"}); err != nil {
		t.Fatal(err)
	}
	tick()
	closed, err := a.CloseAttendance(ctx, v.Attendance.ID, at.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, items, err := a.AttendanceTimeline(ctx, v.Attendance.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Attendance.ClosedBy != at.ID || got.Attendance.FirstReplyAt == nil || closed.ClosedReason != domain.ClosedManual {
		t.Fatalf("closed %+v", got.Attendance)
	}
	var kinds []string
	for _, it := range items {
		if it.Note != nil {
			kinds = append(kinds, "note:"+it.Note.Text)
		} else {
			kinds = append(kinds, "message:"+strings.SplitN(it.Message.Text, " ", 2)[0])
		}
	}
	if strings.Join(kinds, "|") != "message:oi|note:call her back|message:olá|message:Thanks" {
		t.Fatalf("timeline %v", kinds)
	}

	// Another conversation opens; reopening the first is refused.
	tick()
	v2 := say(t, a, in.ID, "5511988887777", "Ana", "de novo", clock)
	if _, err := a.ReopenAttendance(ctx, app.Principal{Admin: true}, v.Attendance.ID); domain.KindOf(err) != domain.KindConflict {
		t.Fatalf("reopen beside an open one: %v", err)
	}
	if _, err := a.CloseAttendance(ctx, v2.Attendance.ID, ""); err != nil {
		t.Fatal(err)
	}
	re, err := a.ReopenAttendance(ctx, app.Principal{Admin: true}, v.Attendance.ID)
	if err != nil || re.Status != domain.AttendanceOpen || re.ClosedBy != "" {
		t.Fatalf("reopen: %+v %v", re, err)
	}

	// The client's page.
	cv, err := a.UpdateClient(ctx, v.Client.ID, domain.ClientProfile{Name: ptr("Ana Souza"), Notes: ptr("prefers mornings"),
		Attributes: map[string]string{"plan": "gold"}})
	if err != nil || cv.Client.Name != "Ana Souza" || cv.Client.Attributes["plan"] != "gold" || len(cv.Attendances) != 2 {
		t.Fatalf("client %+v, %v", cv, err)
	}
	if _, err := a.SetLabels(ctx, v2.Attendance.ID, []string{"VIP"}); err != nil {
		t.Fatal(err)
	}
	cv, _ = a.GetClient(ctx, v.Client.ID)
	if strings.Join(cv.Labels, ",") != "VIP" || cv.Client.Notes != "prefers mornings" {
		t.Fatalf("client page %+v", cv)
	}
	cs, _, err := a.ListClients(ctx, "souza", app.Page{})
	if err != nil || len(cs) != 1 || cs[0].ID != v.Client.ID {
		t.Fatalf("clients %+v %v", cs, err)
	}

	// Canned replies: the shortcut is unique.
	r, err := a.CreateCannedReply(ctx, "hi", "Hi {{name}}")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateCannedReply(ctx, "hi", "again"); domain.KindOf(err) != domain.KindConflict {
		t.Fatalf("same shortcut: %v", err)
	}
	r2, _ := a.CreateCannedReply(ctx, "bye", "Bye")
	if _, err := a.UpdateCannedReply(ctx, r2.ID, ptr("hi"), nil); domain.KindOf(err) != domain.KindConflict {
		t.Fatalf("rename onto a taken shortcut: %v", err)
	}
	if err := a.DeleteCannedReply(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.DeleteCannedReply(ctx, r.ID); !domain.IsNotFound(err) {
		t.Fatalf("second delete: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

// BenchmarkAttendanceSearch measures q over 100k messages in 1000
// attendances (go test ./infra/postgres -run '^$' -bench AttendanceSearch).
func BenchmarkAttendanceSearch(b *testing.B) {
	ctx := context.Background()
	a, s, in, _ := attendanceApp(b)
	db := s.DB()
	for _, q := range []string{
		`INSERT INTO clients (id, instance_id, phone, push_name, first_seen_at, last_seen_at)
		SELECT gen_random_uuid(), $1, '5511' || lpad(g::text, 9, '0'), 'client ' || g, now(), now() FROM generate_series(1, 1000) g`,
		`INSERT INTO attendances (id, instance_id, client_id, status, opened_at, last_activity_at, last_message_from)
		SELECT gen_random_uuid(), $1, c.id, 'closed', now(), now() - random() * interval '30 days', 'client' FROM clients c`,
		`INSERT INTO messages (id, instance_id, direction, status, to_phone, from_phone, type, body, attendance_id, created_at, wa_message_id)
		SELECT gen_random_uuid(), $1, 'in', 'received', '', '', 'text',
		       (ARRAY['olá','preciso','de','ajuda','com','meu','pedido','hello','order','late','boleto','invoice'])[1 + g % 12]
		       || ' ' || md5(g::text), (SELECT array_agg(id) FROM attendances)[1 + g % 1000], now(), 'B' || g
		FROM generate_series(1, 100000) g`,
	} {
		if _, err := db.ExecContext(ctx, q, in.ID); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := db.ExecContext(ctx, `ANALYZE`); err != nil {
		b.Fatal(err)
	}
	word := domain.NewID(time.Now())[:8]
	if _, err := db.ExecContext(ctx, `UPDATE messages SET body = body || ' ' || $1 WHERE id IN (SELECT id FROM messages ORDER BY random() LIMIT 3)`, word); err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{word, "boleto", "client 42"} {
		b.Run(fmt.Sprintf("q=%s", q), func(b *testing.B) {
			for b.Loop() {
				if _, _, err := a.ListAttendances(ctx, app.Principal{Admin: true}, app.AttendanceFilter{Page: app.Page{Limit: 50}, Q: q}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

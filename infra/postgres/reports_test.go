package postgres_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
)

// reportSeed writes attendances straight into the tables, so the report's
// numbers can be worked out by hand.
type reportSeed struct {
	t  *testing.T
	db *sqlx.DB
}

func (r reportSeed) exec(q string, args ...any) {
	r.t.Helper()
	if _, err := r.db.Exec(q, args...); err != nil {
		r.t.Fatalf("%s: %v", q, err)
	}
}

// attendance files one attendance opened at opened; reply and closed are
// seconds after it (<0: never); rating 0 is none.
func (r reportSeed) attendance(instanceID, attendantID, teamID, phone string, opened time.Time, reply, closed, rating int, labels string) string {
	r.t.Helper()
	id, client := domain.NewID(opened), domain.NewID(opened)
	r.exec(`INSERT INTO clients (id, instance_id, phone, push_name, first_seen_at, last_seen_at) VALUES ($1, $2, $3, 'P'||$3, $4, $4)`,
		client, instanceID, phone, opened)
	var firstReply, closedAt any
	status := "open"
	if reply >= 0 {
		firstReply = opened.Add(time.Duration(reply) * time.Second)
	}
	if closed >= 0 {
		closedAt, status = opened.Add(time.Duration(closed)*time.Second), "closed"
	}
	r.exec(`INSERT INTO attendances (id, instance_id, client_id, status, attendant_id, opened_at, last_activity_at, last_message_from,
		closed_at, closed_reason, first_reply_at, team_id, labels)
		VALUES ($1, $2, $3, $4, NULLIF($5, '')::uuid, $6, $6, 'client', $7, CASE WHEN $4 = 'closed' THEN 'attendant' ELSE '' END, $8,
		NULLIF($9, '')::uuid, coalesce(string_to_array(NULLIF($10, ''), ','), '{}'))`,
		id, instanceID, client, status, attendantID, opened, closedAt, firstReply, teamID, labels)
	if rating > 0 {
		r.exec(`INSERT INTO feedback (id, attendance_id, rating, comment, created_at) VALUES ($1, $2, $3, 'ok, "fine"', $4)`,
			domain.NewID(opened), id, rating, opened)
	}
	return id
}

// fl is p to the millisecond (percentiles are interpolated in floating
// point), -1 when nil.
func fl(p *float64) float64 {
	if p == nil {
		return -1
	}
	return math.Round(*p*1000) / 1000
}

func TestAttendanceReportNumbers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	in, other := newInstance(t, s), newInstance(t, s)
	seed := reportSeed{t, db}
	base := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	ana, bob, team := domain.NewID(base), domain.NewID(base), domain.NewID(base)
	seed.exec(`INSERT INTO attendants (id, name, email, password_hash, role, created_at) VALUES
		($1, 'Ana', 'ana@example.com', 'x', 'attendant', $3), ($2, 'Bob', 'bob@example.com', 'x', 'attendant', $3)`, ana, bob, base)
	seed.exec(`INSERT INTO teams (id, name, routing, created_at, updated_at) VALUES ($1, 'Sales', 'manual', $2, $2)`, team, base)

	h := time.Hour
	day := 24 * h
	a1 := seed.attendance(in.ID, ana, team, "5511900000001", base.Add(h), 60, 600, 5, "vip,=sum")
	seed.attendance(in.ID, ana, team, "5511900000002", base.Add(2*h), 120, 1200, 3, "")
	seed.attendance(in.ID, bob, "", "5511900000003", base.Add(day), 300, 1800, 0, "")
	seed.attendance(in.ID, "", "", "5511900000004", base.Add(day+h), -1, -1, 0, "")
	// Opened before the range, closed in it: counts as closed, not opened.
	seed.attendance(in.ID, bob, "", "5511900000005", base.Add(-day), 30, int((3 * day).Seconds()), 4, "")
	// After the range: nowhere.
	seed.attendance(in.ID, bob, "", "5511900000006", base.Add(5*day), 10, 20, 1, "")
	seed.attendance(other.ID, "", "", "5511900000007", base.Add(h), -1, -1, 0, "")

	all := domain.ReportFilter{From: base, To: base.Add(3 * day)}
	r, err := s.AttendanceReport(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	if r.Opened != 5 || r.Closed != 4 {
		t.Fatalf("opened %d closed %d, want 5 and 4", r.Opened, r.Closed)
	}
	// First response over the answered ones opened in range: 60, 120, 300.
	if fl(r.FirstResponse.P50) != 120 || fl(r.FirstResponse.P90) != 264 {
		t.Fatalf("first response %v %v, want 120 264", fl(r.FirstResponse.P50), fl(r.FirstResponse.P90))
	}
	// Resolution over the closed ones: 600, 1200, 1800, 259200.
	if fl(r.Resolution.P50) != 1500 || fl(r.Resolution.P90) != 181980 {
		t.Fatalf("resolution %v %v, want 1500 181980", fl(r.Resolution.P50), fl(r.Resolution.P90))
	}
	if fl(r.CSAT.Average) != 4 || r.CSAT.Count != 3 {
		t.Fatalf("csat %v over %d, want 4 over 3", fl(r.CSAT.Average), r.CSAT.Count)
	}
	byAtt := map[string]app.AttendantReport{}
	for _, x := range r.ByAttendant {
		byAtt[x.Name] = x
	}
	if len(byAtt) != 2 || byAtt["Ana"].Closed != 2 || fl(byAtt["Ana"].FirstResponseP50) != 90 || fl(byAtt["Ana"].CSATAverage) != 4 ||
		byAtt["Bob"].Closed != 2 || fl(byAtt["Bob"].FirstResponseP50) != 165 || fl(byAtt["Bob"].CSATAverage) != 4 || byAtt["Bob"].AttendantID != bob {
		t.Fatalf("by attendant %+v", r.ByAttendant)
	}
	if len(r.ByTeam) != 1 || r.ByTeam[0].TeamID != team || r.ByTeam[0].Name != "Sales" || r.ByTeam[0].Closed != 2 || fl(r.ByTeam[0].CSATAverage) != 4 {
		t.Fatalf("by team %+v", r.ByTeam)
	}
	want := []app.DayReport{{Date: "2026-03-01", Opened: 3, Closed: 2}, {Date: "2026-03-02", Opened: 2, Closed: 1}, {Date: "2026-03-03", Opened: 0, Closed: 1}}
	if len(r.PerDay) != len(want) {
		t.Fatalf("per day %+v", r.PerDay)
	}
	for i := range want {
		if r.PerDay[i] != want[i] {
			t.Fatalf("per day %+v, want %+v", r.PerDay, want)
		}
	}

	filters := []struct {
		name           string
		f              domain.ReportFilter
		opened, closed int
	}{
		{"instance", domain.ReportFilter{InstanceID: in.ID}, 4, 4},
		{"other instance", domain.ReportFilter{InstanceID: other.ID}, 1, 0},
		{"attendant", domain.ReportFilter{AttendantID: ana}, 2, 2},
		{"team", domain.ReportFilter{TeamID: team}, 2, 2},
		{"empty range", domain.ReportFilter{From: base.Add(10 * day), To: base.Add(11 * day)}, 0, 0},
	}
	for _, tt := range filters {
		t.Run(tt.name, func(t *testing.T) {
			f := tt.f
			if f.From.IsZero() {
				f.From, f.To = all.From, all.To
			}
			r, err := s.AttendanceReport(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if r.Opened != tt.opened || r.Closed != tt.closed {
				t.Fatalf("opened %d closed %d, want %d and %d", r.Opened, r.Closed, tt.opened, tt.closed)
			}
			if tt.closed == 0 && (r.Resolution.P50 != nil || r.CSAT.Average != nil || len(r.ByAttendant) != 0) {
				t.Fatalf("nothing closed but %+v", r)
			}
		})
	}

	var rows []app.ReportRow
	if err := s.EachReportRow(ctx, domain.ReportFilter{From: all.From, To: all.To, InstanceID: in.ID}, func(r app.ReportRow) error {
		rows = append(rows, r)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || rows[0].ID != a1 {
		t.Fatalf("rows %+v", rows)
	}
	first := rows[0]
	if first.TeamName != "Sales" || first.AttendantName != "Ana" || first.ClientPhone != "5511900000001" || first.ClientName != "P5511900000001" ||
		first.FirstReplyAt == nil || first.FirstReplyAt.Sub(first.OpenedAt) != time.Minute || first.ClosedAt == nil ||
		first.Rating == nil || *first.Rating != 5 || first.Comment != `ok, "fine"` || strings.Join(first.Labels, "|") != "vip|=sum" {
		t.Fatalf("first row %+v", first)
	}
	if last := rows[3]; last.FirstReplyAt != nil || last.ClosedAt != nil || last.Rating != nil || last.AttendantName != "" {
		t.Fatalf("open row %+v", last)
	}
}

package postgres_test

import (
	"context"
	"encoding/csv"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
)

// BenchmarkAttendanceReport: the figures and the CSV export over 100k
// attendances spread over a year (10 attendants, 2 teams, a third rated).
// task bench:reports.
func BenchmarkAttendanceReport(b *testing.B) {
	ctx := context.Background()
	db, _ := pgtest.New(b)
	s := postgres.NewStore(db, quiet)
	in := newInstance(b, s)
	for _, q := range []string{
		`INSERT INTO attendants (id, name, email, password_hash, role, created_at)
		SELECT gen_random_uuid(), 'agent ' || g, 'agent' || g || '@example.com', 'x', 'attendant', now() FROM generate_series(1, 10) g`,
		`INSERT INTO teams (id, name, routing, created_at, updated_at)
		SELECT gen_random_uuid(), 'team ' || g, 'manual', now(), now() FROM generate_series(1, 2) g`,
		`INSERT INTO clients (id, instance_id, phone, push_name, first_seen_at, last_seen_at)
		SELECT gen_random_uuid(), $1, '5511' || lpad(g::text, 9, '0'), 'client ' || g, now(), now() FROM generate_series(1, 10000) g`,
		`WITH c AS (SELECT array_agg(id) AS ids FROM clients), at AS (SELECT array_agg(id) AS ids FROM attendants),
		t AS (SELECT array_agg(id) AS ids FROM teams),
		g AS (SELECT g, now() - random() * interval '365 days' AS opened FROM generate_series(1, 100000) g)
		INSERT INTO attendances (id, instance_id, client_id, status, attendant_id, team_id, opened_at, last_activity_at,
			last_message_from, first_reply_at, closed_at, closed_reason)
		SELECT gen_random_uuid(), $1, c.ids[1 + g % 10000], 'closed', at.ids[1 + g % 10], t.ids[1 + g % 2], opened, opened,
			'client', opened + random() * interval '30 minutes', opened + random() * interval '2 days', 'attendant'
		FROM g, c, at, t`,
		`INSERT INTO feedback (id, attendance_id, rating, comment, created_at)
		SELECT gen_random_uuid(), id, 1 + (random() * 4)::int, 'ok', closed_at FROM attendances WHERE random() < 0.33`,
		`ANALYZE`,
	} {
		if _, err := db.ExecContext(ctx, q, []any{in.ID}[:min(1, countParams(q))]...); err != nil {
			b.Fatal(err)
		}
	}
	now := time.Now().UTC()
	for _, span := range []struct {
		name string
		d    time.Duration
	}{{"7d", domain.DefaultReportSpan}, {"366d", domain.MaxReportSpan}} {
		f := domain.ReportFilter{From: now.Add(-span.d), To: now}
		b.Run("json/"+span.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := s.AttendanceReport(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("csv/"+span.name, func(b *testing.B) {
			for b.Loop() {
				w := csv.NewWriter(io.Discard)
				n := 0
				if err := s.EachReportRow(ctx, f, func(r app.ReportRow) error {
					n++
					return w.Write([]string{r.ID, r.InstanceID, r.TeamName, r.AttendantName, r.ClientPhone, r.ClientName,
						r.OpenedAt.Format(time.RFC3339), strconv.Itoa(len(r.Labels))})
				}); err != nil {
					b.Fatal(err)
				}
				w.Flush()
				b.ReportMetric(float64(n), "rows")
			}
		})
	}
}

// countParams is 1 when q takes the instance id.
func countParams(q string) int {
	for i := 0; i+1 < len(q); i++ {
		if q[i] == '$' && q[i+1] == '1' {
			return 1
		}
	}
	return 0
}

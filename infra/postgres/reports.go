package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// reportScope is the attendances a report may count: $1..$2 is the range,
// $3..$5 the optional ids (” for any). NULLIF keeps ” from ever being
// cast to uuid.
const reportScope = `scope AS (SELECT a.* FROM attendances a
	WHERE ($3 = '' OR a.instance_id = NULLIF($3, '')::uuid)
	  AND ($4 = '' OR a.team_id = NULLIF($4, '')::uuid)
	  AND ($5 = '' OR a.attendant_id = NULLIF($5, '')::uuid)
	  AND ((a.opened_at >= $1 AND a.opened_at < $2) OR (a.closed_at >= $1 AND a.closed_at < $2))),
closed AS (SELECT s.*, f.rating FROM scope s LEFT JOIN feedback f ON f.attendance_id = s.id
	WHERE s.closed_at >= $1 AND s.closed_at < $2)`

func reportArgs(f domain.ReportFilter) []any {
	return []any{f.From, f.To, f.InstanceID, f.TeamID, f.AttendantID}
}

// AttendanceReport implements app.ReportStore.
func (s *Store) AttendanceReport(ctx context.Context, f domain.ReportFilter) (app.AttendanceReport, error) {
	args := reportArgs(f)
	var sum struct {
		Opened   int             `db:"opened"`
		FirstP50 sql.NullFloat64 `db:"first_p50"`
		FirstP90 sql.NullFloat64 `db:"first_p90"`
		Closed   int             `db:"closed"`
		ResP50   sql.NullFloat64 `db:"res_p50"`
		ResP90   sql.NullFloat64 `db:"res_p90"`
		CSATAvg  sql.NullFloat64 `db:"csat_avg"`
		CSATN    int             `db:"csat_n"`
	}
	err := s.db.GetContext(ctx, &sum, `WITH `+reportScope+`,
	opened AS (SELECT count(*) AS opened,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM first_reply_at - opened_at)) AS first_p50,
		percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM first_reply_at - opened_at)) AS first_p90
		FROM scope WHERE opened_at >= $1 AND opened_at < $2),
	done AS (SELECT count(*) AS closed,
		percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - opened_at)) AS res_p50,
		percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM closed_at - opened_at)) AS res_p90,
		avg(rating)::float8 AS csat_avg, count(rating) AS csat_n
		FROM closed)
	SELECT * FROM opened, done`, args...)
	if err != nil {
		return app.AttendanceReport{}, fmt.Errorf("attendance report: %w", err)
	}
	r := app.AttendanceReport{
		Opened: sum.Opened, Closed: sum.Closed,
		FirstResponse: app.Percentiles{P50: nullFloat(sum.FirstP50), P90: nullFloat(sum.FirstP90)},
		Resolution:    app.Percentiles{P50: nullFloat(sum.ResP50), P90: nullFloat(sum.ResP90)},
		CSAT:          app.CSAT{Average: nullFloat(sum.CSATAvg), Count: sum.CSATN},
		ByAttendant:   []app.AttendantReport{}, ByTeam: []app.TeamReport{}, PerDay: []app.DayReport{},
	}

	type group struct {
		ID       string          `db:"id"`
		Name     string          `db:"name"`
		Closed   int             `db:"closed"`
		FirstP50 sql.NullFloat64 `db:"first_p50"`
		CSATAvg  sql.NullFloat64 `db:"csat_avg"`
	}
	// by groups the closed attendances by a column and names each group
	// from its table.
	by := func(col, table string) ([]group, error) {
		var gs []group
		err := s.db.SelectContext(ctx, &gs, `WITH `+reportScope+`
		SELECT c.`+col+`::text AS id, coalesce(min(t.name), '') AS name, count(*) AS closed,
			percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM c.first_reply_at - c.opened_at)) AS first_p50,
			avg(c.rating)::float8 AS csat_avg
		FROM closed c LEFT JOIN `+table+` t ON t.id = c.`+col+`
		WHERE c.`+col+` IS NOT NULL GROUP BY c.`+col+` ORDER BY count(*) DESC, c.`+col, args...)
		if err != nil {
			return nil, fmt.Errorf("attendance report by %s: %w", col, err)
		}
		return gs, nil
	}
	atts, err := by("attendant_id", "attendants")
	if err != nil {
		return app.AttendanceReport{}, err
	}
	for _, g := range atts {
		r.ByAttendant = append(r.ByAttendant, app.AttendantReport{AttendantID: g.ID, Name: g.Name, Closed: g.Closed,
			FirstResponseP50: nullFloat(g.FirstP50), CSATAverage: nullFloat(g.CSATAvg)})
	}
	teams, err := by("team_id", "teams")
	if err != nil {
		return app.AttendanceReport{}, err
	}
	for _, g := range teams {
		r.ByTeam = append(r.ByTeam, app.TeamReport{TeamID: g.ID, Name: g.Name, Closed: g.Closed,
			FirstResponseP50: nullFloat(g.FirstP50), CSATAverage: nullFloat(g.CSATAvg)})
	}

	// Days are UTC days; the series covers every day the range touches, so
	// the chart has its zeroes.
	var days []struct {
		Day    time.Time `db:"day"`
		Opened int       `db:"opened"`
		Closed int       `db:"closed"`
	}
	err = s.db.SelectContext(ctx, &days, `WITH `+reportScope+`,
	days AS (SELECT generate_series(date_trunc('day', $1::timestamptz AT TIME ZONE 'UTC'),
		$2::timestamptz AT TIME ZONE 'UTC' - interval '1 microsecond', interval '1 day') AS day),
	o AS (SELECT date_trunc('day', opened_at AT TIME ZONE 'UTC') AS day, count(*) AS n FROM scope
		WHERE opened_at >= $1 AND opened_at < $2 GROUP BY 1),
	c AS (SELECT date_trunc('day', closed_at AT TIME ZONE 'UTC') AS day, count(*) AS n FROM closed GROUP BY 1)
	SELECT d.day, coalesce(o.n, 0) AS opened, coalesce(c.n, 0) AS closed
	FROM days d LEFT JOIN o ON o.day = d.day LEFT JOIN c ON c.day = d.day ORDER BY d.day`, args...)
	if err != nil {
		return app.AttendanceReport{}, fmt.Errorf("attendance report per day: %w", err)
	}
	for _, d := range days {
		r.PerDay = append(r.PerDay, app.DayReport{Date: d.Day.Format("2006-01-02"), Opened: d.Opened, Closed: d.Closed})
	}
	return r, nil
}

// EachReportRow implements app.ReportStore: rows go to fn as Postgres
// sends them, so an export of a year never sits in memory.
func (s *Store) EachReportRow(ctx context.Context, f domain.ReportFilter, fn func(app.ReportRow) error) error {
	rows, err := s.db.QueryContext(ctx, `SELECT a.id, a.instance_id, coalesce(t.name, ''), coalesce(at.name, ''),
		c.phone, c.lid, CASE WHEN c.name <> '' THEN c.name ELSE c.push_name END,
		a.opened_at, a.first_reply_at, a.closed_at, a.closed_reason, f.rating, coalesce(f.comment, ''), a.labels
		FROM attendances a
		JOIN clients c ON c.id = a.client_id
		LEFT JOIN teams t ON t.id = a.team_id
		LEFT JOIN attendants at ON at.id = a.attendant_id
		LEFT JOIN feedback f ON f.attendance_id = a.id
		WHERE a.opened_at >= $1 AND a.opened_at < $2
		  AND ($3 = '' OR a.instance_id = NULLIF($3, '')::uuid)
		  AND ($4 = '' OR a.team_id = NULLIF($4, '')::uuid)
		  AND ($5 = '' OR a.attendant_id = NULLIF($5, '')::uuid)
		ORDER BY a.opened_at, a.id`, reportArgs(f)...)
	if err != nil {
		return fmt.Errorf("export attendances: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			r          app.ReportRow
			first, end sql.NullTime
			rating     sql.NullInt64
			labels     pq.StringArray
		)
		if err := rows.Scan(&r.ID, &r.InstanceID, &r.TeamName, &r.AttendantName, &r.ClientPhone, &r.ClientLID, &r.ClientName,
			&r.OpenedAt, &first, &end, &r.ClosedReason, &rating, &r.Comment, &labels); err != nil {
			return fmt.Errorf("export attendances: %w", err)
		}
		r.OpenedAt = r.OpenedAt.UTC()
		if first.Valid {
			t := first.Time.UTC()
			r.FirstReplyAt = &t
		}
		if end.Valid {
			t := end.Time.UTC()
			r.ClosedAt = &t
		}
		if rating.Valid {
			n := int(rating.Int64)
			r.Rating = &n
		}
		r.Labels = labels
		if err := fn(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("export attendances: %w", err)
	}
	return nil
}

func nullFloat(f sql.NullFloat64) *float64 {
	if !f.Valid {
		return nil
	}
	v := f.Float64
	return &v
}

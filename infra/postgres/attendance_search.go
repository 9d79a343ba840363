package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/zapgate/zapgate/app"
)

// ListAttendances implements app.AttendanceStore: most recently active
// first; the cursor is the last id of the page. Each filter adds its own
// condition, so the planner sees only the ones asked for (and the text
// search can use its GIN index).
func (s *Store) ListAttendances(ctx context.Context, f app.AttendanceFilter) ([]app.AttendanceView, string, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.Status != "" {
		where = append(where, "a.status = "+arg(f.Status))
	}
	if f.InstanceID != "" {
		where = append(where, "a.instance_id = "+arg(f.InstanceID)+"::uuid")
	}
	if f.Label != "" {
		where = append(where, "EXISTS (SELECT 1 FROM unnest(a.labels) l WHERE lower(l) = lower("+arg(f.Label)+"))")
	}
	switch f.Assigned {
	case "":
	case "none":
		where = append(where, "a.attendant_id IS NULL")
	default:
		where = append(where, "a.attendant_id = "+arg(f.Assigned)+"::uuid")
	}
	if f.TeamID != "" {
		// The team's instances, and what was transferred to the team.
		t := arg(f.TeamID)
		where = append(where, "(a.team_id = "+t+"::uuid OR a.instance_id IN (SELECT ti.instance_id FROM team_instances ti WHERE ti.team_id = "+t+"::uuid))")
	}
	if f.Q != "" {
		where = append(where, searchCondition(f.Q, arg))
	}
	if f.Cursor != "" {
		where = append(where, "(a.last_activity_at, a.id) < (SELECT last_activity_at, id FROM attendances WHERE id::text = "+arg(f.Cursor)+")")
	}
	q := attendanceViewSQL
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY a.last_activity_at DESC, a.id DESC LIMIT " + arg(f.Limit+1)
	var rows []attendanceViewRow
	if err := s.db.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, "", fmt.Errorf("list attendances: %w", err)
	}
	next := ""
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		next = rows[len(rows)-1].ID
	}
	views, err := s.views(ctx, rows)
	return views, next, err
}

// searchCondition matches q against the words of the attendance's messages
// (full text, each word a prefix, 'simple' configuration as the index) and
// against the client's names, phone and LID (substring; the digits of q
// alone too, so "+55 (11) 9" finds 55119…).
func searchCondition(q string, arg func(any) string) string {
	var or []string
	if tsq := prefixQuery(q); tsq != "" {
		or = append(or, `a.id IN (SELECT m.attendance_id FROM messages m WHERE m.attendance_id IS NOT NULL
			AND to_tsvector('simple', m.body || ' ' || m.caption) @@ to_tsquery('simple', `+arg(tsq)+`))`)
	}
	or = append(or, `(c.name || ' ' || c.push_name || ' ' || c.phone || ' ' || c.lid) ILIKE `+arg("%"+likeEscape(q)+"%"))
	if d := digits(q); d != "" && d != q {
		or = append(or, `c.phone LIKE `+arg("%"+d+"%"))
	}
	return "(" + strings.Join(or, " OR ") + ")"
}

// prefixQuery turns typed words into a tsquery: every word, as a prefix.
// Only letters and digits reach the query, so no input can break its
// syntax.
func prefixQuery(q string) string {
	words := strings.FieldsFunc(strings.ToLower(q), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i, w := range words {
		words[i] = w + ":*"
	}
	return strings.Join(words, " & ")
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

func digits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// attributes is a client's jsonb object of strings.
type attributes map[string]string

// Scan implements sql.Scanner; NULL (a column not read) is no attributes.
func (a *attributes) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
		*a = attributes{}
		return nil
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("attributes: unexpected %T", src)
	}
	m := map[string]string{}
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("attributes: %w", err)
	}
	*a = m
	return nil
}

// Value implements driver.Valuer.
func (a attributes) Value() (driver.Value, error) {
	if a == nil {
		return "{}", nil
	}
	// As text: lib/pq would send []byte in binary, which jsonb refuses.
	b, err := json.Marshal(map[string]string(a))
	return string(b), err
}

const clientProfileColumns = clientColumns + `, name, notes, attributes`

// InsertNote implements app.Tx.
func (t *Tx) InsertNote(ctx context.Context, n *domain.Note) error {
	var by sql.NullString
	if n.AttendantID != "" {
		by = sql.NullString{String: n.AttendantID, Valid: true}
	}
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO attendance_notes (id, attendance_id, attendant_id, body, created_at)
		VALUES ($1, $2, $3, $4, $5)`, n.ID, n.AttendanceID, by, n.Text, n.CreatedAt); err != nil {
		return fmt.Errorf("insert note: %w", err)
	}
	return nil
}

// UpdateClient implements app.Tx.
func (t *Tx) UpdateClient(ctx context.Context, id string, fn func(*domain.Client) error) error {
	var r clientRow
	if err := t.tx.GetContext(ctx, &r, `SELECT `+clientProfileColumns+` FROM clients WHERE id = $1 FOR UPDATE`, id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return domain.NotFound("client")
		}
		return fmt.Errorf("client: %w", err)
	}
	c := r.domain()
	if err := fn(&c); err != nil {
		return err
	}
	if _, err := t.tx.ExecContext(ctx, `UPDATE clients SET name = $2, notes = $3, attributes = $4 WHERE id = $1`,
		id, c.Name, c.Notes, attributes(c.Attributes)); err != nil {
		return fmt.Errorf("update client: %w", err)
	}
	return nil
}

// AttendanceNotes implements app.HelpdeskTools.
func (s *Store) AttendanceNotes(ctx context.Context, attendanceID string) ([]domain.Note, error) {
	var rows []struct {
		ID          string         `db:"id"`
		AttendantID sql.NullString `db:"attendant_id"`
		Body        string         `db:"body"`
		CreatedAt   time.Time      `db:"created_at"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, attendant_id, body, created_at FROM attendance_notes
		WHERE attendance_id = $1 ORDER BY id`, attendanceID); err != nil {
		return nil, fmt.Errorf("notes: %w", err)
	}
	out := make([]domain.Note, 0, len(rows))
	for _, r := range rows {
		out = append(out, domain.Note{ID: r.ID, AttendanceID: attendanceID, AttendantID: r.AttendantID.String, Text: r.Body, CreatedAt: r.CreatedAt.UTC()})
	}
	return out, nil
}

type cannedReplyRow struct {
	ID        string    `db:"id"`
	Shortcut  string    `db:"shortcut"`
	Body      string    `db:"body"`
	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`
}

func (r cannedReplyRow) domain() domain.CannedReply {
	return domain.CannedReply{ID: r.ID, Shortcut: r.Shortcut, Text: r.Body, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

var errShortcutTaken = domain.Conflict("shortcut_taken", "a canned reply with this shortcut exists")

func cannedReplyErr(err error, what string) error {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23505" {
		return errShortcutTaken
	}
	return fmt.Errorf("%s: %w", what, err)
}

// InsertCannedReply implements app.HelpdeskTools.
func (s *Store) InsertCannedReply(ctx context.Context, r *domain.CannedReply) error {
	if _, err := s.db.ExecContext(ctx, `INSERT INTO canned_replies (id, shortcut, body, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5)`, r.ID, r.Shortcut, r.Text, r.CreatedAt, r.UpdatedAt); err != nil {
		return cannedReplyErr(err, "insert canned reply")
	}
	return nil
}

// ListCannedReplies implements app.HelpdeskTools.
func (s *Store) ListCannedReplies(ctx context.Context) ([]domain.CannedReply, error) {
	var rows []cannedReplyRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, shortcut, body, created_at, updated_at FROM canned_replies ORDER BY shortcut`); err != nil {
		return nil, fmt.Errorf("canned replies: %w", err)
	}
	out := make([]domain.CannedReply, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.domain())
	}
	return out, nil
}

// UpdateCannedReply implements app.HelpdeskTools.
func (s *Store) UpdateCannedReply(ctx context.Context, id string, fn func(*domain.CannedReply) error) (*domain.CannedReply, error) {
	var out *domain.CannedReply
	err := s.InTx(ctx, func(atx app.Tx) error {
		tx := atx.(*Tx)
		var r cannedReplyRow
		if err := tx.tx.GetContext(ctx, &r, `SELECT id, shortcut, body, created_at, updated_at FROM canned_replies WHERE id = $1 FOR UPDATE`, id); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return domain.NotFound("canned reply")
			}
			return fmt.Errorf("canned reply: %w", err)
		}
		c := r.domain()
		if err := fn(&c); err != nil {
			return err
		}
		if _, err := tx.tx.ExecContext(ctx, `UPDATE canned_replies SET shortcut = $2, body = $3, updated_at = $4 WHERE id = $1`,
			id, c.Shortcut, c.Text, c.UpdatedAt); err != nil {
			return cannedReplyErr(err, "update canned reply")
		}
		out = &c
		return nil
	})
	return out, err
}

// DeleteCannedReply implements app.HelpdeskTools.
func (s *Store) DeleteCannedReply(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM canned_replies WHERE id = $1`, id)
	if err != nil {
		return fmt.Errorf("delete canned reply: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("canned reply")
	}
	return nil
}

// SearchClients implements app.HelpdeskTools: the cursor is the last id
// of the page.
func (s *Store) SearchClients(ctx context.Context, q string, p app.Page) ([]domain.Client, string, error) {
	cond, args := "true", []any{}
	if q != "" {
		like := "%" + likeEscape(q) + "%"
		args = append(args, like)
		cond = `(name || ' ' || push_name || ' ' || phone || ' ' || lid) ILIKE $1`
		if d := digits(q); d != "" && d != q {
			args = append(args, "%"+d+"%")
			cond = `(` + cond + ` OR phone LIKE $2)`
		}
	}
	if p.Cursor != "" {
		args = append(args, p.Cursor)
		cond += fmt.Sprintf(` AND (last_seen_at, id) < (SELECT last_seen_at, id FROM clients WHERE id::text = $%d)`, len(args))
	}
	args = append(args, p.Limit+1)
	var rows []clientRow
	if err := s.db.SelectContext(ctx, &rows, fmt.Sprintf(`SELECT `+clientProfileColumns+` FROM clients WHERE %s
		ORDER BY last_seen_at DESC, id DESC LIMIT $%d`, cond, len(args)), args...); err != nil {
		return nil, "", fmt.Errorf("search clients: %w", err)
	}
	next := ""
	if len(rows) > p.Limit {
		rows = rows[:p.Limit]
		next = rows[len(rows)-1].ID
	}
	out := make([]domain.Client, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.domain())
	}
	return out, next, nil
}

// Client implements app.HelpdeskTools.
func (s *Store) Client(ctx context.Context, id string) (*domain.Client, error) {
	var r clientRow
	if err := s.db.GetContext(ctx, &r, `SELECT `+clientProfileColumns+` FROM clients WHERE id = $1`, id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, domain.NotFound("client")
		}
		return nil, fmt.Errorf("client: %w", err)
	}
	c := r.domain()
	return &c, nil
}

// ClientAttendances implements app.HelpdeskTools.
func (s *Store) ClientAttendances(ctx context.Context, clientID string) ([]domain.Attendance, error) {
	var rows []attendanceRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+attendanceColumns+` FROM attendances
		WHERE client_id = $1 ORDER BY opened_at DESC, id DESC`, clientID); err != nil {
		return nil, fmt.Errorf("client attendances: %w", err)
	}
	out := make([]domain.Attendance, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.domain())
	}
	return out, nil
}

// RecentFeedback implements app.HelpdeskTools.
func (s *Store) RecentFeedback(ctx context.Context, instanceID string, limit int) ([]app.FeedbackItem, error) {
	var rows []struct {
		ID           string         `db:"id"`
		AttendanceID string         `db:"attendance_id"`
		Rating       int            `db:"rating"`
		Comment      string         `db:"comment"`
		CreatedAt    time.Time      `db:"created_at"`
		InstanceID   string         `db:"instance_id"`
		AttendantID  sql.NullString `db:"attendant_id"`
		C            clientRow      `db:"c"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT f.id, f.attendance_id, f.rating, f.comment, f.created_at,
		a.instance_id, a.attendant_id,
		c.id AS "c.id", c.instance_id AS "c.instance_id", c.phone AS "c.phone", c.lid AS "c.lid", c.group_jid AS "c.group_jid", c.push_name AS "c.push_name",
		c.first_seen_at AS "c.first_seen_at", c.last_seen_at AS "c.last_seen_at", c.name AS "c.name", c.notes AS "c.notes",
		c.attributes AS "c.attributes"
		FROM feedback f JOIN attendances a ON a.id = f.attendance_id JOIN clients c ON c.id = a.client_id
		WHERE ($1 = '' OR a.instance_id::text = $1) ORDER BY f.created_at DESC, f.id DESC LIMIT $2`, instanceID, limit); err != nil {
		return nil, fmt.Errorf("recent feedback: %w", err)
	}
	out := make([]app.FeedbackItem, 0, len(rows))
	for _, r := range rows {
		out = append(out, app.FeedbackItem{
			Feedback:   domain.Feedback{ID: r.ID, AttendanceID: r.AttendanceID, Rating: r.Rating, Comment: r.Comment, CreatedAt: r.CreatedAt.UTC()},
			InstanceID: r.InstanceID, AttendantID: r.AttendantID.String, Client: r.C.domain()})
	}
	return out, nil
}

// ReadInstance implements app.Tx.
func (t *Tx) ReadInstance(ctx context.Context, id string) (*domain.Instance, error) {
	return getInstance(ctx, t.tx, `SELECT `+instanceColumns+` FROM instances WHERE id = $1`, id)
}

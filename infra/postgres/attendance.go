package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/lib/pq"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

type clientRow struct {
	ID          string    `db:"id"`
	InstanceID  string    `db:"instance_id"`
	Phone       string    `db:"phone"`
	LID         string    `db:"lid"`
	GroupJID    string    `db:"group_jid"`
	PushName    string    `db:"push_name"`
	FirstSeenAt time.Time `db:"first_seen_at"`
	LastSeenAt  time.Time `db:"last_seen_at"`
	// What attendants wrote down; read where clientProfileColumns are.
	Name       string     `db:"name"`
	Notes      string     `db:"notes"`
	Attributes attributes `db:"attributes"`
}

func (r clientRow) domain() domain.Client {
	return domain.Client{ID: r.ID, InstanceID: r.InstanceID, Phone: r.Phone, LID: r.LID, GroupJID: r.GroupJID, PushName: r.PushName,
		FirstSeenAt: r.FirstSeenAt.UTC(), LastSeenAt: r.LastSeenAt.UTC(),
		Name: r.Name, Notes: r.Notes, Attributes: map[string]string(r.Attributes)}
}

const clientColumns = `id, instance_id, phone, lid, group_jid, push_name, first_seen_at, last_seen_at`

type attendanceRow struct {
	ID              string         `db:"id"`
	InstanceID      string         `db:"instance_id"`
	ClientID        string         `db:"client_id"`
	Status          string         `db:"status"`
	AttendantID     sql.NullString `db:"attendant_id"`
	OpenedAt        time.Time      `db:"opened_at"`
	LastActivityAt  time.Time      `db:"last_activity_at"`
	LastMessageFrom string         `db:"last_message_from"`
	Unread          int            `db:"unread"`
	ClosedAt        sql.NullTime   `db:"closed_at"`
	ClosedReason    string         `db:"closed_reason"`
	ClosedBy        sql.NullString `db:"closed_by"`
	FirstReplyAt    sql.NullTime   `db:"first_reply_at"`
	Labels          pq.StringArray `db:"labels"`
	TeamID          sql.NullString `db:"team_id"`
	AssignedAt      sql.NullTime   `db:"assigned_at"`
	SLADueAt        sql.NullTime   `db:"sla_due_at"`
	SLABreachedAt   sql.NullTime   `db:"sla_breached_at"`
	AwaySentAt      sql.NullTime   `db:"away_sent_at"`
}

const attendanceColumns = `id, instance_id, client_id, status, attendant_id, opened_at, last_activity_at,
	last_message_from, unread, closed_at, closed_reason, closed_by, first_reply_at, labels, team_id,
	assigned_at, sla_due_at, sla_breached_at, away_sent_at`

func (r attendanceRow) domain() domain.Attendance {
	return domain.Attendance{ID: r.ID, InstanceID: r.InstanceID, ClientID: r.ClientID, Status: domain.AttendanceStatus(r.Status),
		AttendantID: r.AttendantID.String, OpenedAt: r.OpenedAt.UTC(), LastActivityAt: r.LastActivityAt.UTC(),
		LastMessageFrom: domain.Speaker(r.LastMessageFrom), Unread: r.Unread, ClosedAt: timePtr(r.ClosedAt),
		ClosedReason: domain.CloseReason(r.ClosedReason), ClosedBy: r.ClosedBy.String,
		FirstReplyAt: timePtr(r.FirstReplyAt), Labels: []string(r.Labels), TeamID: r.TeamID.String,
		AssignedAt: timePtr(r.AssignedAt), SLADueAt: timePtr(r.SLADueAt), SLABreachedAt: timePtr(r.SLABreachedAt),
		AwaySentAt: timePtr(r.AwaySentAt)}
}

func toAttendanceRow(a *domain.Attendance) attendanceRow {
	r := attendanceRow{ID: a.ID, InstanceID: a.InstanceID, ClientID: a.ClientID, Status: string(a.Status),
		OpenedAt: a.OpenedAt, LastActivityAt: a.LastActivityAt, LastMessageFrom: string(a.LastMessageFrom),
		Unread: a.Unread, ClosedAt: nullTime(a.ClosedAt), ClosedReason: string(a.ClosedReason),
		FirstReplyAt: nullTime(a.FirstReplyAt), Labels: pq.StringArray(a.Labels),
		AssignedAt: nullTime(a.AssignedAt), SLADueAt: nullTime(a.SLADueAt), SLABreachedAt: nullTime(a.SLABreachedAt),
		AwaySentAt: nullTime(a.AwaySentAt)}
	if r.Labels == nil {
		r.Labels = pq.StringArray{}
	}
	if a.AttendantID != "" {
		r.AttendantID = sql.NullString{String: a.AttendantID, Valid: true}
	}
	if a.TeamID != "" {
		r.TeamID = sql.NullString{String: a.TeamID, Valid: true}
	}
	if a.ClosedBy != "" {
		r.ClosedBy = sql.NullString{String: a.ClosedBy, Valid: true}
	}
	return r
}

// ClientByID implements app.Tx.
func (t *Tx) ClientByID(ctx context.Context, id string) (*domain.Client, error) {
	var r clientRow
	if err := t.tx.GetContext(ctx, &r, `SELECT `+clientColumns+` FROM clients WHERE id = $1`, id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, domain.NotFound("client")
		}
		return nil, fmt.Errorf("client: %w", err)
	}
	c := r.domain()
	return &c, nil
}

// OpenAttendanceFor implements app.Tx: the partial unique index
// keeps one open attendance per client, so a racing insert waits and then
// finds the winner. The open attendance is looked for first: most messages
// find one, and then the insert attempt is a statement saved.
func (t *Tx) OpenAttendanceFor(ctx context.Context, a *domain.Attendance) (*domain.Attendance, bool, error) {
	if open, err := t.lockOpenAttendance(ctx, a.InstanceID, a.ClientID); err != nil || open != nil {
		return open, false, err
	}
	a.StampAssigned(time.Now().UTC().Truncate(time.Microsecond)) // the column's precision
	res, err := t.tx.NamedExecContext(ctx, `INSERT INTO attendances (`+attendanceColumns+`) VALUES (
		:id, :instance_id, :client_id, :status, :attendant_id, :opened_at, :last_activity_at,
		:last_message_from, :unread, :closed_at, :closed_reason, :closed_by, :first_reply_at, :labels, :team_id,
		:assigned_at, :sla_due_at, :sla_breached_at, :away_sent_at)
		ON CONFLICT (instance_id, client_id) WHERE status = 'open' DO NOTHING`, toAttendanceRow(a))
	if err != nil {
		return nil, false, fmt.Errorf("open attendance: %w", err)
	}
	created := false
	if n, _ := res.RowsAffected(); n == 1 {
		created = true
	}
	out, err := t.lockOpenAttendance(ctx, a.InstanceID, a.ClientID)
	if err == nil && out == nil {
		err = fmt.Errorf("open attendance: none after insert")
	}
	return out, created, err
}

// lockOpenAttendance reads the client's open attendance FOR UPDATE; nil
// when there is none.
func (t *Tx) lockOpenAttendance(ctx context.Context, instanceID, clientID string) (*domain.Attendance, error) {
	var r attendanceRow
	err := t.tx.GetContext(ctx, &r, `SELECT `+attendanceColumns+` FROM attendances
		WHERE instance_id = $1 AND client_id = $2 AND status = 'open' FOR UPDATE`, instanceID, clientID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open attendance: %w", err)
	}
	out := r.domain()
	return &out, nil
}

// lockAttendance reads an attendance FOR UPDATE.
func (t *Tx) lockAttendance(ctx context.Context, id string) (*domain.Attendance, error) {
	var r attendanceRow
	if err := t.tx.GetContext(ctx, &r, `SELECT `+attendanceColumns+` FROM attendances WHERE id = $1 FOR UPDATE`, id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, domain.NotFound("attendance")
		}
		return nil, fmt.Errorf("attendance: %w", err)
	}
	a := r.domain()
	return &a, nil
}

// UpdateAttendance implements app.Tx: load and lock, let fn change the
// attendance, store it.
func (t *Tx) UpdateAttendance(ctx context.Context, id string, fn func(*domain.Attendance) error) error {
	a, err := t.lockAttendance(ctx, id)
	if err != nil {
		return err
	}
	if err := fn(a); err != nil {
		return err
	}
	return t.storeAttendance(ctx, a)
}

// SaveAttendance implements app.Tx.
func (t *Tx) SaveAttendance(ctx context.Context, a *domain.Attendance) error {
	return t.storeAttendance(ctx, a)
}

// storeAttendance writes the state of an attendance the transaction locked.
func (t *Tx) storeAttendance(ctx context.Context, a *domain.Attendance) error {
	a.StampAssigned(time.Now().UTC().Truncate(time.Microsecond)) // the column's precision
	_, err := t.tx.NamedExecContext(ctx, `UPDATE attendances SET status = :status, attendant_id = :attendant_id,
		last_activity_at = :last_activity_at, last_message_from = :last_message_from, unread = :unread,
		closed_at = :closed_at, closed_reason = :closed_reason, closed_by = :closed_by,
		first_reply_at = :first_reply_at, labels = :labels, team_id = :team_id,
		assigned_at = :assigned_at, away_sent_at = :away_sent_at WHERE id = :id`, toAttendanceRow(a))
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23505" && pqErr.Constraint == "attendances_one_open" {
		return domain.Conflict("attendance_open", "the client already has an open attendance")
	}
	if err != nil {
		return fmt.Errorf("update attendance: %w", err)
	}
	return nil
}

// LinkMessage implements app.Tx.
func (t *Tx) LinkMessage(ctx context.Context, messageID, attendanceID string) (bool, error) {
	res, err := t.tx.ExecContext(ctx, `UPDATE messages SET attendance_id = $2 WHERE id = $1 AND attendance_id IS NULL`, messageID, attendanceID)
	if err != nil {
		return false, fmt.Errorf("link message: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ClaimIdleAttendances implements app.Tx.
func (t *Tx) ClaimIdleAttendances(ctx context.Context, cutoff time.Time, limit int) ([]domain.Attendance, error) {
	var rows []attendanceRow
	if err := t.tx.SelectContext(ctx, &rows, `SELECT `+attendanceColumns+` FROM attendances
		WHERE status = 'open' AND last_activity_at < $1
		ORDER BY last_activity_at LIMIT $2 FOR UPDATE SKIP LOCKED`, cutoff, limit); err != nil {
		return nil, fmt.Errorf("claim idle attendances: %w", err)
	}
	out := make([]domain.Attendance, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.domain())
	}
	return out, nil
}

// InsertFeedbackToken implements app.Tx.
func (t *Tx) InsertFeedbackToken(ctx context.Context, hash []byte, attendanceID string, expiresAt time.Time) error {
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO feedback_tokens (token_hash, attendance_id, expires_at) VALUES ($1, $2, $3)`,
		hash, attendanceID, expiresAt); err != nil {
		return fmt.Errorf("feedback token: %w", err)
	}
	return nil
}

// attendanceViewRow joins an attendance with its client and the id of its
// last message.
type attendanceViewRow struct {
	attendanceRow
	C      clientRow      `db:"c"`
	LastID sql.NullString `db:"last_id"`
	F      feedbackRow    `db:"f"`
}

// feedbackRow is the rating of an attendance, all null until given.
type feedbackRow struct {
	ID        sql.NullString `db:"id"`
	Rating    sql.NullInt32  `db:"rating"`
	Comment   sql.NullString `db:"comment"`
	CreatedAt sql.NullTime   `db:"created_at"`
}

func (r feedbackRow) domain(attendanceID string) *domain.Feedback {
	if !r.ID.Valid {
		return nil
	}
	return &domain.Feedback{ID: r.ID.String, AttendanceID: attendanceID, Rating: int(r.Rating.Int32),
		Comment: r.Comment.String, CreatedAt: r.CreatedAt.Time.UTC()}
}

const attendanceViewSQL = `SELECT a.id, a.instance_id, a.client_id, a.status, a.attendant_id, a.opened_at,
	a.last_activity_at, a.last_message_from, a.unread, a.closed_at, a.closed_reason,
	a.closed_by, a.first_reply_at, a.labels, a.team_id,
	a.assigned_at, a.sla_due_at, a.sla_breached_at, a.away_sent_at,
	c.id AS "c.id", c.instance_id AS "c.instance_id", c.phone AS "c.phone", c.lid AS "c.lid", c.group_jid AS "c.group_jid", c.push_name AS "c.push_name",
	c.first_seen_at AS "c.first_seen_at", c.last_seen_at AS "c.last_seen_at",
	c.name AS "c.name", c.notes AS "c.notes", c.attributes AS "c.attributes",
	f.id AS "f.id", f.rating AS "f.rating", f.comment AS "f.comment", f.created_at AS "f.created_at",
	(SELECT m.id::text FROM messages m WHERE m.attendance_id = a.id ORDER BY m.id DESC LIMIT 1) AS last_id
	FROM attendances a JOIN clients c ON c.id = a.client_id LEFT JOIN feedback f ON f.attendance_id = a.id`

// views completes rows with their last messages, read in one statement
// whatever the page's length.
func (s *Store) views(ctx context.Context, rows []attendanceViewRow) ([]app.AttendanceView, error) {
	var ids []string
	for _, r := range rows {
		if r.LastID.Valid {
			ids = append(ids, r.LastID.String)
		}
	}
	last := make(map[string]*domain.Message, len(ids))
	if len(ids) > 0 {
		var ms []messageRow
		if err := s.db.SelectContext(ctx, &ms, `SELECT `+messageColumns+` FROM messages WHERE id = ANY($1::uuid[])`, pq.Array(ids)); err != nil {
			return nil, fmt.Errorf("last messages: %w", err)
		}
		for _, r := range ms {
			m := r.domain()
			last[m.ID] = &m
		}
	}
	out := make([]app.AttendanceView, 0, len(rows))
	for _, r := range rows {
		v := app.AttendanceView{Attendance: r.attendanceRow.domain(), Client: r.C.domain(), Feedback: r.F.domain(r.ID)}
		if r.LastID.Valid {
			m, ok := last[r.LastID.String]
			if !ok {
				// The message went between the two reads.
				return nil, domain.NotFound("message")
			}
			v.LastMessage = m
		}
		out = append(out, v)
	}
	return out, nil
}

// Attendance implements app.AttendanceStore.
func (s *Store) Attendance(ctx context.Context, id string) (*app.AttendanceView, error) {
	var rows []attendanceViewRow
	if err := s.db.SelectContext(ctx, &rows, attendanceViewSQL+` WHERE a.id = $1`, id); err != nil {
		return nil, fmt.Errorf("attendance: %w", err)
	}
	if len(rows) == 0 {
		return nil, domain.NotFound("attendance")
	}
	views, err := s.views(ctx, rows)
	if err != nil {
		return nil, err
	}
	return &views[0], nil
}

// AttendanceMessages implements app.AttendanceStore, oldest first.
func (s *Store) AttendanceMessages(ctx context.Context, id string) ([]domain.Message, error) {
	var rows []messageRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+messageColumns+` FROM messages WHERE attendance_id = $1 ORDER BY id`, id); err != nil {
		return nil, fmt.Errorf("attendance messages: %w", err)
	}
	out := make([]domain.Message, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.domain())
	}
	return out, nil
}

type attendantRow struct {
	ID           string       `db:"id"`
	Name         string       `db:"name"`
	Email        string       `db:"email"`
	PasswordHash string       `db:"password_hash"`
	Role         string       `db:"role"`
	Active       bool         `db:"active"`
	CreatedAt    time.Time    `db:"created_at"`
	MaxOpen      int          `db:"max_open"`
	Away         bool         `db:"away"`
	LastAssigned sql.NullTime `db:"last_assigned_at"`
}

func (r attendantRow) domain() domain.Attendant {
	return domain.Attendant{ID: r.ID, Name: r.Name, Email: r.Email, PasswordHash: r.PasswordHash, Role: r.Role, Active: r.Active, CreatedAt: r.CreatedAt.UTC(),
		MaxOpen: r.MaxOpen, Away: r.Away, LastAssignedAt: timePtr(r.LastAssigned)}
}

const attendantColumns = `id, name, email, password_hash, role, active, created_at, max_open, away, last_assigned_at`

// InsertAttendant implements app.AttendantStore.
func (s *Store) InsertAttendant(ctx context.Context, a *domain.Attendant) error {
	if a.MaxOpen == 0 { // built without NewAttendant
		a.MaxOpen = domain.DefaultMaxOpen
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO attendants (`+attendantColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		a.ID, a.Name, a.Email, a.PasswordHash, a.Role, a.Active, a.CreatedAt, a.MaxOpen, a.Away, nullTime(a.LastAssignedAt))
	var pqErr *pq.Error
	if errors.As(err, &pqErr) && pqErr.Code == "23505" {
		return domain.Conflict("email_taken", "an attendant with this email exists")
	}
	if err != nil {
		return fmt.Errorf("insert attendant: %w", err)
	}
	return nil
}

func (s *Store) attendant(ctx context.Context, where string, arg any) (*domain.Attendant, error) {
	var r attendantRow
	if err := s.db.GetContext(ctx, &r, `SELECT `+attendantColumns+` FROM attendants WHERE `+where, arg); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, domain.NotFound("attendant")
		}
		return nil, fmt.Errorf("attendant: %w", err)
	}
	a := r.domain()
	return &a, nil
}

// AttendantByEmail implements app.AttendantStore.
func (s *Store) AttendantByEmail(ctx context.Context, email string) (*domain.Attendant, error) {
	return s.attendant(ctx, `lower(email) = lower($1)`, email)
}

// AttendantByID implements app.AttendantStore.
func (s *Store) AttendantByID(ctx context.Context, id string) (*domain.Attendant, error) {
	if !domain.ValidID(id) {
		return nil, domain.NotFound("attendant")
	}
	return s.attendant(ctx, `id = $1`, id)
}

// ListAttendants implements app.AttendantStore.
func (s *Store) ListAttendants(ctx context.Context) ([]domain.Attendant, error) {
	var rows []attendantRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+attendantColumns+` FROM attendants ORDER BY name`); err != nil {
		return nil, fmt.Errorf("list attendants: %w", err)
	}
	out := make([]domain.Attendant, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.domain())
	}
	return out, nil
}

// InsertSession implements app.AttendantStore.
func (s *Store) InsertSession(ctx context.Context, hash []byte, attendantID string, expiresAt time.Time) error {
	if _, err := s.db.ExecContext(ctx, `INSERT INTO attendant_sessions (token_hash, attendant_id, expires_at, created_at)
		VALUES ($1, $2, $3, now())`, hash, attendantID, expiresAt); err != nil {
		return fmt.Errorf("insert session: %w", err)
	}
	return nil
}

// SessionAttendant implements app.AttendantStore.
func (s *Store) SessionAttendant(ctx context.Context, hash []byte, now time.Time) (*domain.Attendant, error) {
	var r attendantRow
	err := s.db.GetContext(ctx, &r, `SELECT a.id, a.name, a.email, a.password_hash, a.role, a.active, a.created_at,
		a.max_open, a.away, a.last_assigned_at
		FROM attendant_sessions s JOIN attendants a ON a.id = s.attendant_id
		WHERE s.token_hash = $1 AND s.expires_at > $2`, hash, now)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.NotFound("session")
	}
	if err != nil {
		return nil, fmt.Errorf("session: %w", err)
	}
	a := r.domain()
	return &a, nil
}

type feedbackTokenRow struct {
	AttendanceID string       `db:"attendance_id"`
	InstanceID   string       `db:"instance_id"`
	ExpiresAt    time.Time    `db:"expires_at"`
	UsedAt       sql.NullTime `db:"used_at"`
}

func (r feedbackTokenRow) app() *app.FeedbackToken {
	return &app.FeedbackToken{AttendanceID: r.AttendanceID, InstanceID: r.InstanceID, ExpiresAt: r.ExpiresAt.UTC(), UsedAt: timePtr(r.UsedAt)}
}

const feedbackTokenSQL = `SELECT t.attendance_id, a.instance_id, t.expires_at, t.used_at
	FROM feedback_tokens t JOIN attendances a ON a.id = t.attendance_id WHERE t.token_hash = $1`

func feedbackToken(ctx context.Context, q sqlxGetter, query string, hash []byte) (*app.FeedbackToken, error) {
	var r feedbackTokenRow
	if err := q.GetContext(ctx, &r, query, hash); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, domain.NotFound("feedback link")
		}
		return nil, fmt.Errorf("feedback token: %w", err)
	}
	return r.app(), nil
}

type sqlxGetter interface {
	GetContext(ctx context.Context, dest any, query string, args ...any) error
}

// FeedbackToken implements app.FeedbackStore.
func (s *Store) FeedbackToken(ctx context.Context, hash []byte) (*app.FeedbackToken, error) {
	return feedbackToken(ctx, s.db, feedbackTokenSQL, hash)
}

// LockFeedbackToken implements app.Tx.
func (t *Tx) LockFeedbackToken(ctx context.Context, hash []byte) (*app.FeedbackToken, error) {
	return feedbackToken(ctx, t.tx, feedbackTokenSQL+` FOR UPDATE OF t`, hash)
}

// UseFeedbackToken implements app.Tx.
func (t *Tx) UseFeedbackToken(ctx context.Context, hash []byte, at time.Time) error {
	if _, err := t.tx.ExecContext(ctx, `UPDATE feedback_tokens SET used_at = $2 WHERE token_hash = $1`, hash, at); err != nil {
		return fmt.Errorf("use feedback token: %w", err)
	}
	return nil
}

// InsertFeedback implements app.Tx.
func (t *Tx) InsertFeedback(ctx context.Context, f *domain.Feedback) error {
	if _, err := t.tx.ExecContext(ctx, `INSERT INTO feedback (id, attendance_id, rating, comment, created_at)
		VALUES ($1, $2, $3, $4, $5)`, f.ID, f.AttendanceID, f.Rating, f.Comment, f.CreatedAt); err != nil {
		return fmt.Errorf("insert feedback: %w", err)
	}
	return nil
}

// FeedbackSummary implements app.FeedbackStore.
func (s *Store) FeedbackSummary(ctx context.Context, instanceID string) (app.FeedbackSummary, error) {
	var r struct {
		Count   int             `db:"count"`
		Average sql.NullFloat64 `db:"average"`
	}
	err := s.db.GetContext(ctx, &r, `SELECT count(*) AS count, avg(f.rating)::float8 AS average
		FROM feedback f JOIN attendances a ON a.id = f.attendance_id WHERE ($1 = '' OR a.instance_id::text = $1)`, instanceID)
	if err != nil {
		return app.FeedbackSummary{}, fmt.Errorf("feedback summary: %w", err)
	}
	return app.FeedbackSummary{Count: r.Count, Average: r.Average.Float64}, nil
}

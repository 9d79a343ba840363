package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
	"github.com/zapgate/zapgate/infra/outbox"
)

// Store implements app.Store.
type Store struct {
	db     *sqlx.DB
	logger watermill.LoggerAdapter
}

// NewStore returns a Store on db.
func NewStore(db *sqlx.DB, log *slog.Logger) *Store {
	return &Store{db: db, logger: watermill.NewSlogLogger(log)}
}

// DB exposes the pool to adapters that share it (sim, whatsmeow store).
func (s *Store) DB() *sqlx.DB { return s.db }

// InTx implements app.Store.
func (s *Store) InTx(ctx context.Context, fn func(tx app.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := fn(&Tx{tx: tx, logger: s.logger}); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Instance implements app.Store.
func (s *Store) Instance(ctx context.Context, id string) (*domain.Instance, error) {
	return getInstance(ctx, s.db, `SELECT `+instanceColumns+` FROM instances WHERE id = $1`, id)
}

// InstanceByTokenHash implements app.Store.
func (s *Store) InstanceByTokenHash(ctx context.Context, hash []byte) (*domain.Instance, error) {
	return getInstance(ctx, s.db, `SELECT `+instanceColumns+` FROM instances WHERE token_hash = $1`, hash)
}

// ListInstances implements app.Store, oldest first.
func (s *Store) ListInstances(ctx context.Context, p app.Page) ([]domain.Instance, string, error) {
	var rows []instanceRow
	after := p.Cursor
	if after == "" {
		after = "00000000-0000-0000-0000-000000000000"
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+instanceColumns+` FROM instances
		WHERE id > $1 ORDER BY id LIMIT $2`, after, p.Limit+1); err != nil {
		return nil, "", fmt.Errorf("list instances: %w", err)
	}
	out := make([]domain.Instance, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.domain())
	}
	return pageOf(out, p.Limit, func(in domain.Instance) string { return in.ID })
}

// InstancesStamp implements app.Store: the count and the latest change.
func (s *Store) InstancesStamp(ctx context.Context) (string, error) {
	var stamp string
	if err := s.db.GetContext(ctx, &stamp, `SELECT count(*) || '/' || coalesce(max(updated_at)::text, '') FROM instances`); err != nil {
		return "", fmt.Errorf("instances stamp: %w", err)
	}
	return stamp, nil
}

// Message implements app.Store.
func (s *Store) Message(ctx context.Context, instanceID, id string) (*domain.Message, error) {
	return getMessage(ctx, s.db, `SELECT `+messageColumns+` FROM messages WHERE instance_id = $1 AND id = $2`, instanceID, id)
}

// MessageByIdempotencyKey implements app.Store.
func (s *Store) MessageByIdempotencyKey(ctx context.Context, instanceID, key string) (*domain.Message, error) {
	return getMessage(ctx, s.db, `SELECT `+messageColumns+` FROM messages WHERE instance_id = $1 AND idempotency_key = $2`, instanceID, key)
}

// ListMessages implements app.Store, newest first.
func (s *Store) ListMessages(ctx context.Context, f app.MessageFilter) ([]domain.Message, string, error) {
	before := f.Cursor
	if before == "" {
		before = "ffffffff-ffff-ffff-ffff-ffffffffffff"
	}
	var rows []messageRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+messageColumns+` FROM messages
		WHERE instance_id = $1 AND id < $2
		  AND ($3 = '' OR direction = $3) AND ($4 = '' OR status = $4)
		ORDER BY id DESC LIMIT $5`, f.InstanceID, before, string(f.Direction), string(f.Status), f.Limit+1); err != nil {
		return nil, "", fmt.Errorf("list messages: %w", err)
	}
	out := make([]domain.Message, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.domain())
	}
	return pageOf(out, f.Limit, func(m domain.Message) string { return m.ID })
}

// pageOf trims the extra row fetched to learn whether a next page exists.
func pageOf[T any](items []T, limit int, key func(T) string) ([]T, string, error) {
	if len(items) <= limit {
		return items, "", nil
	}
	items = items[:limit]
	return items, key(items[len(items)-1]), nil
}

func getInstance(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) (*domain.Instance, error) {
	var r instanceRow
	if err := sqlx.GetContext(ctx, q, &r, query, args...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, domain.NotFound("instance")
		}
		return nil, fmt.Errorf("get instance: %w", err)
	}
	in := r.domain()
	return &in, nil
}

func getMessage(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) (*domain.Message, error) {
	var r messageRow
	if err := sqlx.GetContext(ctx, q, &r, query, args...); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, domain.NotFound("message")
		}
		return nil, fmt.Errorf("get message: %w", err)
	}
	m := r.domain()
	return &m, nil
}

// Tx implements app.Tx.
type Tx struct {
	tx     *sqlx.Tx
	logger watermill.LoggerAdapter
}

// InsertInstance implements app.Tx.
func (t *Tx) InsertInstance(ctx context.Context, in *domain.Instance) error {
	_, err := t.tx.NamedExecContext(ctx, `INSERT INTO instances (`+instanceInsertColumns+`) VALUES (
		:id, :name, :status, :phone, :status_reason, :token_hash, :send_rate_per_minute,
		:qr_code, :qr_expires_at, :wa_jid, :created_at, :updated_at)`, toInstanceRow(in))
	if err != nil {
		return fmt.Errorf("insert instance: %w", err)
	}
	return nil
}

// LockInstance implements app.Tx.
func (t *Tx) LockInstance(ctx context.Context, id string) (*domain.Instance, error) {
	return getInstance(ctx, t.tx, `SELECT `+instanceColumns+` FROM instances WHERE id = $1 FOR UPDATE`, id)
}

// UpdateInstance implements app.Tx.
func (t *Tx) UpdateInstance(ctx context.Context, in *domain.Instance) error {
	_, err := t.tx.NamedExecContext(ctx, `UPDATE instances SET name = :name, status = :status, phone = :phone,
		status_reason = :status_reason, send_rate_per_minute = :send_rate_per_minute, qr_code = :qr_code,
		qr_expires_at = :qr_expires_at, updated_at = :updated_at, closing_message = :closing_message,
		feedback_when_unanswered = :feedback_when_unanswered, greeting_message = :greeting_message,
		away_message = :away_message, business_hours = :business_hours, first_response_sla_ms = :first_response_sla_ms,
		attend_groups = :attend_groups, new_contacts_per_day = :new_contacts_per_day, warmup_days = :warmup_days,
		linked_at = :linked_at
		WHERE id = :id`, toInstanceRow(in))
	if err != nil {
		return fmt.Errorf("update instance: %w", err)
	}
	return nil
}

// SaveInstanceHealth implements app.Tx.
func (t *Tx) SaveInstanceHealth(ctx context.Context, in *domain.Instance) error {
	_, err := t.tx.ExecContext(ctx, `UPDATE instances SET health_state = $2, health_reason = $3, health_until = $4,
		updated_at = $5 WHERE id = $1`, in.ID, string(in.Health.State()), in.Health.Reason(), nullTime(in.Health.Until()), in.UpdatedAt)
	if err != nil {
		return fmt.Errorf("save instance health: %w", err)
	}
	return nil
}

// DeleteInstance implements app.Tx.
func (t *Tx) DeleteInstance(ctx context.Context, id string) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM instances WHERE id = $1`, id); err != nil {
		return fmt.Errorf("delete instance: %w", err)
	}
	return nil
}

// InsertMessage implements app.Tx. A concurrent insert with the same
// idempotency key waits for the first to commit and then inserts nothing.
func (t *Tx) InsertMessage(ctx context.Context, m *domain.Message) (bool, error) {
	q, args, err := t.tx.BindNamed(`INSERT INTO messages (`+messageColumns+`) VALUES (
		:id, :instance_id, :direction, :status, :to_phone, :from_phone, :type, :body, :caption,
		:media_key, :media_mime, :media_filename, :media_size, :media_sha256, :wa_message_id, :error,
		:idempotency_key, :push_name, :chat, :is_group, :from_me, :extra, :attendance_id, :created_at, :send_at, :sent_at,
		:delivered_at, :read_at, :request_fingerprint, :from_lid, :to_lid, :participant, :mentions, :location, :contacts, :poll, :ptt,
		:reply_to, :reactions, :target_id, :emoji, :edited_at, :revoked_at, :held)
		ON CONFLICT DO NOTHING`, toMessageRow(m))
	if err != nil {
		return false, fmt.Errorf("insert message: %w", err)
	}
	res, err := t.tx.ExecContext(ctx, q, args...)
	if err != nil {
		return false, fmt.Errorf("insert message: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// LockMessage implements app.Tx.
func (t *Tx) LockMessage(ctx context.Context, instanceID, id string) (*domain.Message, error) {
	return getMessage(ctx, t.tx, `SELECT `+messageColumns+` FROM messages WHERE instance_id = $1 AND id = $2 FOR UPDATE`, instanceID, id)
}

// UpdateMessage implements app.Tx.
func (t *Tx) UpdateMessage(ctx context.Context, m *domain.Message) error {
	_, err := t.tx.NamedExecContext(ctx, `UPDATE messages SET status = :status, error = :error,
		send_at = :send_at, sent_at = :sent_at, delivered_at = :delivered_at, read_at = :read_at
		WHERE id = :id`, toMessageRow(m))
	if err != nil {
		return fmt.Errorf("update message: %w", err)
	}
	return nil
}

// Publish implements app.Tx.
func (t *Tx) Publish(ctx context.Context, envs ...events.Envelope) error {
	return outbox.Publish(ctx, t.tx.Tx, t.logger, envs...)
}

var _ app.Store = (*Store)(nil)
var _ app.Tx = (*Tx)(nil)

// NextDueAt implements app.Store.
func (s *Store) NextDueAt(ctx context.Context) (*time.Time, error) {
	var at sql.NullTime
	if err := s.db.GetContext(ctx, &at, `SELECT min(send_at) FROM messages WHERE status = 'scheduled'`); err != nil {
		return nil, fmt.Errorf("next due: %w", err)
	}
	return timePtr(at), nil
}

// ClaimDueMessages implements app.Tx.
func (t *Tx) ClaimDueMessages(ctx context.Context, now time.Time, limit int) ([]domain.Message, error) {
	var rows []messageRow
	if err := t.tx.SelectContext(ctx, &rows, `SELECT `+messageColumns+` FROM messages
		WHERE status = 'scheduled' AND send_at <= $1
		ORDER BY send_at LIMIT $2 FOR UPDATE SKIP LOCKED`, now, limit); err != nil {
		return nil, fmt.Errorf("claim due messages: %w", err)
	}
	out := make([]domain.Message, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.domain())
	}
	return out, nil
}

// LockMessageByWAID implements app.Tx.
func (t *Tx) LockMessageByWAID(ctx context.Context, instanceID, waMessageID string) (*domain.Message, error) {
	return getMessage(ctx, t.tx, `SELECT `+messageColumns+` FROM messages WHERE instance_id = $1 AND wa_message_id = $2 FOR UPDATE`, instanceID, waMessageID)
}

// QueuedMessages implements app.Store.
func (s *Store) QueuedMessages(ctx context.Context, instanceID string, ids []string) ([]domain.Message, error) {
	var rows []messageRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+messageColumns+` FROM messages
		WHERE instance_id = $1 AND id = ANY($2::uuid[]) AND status = 'queued'`, instanceID, pq.StringArray(ids)); err != nil {
		return nil, fmt.Errorf("queued messages: %w", err)
	}
	out := make([]domain.Message, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// LockMessages implements app.Tx.
func (t *Tx) LockMessages(ctx context.Context, instanceID string, ids []string) ([]domain.Message, error) {
	var rows []messageRow
	if err := t.tx.SelectContext(ctx, &rows, `SELECT `+messageColumns+` FROM messages
		WHERE instance_id = $1 AND id = ANY($2::uuid[]) ORDER BY id FOR UPDATE`, instanceID, pq.StringArray(ids)); err != nil {
		return nil, fmt.Errorf("lock messages: %w", err)
	}
	out := make([]domain.Message, len(rows))
	for i, r := range rows {
		out[i] = r.domain()
	}
	return out, nil
}

// UpdateMessages implements app.Tx: the fields UpdateMessage writes, for
// many messages in one statement.
func (t *Tx) UpdateMessages(ctx context.Context, ms []*domain.Message) error {
	n := len(ms)
	ids, statuses, errs, held := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	sendAt, sentAt, deliveredAt, readAt := make([]sql.NullString, n), make([]sql.NullString, n), make([]sql.NullString, n), make([]sql.NullString, n)
	for i, m := range ms {
		ids[i], statuses[i], errs[i], held[i] = m.ID, string(m.Status), m.Error, m.Held
		sendAt[i], sentAt[i], deliveredAt[i], readAt[i] = timeText(m.SendAt), timeText(m.SentAt), timeText(m.DeliveredAt), timeText(m.ReadAt)
	}
	_, err := t.tx.ExecContext(ctx, `UPDATE messages m SET status = u.status, error = u.error,
		send_at = u.send_at, sent_at = u.sent_at, delivered_at = u.delivered_at, read_at = u.read_at, held = u.held
		FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[], $8::text[])
		  AS u(id, status, error, send_at, sent_at, delivered_at, read_at, held)
		WHERE m.id = u.id`,
		pq.StringArray(ids), pq.StringArray(statuses), pq.StringArray(errs),
		pq.Array(sendAt), pq.Array(sentAt), pq.Array(deliveredAt), pq.Array(readAt), pq.StringArray(held))
	if err != nil {
		return fmt.Errorf("update messages: %w", err)
	}
	return nil
}

// timeText writes a time for a timestamptz[] parameter; nil is NULL.
func timeText(t *time.Time) sql.NullString {
	if t == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: t.UTC().Format(time.RFC3339Nano), Valid: true}
}

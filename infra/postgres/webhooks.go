package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

type webhookRow struct {
	ID         string         `db:"id"`
	InstanceID string         `db:"instance_id"`
	URL        string         `db:"url"`
	Events     pq.StringArray `db:"events"`
	Secret     string         `db:"secret"`
	CreatedAt  time.Time      `db:"created_at"`
}

func (r webhookRow) domain() domain.Webhook {
	return domain.Webhook{ID: r.ID, InstanceID: r.InstanceID, URL: r.URL, Events: r.Events, Secret: r.Secret, CreatedAt: r.CreatedAt.UTC()}
}

const webhookColumns = `id, instance_id, url, events, secret, created_at`

type deliveryRow struct {
	ID             string    `db:"id"`
	WebhookID      string    `db:"webhook_id"`
	EventID        string    `db:"event_id"`
	EventType      string    `db:"event_type"`
	ReplayID       string    `db:"replay_id"`
	Payload        []byte    `db:"payload"`
	Status         string    `db:"status"`
	Attempts       int       `db:"attempts"`
	LastStatusCode int       `db:"last_status_code"`
	LastError      string    `db:"last_error"`
	NextAttemptAt  time.Time `db:"next_attempt_at"`
	CreatedAt      time.Time `db:"created_at"`
	UpdatedAt      time.Time `db:"updated_at"`
}

const deliveryColumns = `id, webhook_id, event_id, event_type, replay_id, payload, status, attempts,
	last_status_code, last_error, next_attempt_at, created_at, updated_at`

func (r deliveryRow) domain() domain.Delivery {
	return domain.Delivery{ID: r.ID, WebhookID: r.WebhookID, EventID: r.EventID, EventType: r.EventType,
		ReplayID: r.ReplayID, Payload: r.Payload, Status: r.Status, Attempts: r.Attempts,
		LastStatusCode: r.LastStatusCode, LastError: r.LastError, NextAttemptAt: r.NextAttemptAt.UTC(),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// InsertWebhook implements app.WebhookStore.
func (s *Store) InsertWebhook(ctx context.Context, w *domain.Webhook) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO webhooks (`+webhookColumns+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		w.ID, w.InstanceID, w.URL, pq.StringArray(w.Events), w.Secret, w.CreatedAt)
	if err != nil {
		return fmt.Errorf("insert webhook: %w", err)
	}
	return nil
}

// ListWebhooks implements app.WebhookStore.
func (s *Store) ListWebhooks(ctx context.Context, instanceID string) ([]domain.Webhook, error) {
	var rows []webhookRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+webhookColumns+` FROM webhooks WHERE instance_id = $1 ORDER BY id`, instanceID); err != nil {
		return nil, fmt.Errorf("list webhooks: %w", err)
	}
	out := make([]domain.Webhook, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.domain())
	}
	return out, nil
}

// WebhooksOf implements app.WebhookStore.
func (s *Store) WebhooksOf(ctx context.Context, instanceIDs []string) ([]domain.Webhook, error) {
	var rows []webhookRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+webhookColumns+` FROM webhooks
		WHERE instance_id = ANY($1::uuid[]) ORDER BY id`, pq.StringArray(instanceIDs)); err != nil {
		return nil, fmt.Errorf("webhooks of instances: %w", err)
	}
	out := make([]domain.Webhook, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.domain())
	}
	return out, nil
}

// Webhook implements app.WebhookStore.
func (s *Store) Webhook(ctx context.Context, instanceID, id string) (*domain.Webhook, error) {
	var r webhookRow
	err := s.db.GetContext(ctx, &r, `SELECT `+webhookColumns+` FROM webhooks WHERE instance_id = $1 AND id = $2`, instanceID, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.NotFound("webhook")
	}
	if err != nil {
		return nil, fmt.Errorf("webhook: %w", err)
	}
	w := r.domain()
	return &w, nil
}

// DeleteWebhook implements app.WebhookStore.
func (s *Store) DeleteWebhook(ctx context.Context, instanceID, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM webhooks WHERE instance_id = $1 AND id = $2`, instanceID, id)
	if err != nil {
		return fmt.Errorf("delete webhook: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("webhook")
	}
	return nil
}

// InsertDeliveries implements app.WebhookStore with one statement.
func (s *Store) InsertDeliveries(ctx context.Context, ds []domain.Delivery) (int, error) {
	return insertDeliveries(ctx, s.db, ds)
}

func insertDeliveries(ctx context.Context, db sqlx.ExtContext, ds []domain.Delivery) (int, error) {
	rows := make([]deliveryRow, 0, len(ds))
	for _, d := range ds {
		rows = append(rows, deliveryRow{ID: d.ID, WebhookID: d.WebhookID, EventID: d.EventID, EventType: d.EventType,
			ReplayID: d.ReplayID, Payload: d.Payload, Status: d.Status, NextAttemptAt: d.NextAttemptAt,
			CreatedAt: d.CreatedAt, UpdatedAt: d.UpdatedAt})
	}
	res, err := sqlx.NamedExecContext(ctx, db, `INSERT INTO webhook_deliveries (`+deliveryColumns+`) VALUES (
		:id, :webhook_id, :event_id, :event_type, :replay_id, :payload, :status, :attempts,
		:last_status_code, :last_error, :next_attempt_at, :created_at, :updated_at)
		ON CONFLICT (webhook_id, event_id, replay_id) DO NOTHING`, rows)
	if err != nil {
		return 0, fmt.Errorf("insert deliveries: %w", err)
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// ListDeliveries implements app.WebhookStore, newest first.
func (s *Store) ListDeliveries(ctx context.Context, webhookID string, p app.Page) ([]domain.Delivery, string, error) {
	before := p.Cursor
	if before == "" {
		before = "ffffffff-ffff-ffff-ffff-ffffffffffff"
	}
	var rows []deliveryRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE webhook_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`, webhookID, before, p.Limit+1); err != nil {
		return nil, "", fmt.Errorf("list deliveries: %w", err)
	}
	out := make([]domain.Delivery, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.domain())
	}
	return pageOf(out, p.Limit, func(d domain.Delivery) string { return d.ID })
}

// ClaimDeliveries implements app.WebhookStore: due rows are leased by
// moving next_attempt_at past the lease, in one short transaction, so a
// crashed worker's deliveries come due again by themselves.
func (s *Store) ClaimDeliveries(ctx context.Context, now time.Time, limit, perHook int, skip []string, lease time.Duration) ([]app.DeliveryJob, error) {
	if skip == nil {
		skip = []string{}
	}
	var rows []struct {
		deliveryRow
		W webhookRow `db:"w"`
	}
	err := s.db.SelectContext(ctx, &rows, `
		WITH candidates AS (
			-- The oldest due, at most perHook of each subscription: a claim
			-- takes no more than the caller may attempt at once.
			SELECT id, row_number() OVER (PARTITION BY webhook_id ORDER BY next_attempt_at) AS rank
			FROM (SELECT id, webhook_id, next_attempt_at FROM webhook_deliveries
				WHERE status = 'pending' AND next_attempt_at <= $1 AND NOT (webhook_id::text = ANY($3))
				ORDER BY next_attempt_at LIMIT 1000) oldest
		), due AS (
			SELECT d.id FROM webhook_deliveries d JOIN candidates c ON c.id = d.id
			WHERE c.rank <= $5 AND d.status = 'pending' AND d.next_attempt_at <= $1
			ORDER BY d.next_attempt_at LIMIT $2
			FOR UPDATE OF d SKIP LOCKED
		), leased AS (
			UPDATE webhook_deliveries d SET next_attempt_at = $4
			FROM due WHERE d.id = due.id
			RETURNING d.*
		)
		SELECT l.id, l.webhook_id, l.event_id, l.event_type, l.replay_id, l.payload, l.status, l.attempts,
			l.last_status_code, l.last_error, l.next_attempt_at, l.created_at, l.updated_at,
			w.id AS "w.id", w.instance_id AS "w.instance_id", w.url AS "w.url", w.events AS "w.events",
			w.secret AS "w.secret", w.created_at AS "w.created_at"
		FROM leased l JOIN webhooks w ON w.id = l.webhook_id
		ORDER BY l.created_at, l.id`, now, limit, pq.StringArray(skip), now.Add(lease), perHook)
	if err != nil {
		return nil, fmt.Errorf("claim deliveries: %w", err)
	}
	out := make([]app.DeliveryJob, 0, len(rows))
	for _, r := range rows {
		out = append(out, app.DeliveryJob{Delivery: r.deliveryRow.domain(), Webhook: r.W.domain()})
	}
	return out, nil
}

// UpdateDeliveries implements app.WebhookStore.
func (s *Store) UpdateDeliveries(ctx context.Context, ds []domain.Delivery) error {
	n := len(ds)
	ids, statuses, errs, next, updated := make([]string, n), make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	attempts, codes := make([]int64, n), make([]int64, n)
	for i, d := range ds {
		ids[i], statuses[i], errs[i] = d.ID, d.Status, d.LastError
		attempts[i], codes[i] = int64(d.Attempts), int64(d.LastStatusCode)
		next[i], updated[i] = d.NextAttemptAt.UTC().Format(time.RFC3339Nano), d.UpdatedAt.UTC().Format(time.RFC3339Nano)
	}
	_, err := s.db.ExecContext(ctx, `UPDATE webhook_deliveries d SET status = u.status, attempts = u.attempts,
		last_status_code = u.code, last_error = u.error, next_attempt_at = u.next, updated_at = u.updated
		FROM unnest($1::uuid[], $2::text[], $3::int[], $4::int[], $5::text[], $6::timestamptz[], $7::timestamptz[])
		  AS u(id, status, attempts, code, error, next, updated)
		WHERE d.id = u.id`,
		pq.StringArray(ids), pq.StringArray(statuses), pq.Int64Array(attempts), pq.Int64Array(codes),
		pq.StringArray(errs), pq.StringArray(next), pq.StringArray(updated))
	if err != nil {
		return fmt.Errorf("update deliveries: %w", err)
	}
	return nil
}

// Redeliver implements app.WebhookStore.
func (s *Store) Redeliver(ctx context.Context, webhookID, id string, now time.Time) error {
	res, err := s.db.ExecContext(ctx, `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = $3, updated_at = $3
		WHERE webhook_id = $1 AND id = $2`, webhookID, id, now)
	if err != nil {
		return fmt.Errorf("redeliver: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return domain.NotFound("delivery")
	}
	return nil
}

// ReleaseDeliveries implements app.WebhookStore.
func (s *Store) ReleaseDeliveries(ctx context.Context, ids []string, now time.Time) error {
	if _, err := s.db.ExecContext(ctx, `UPDATE webhook_deliveries SET next_attempt_at = $2
		WHERE id::text = ANY($1) AND status = 'pending'`, pq.StringArray(ids), now); err != nil {
		return fmt.Errorf("release deliveries: %w", err)
	}
	return nil
}

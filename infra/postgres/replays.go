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
	"github.com/zapgate/zapgate/infra/outbox"
)

// replayFilterSQL is the event log's filter ($1 destination, $2 instance,
// $3 types, $4 since, $5 until), as ListEvents applies it.
const replayFilterSQL = `destination = $1 AND NOT replayed
	AND ($2 = '' OR instance_id = $2)
	AND (cardinality($3::text[]) = 0 OR event_type = ANY($3))
	AND ($4::timestamptz IS NULL OR created_at >= $4)
	AND ($5::timestamptz IS NULL OR created_at < $5)`

func nonNil(s []string) pq.StringArray {
	if s == nil {
		return pq.StringArray{}
	}
	return pq.StringArray(s)
}

// CountReplayEvents implements app.ReplayStore: it counts at most limit+1
// offsets, so the cost is bounded whatever the log holds.
func (s *Store) CountReplayEvents(ctx context.Context, f app.EventFilter, limit int) (int, int64, bool, error) {
	var res struct {
		N    int   `db:"n"`
		Upto int64 `db:"upto"`
	}
	err := s.db.GetContext(ctx, &res, `SELECT count(*) AS n, coalesce(max("offset") FILTER (WHERE rn <= $6), 0) AS upto
		FROM (SELECT "offset", row_number() OVER (ORDER BY "offset") AS rn FROM watermill_outbox
		      WHERE `+replayFilterSQL+` ORDER BY "offset" LIMIT $6 + 1) m`,
		outbox.EventsTopic, f.InstanceID, nonNil(f.Types), nullTime(f.Since), nullTime(f.Until), limit)
	if err != nil {
		return 0, 0, false, fmt.Errorf("count events: %w", err)
	}
	if res.N > limit {
		return limit, res.Upto, true, nil
	}
	return res.N, res.Upto, false, nil
}

type replayRow struct {
	ID         string         `db:"id"`
	Since      sql.NullTime   `db:"since"`
	Until      sql.NullTime   `db:"until"`
	Types      pq.StringArray `db:"types"`
	InstanceID string         `db:"instance_id"`
	Target     string         `db:"target"`
	WebhookID  string         `db:"webhook_id"`
	Actor      string         `db:"actor"`
	Count      int            `db:"count"`
	Truncated  bool           `db:"truncated"`
	Upto       int64          `db:"upto"`
	CursorAt   int64          `db:"cursor_at"`
	Sent       int            `db:"sent"`
	Status     string         `db:"status"`
	CreatedAt  time.Time      `db:"created_at"`
	UpdatedAt  time.Time      `db:"updated_at"`
	DoneAt     sql.NullTime   `db:"done_at"`
}

const replayColumns = `id, since, until, types, instance_id, target, webhook_id, actor, count, truncated,
	upto, cursor_at, sent, status, created_at, updated_at, done_at`

func (r replayRow) domain() *domain.Replay {
	var types []string
	if len(r.Types) > 0 {
		types = []string(r.Types)
	}
	return &domain.Replay{ID: r.ID, Since: timePtr(r.Since), Until: timePtr(r.Until), Types: types,
		InstanceID: r.InstanceID, Target: r.Target, WebhookID: r.WebhookID, Actor: r.Actor, Count: r.Count,
		Truncated: r.Truncated, Upto: r.Upto, Cursor: r.CursorAt, Sent: r.Sent, Status: domain.ReplayStatus(r.Status),
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), DoneAt: timePtr(r.DoneAt)}
}

func toReplayRow(r *domain.Replay) replayRow {
	return replayRow{ID: r.ID, Since: nullTime(r.Since), Until: nullTime(r.Until), Types: nonNil(r.Types),
		InstanceID: r.InstanceID, Target: r.Target, WebhookID: r.WebhookID, Actor: r.Actor, Count: r.Count,
		Truncated: r.Truncated, Upto: r.Upto, CursorAt: r.Cursor, Sent: r.Sent, Status: string(r.Status),
		CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, DoneAt: nullTime(r.DoneAt)}
}

// Replay implements app.ReplayStore.
func (s *Store) Replay(ctx context.Context, id string) (*domain.Replay, error) {
	var row replayRow
	err := s.db.GetContext(ctx, &row, `SELECT `+replayColumns+` FROM replays WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.NotFound("replay")
	}
	if err != nil {
		return nil, fmt.Errorf("replay: %w", err)
	}
	return row.domain(), nil
}

// DeleteReplaysBefore implements app.ReplayStore: running replays stay,
// whatever their age.
func (s *Store) DeleteReplaysBefore(ctx context.Context, t time.Time) (int64, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM replays WHERE status <> 'running' AND done_at < $1`, t)
	if err != nil {
		return 0, fmt.Errorf("prune replays: %w", err)
	}
	return res.RowsAffected()
}

// InReplayTx implements app.ReplayStore.
func (s *Store) InReplayTx(ctx context.Context, fn func(tx app.ReplayTx) error) error {
	return s.InTx(ctx, func(tx app.Tx) error { return fn(replayTx{tx.(*Tx)}) })
}

// replayTx implements app.ReplayTx.
type replayTx struct{ *Tx }

func (t replayTx) InsertReplay(ctx context.Context, r *domain.Replay) error {
	if _, err := t.tx.NamedExecContext(ctx, `INSERT INTO replays (`+replayColumns+`) VALUES (
		:id, :since, :until, :types, :instance_id, :target, :webhook_id, :actor, :count, :truncated,
		:upto, :cursor_at, :sent, :status, :created_at, :updated_at, :done_at)`, toReplayRow(r)); err != nil {
		return fmt.Errorf("insert replay: %w", err)
	}
	return nil
}

func (t replayTx) ClaimReplay(ctx context.Context, id string) (*domain.Replay, error) {
	var row replayRow
	err := t.tx.GetContext(ctx, &row, `SELECT `+replayColumns+` FROM replays
		WHERE status = 'running' AND ($1 = '' OR id = $1)
		ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("claim replay: %w", err)
	}
	return row.domain(), nil
}

func (t replayTx) NextReplayEvents(ctx context.Context, r *domain.Replay, limit int) ([]app.LoggedEvent, error) {
	var rows []eventRow
	err := t.tx.SelectContext(ctx, &rows, `SELECT "offset", `+envelopeSQL+` AS envelope FROM watermill_outbox
		WHERE `+replayFilterSQL+` AND "offset" > $6 AND "offset" <= $7
		ORDER BY "offset" LIMIT $8`,
		outbox.EventsTopic, r.InstanceID, nonNil(r.Types), nullTime(r.Since), nullTime(r.Until), r.Cursor, r.Upto, limit)
	if err != nil {
		return nil, fmt.Errorf("replay events: %w", err)
	}
	evs, err := decodeEvents(rows)
	if err != nil {
		return nil, err
	}
	out := make([]app.LoggedEvent, len(evs))
	for i, e := range evs {
		out[i] = app.LoggedEvent{Position: rows[i].Offset, Env: e}
	}
	return out, nil
}

func (t replayTx) UpdateReplay(ctx context.Context, r *domain.Replay) error {
	if _, err := t.tx.NamedExecContext(ctx, `UPDATE replays SET cursor_at = :cursor_at, sent = :sent,
		status = :status, updated_at = :updated_at, done_at = :done_at WHERE id = :id`, toReplayRow(r)); err != nil {
		return fmt.Errorf("update replay: %w", err)
	}
	return nil
}

func (t replayTx) InsertDeliveries(ctx context.Context, ds []domain.Delivery) (int, error) {
	return insertDeliveries(ctx, t.tx, ds)
}

var _ app.ReplayStore = (*Store)(nil)

package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
	"github.com/zapgate/zapgate/infra/outbox"
)

// EventLog reads events back from the outbox table: the forwarder envelope
// holds the event as base64 in its "payload" field.
type EventLog struct{ store *Store }

// NewEventLog returns the event log on the store's database.
func NewEventLog(s *Store) *EventLog { return &EventLog{store: s} }

const envelopeSQL = `convert_from(decode(payload ->> 'payload', 'base64'), 'UTF8')`

// The event log is read in forwarding order, (transaction_id, offset), and
// only below the forwarder's visibility horizon: a transaction id under the
// oldest one still running belongs to a finished transaction, so no row can
// appear there later. Below the horizon the log only grows at its end, which
// is what makes a position (a cursor, a since) safe to resume from while
// writers commit out of order.
const belowHorizon = `transaction_id < pg_snapshot_xmin(pg_current_snapshot())`

// position is an event's place in forwarding order.
type position struct {
	Tx     uint64 `db:"transaction_id"`
	Offset int64  `db:"offset"`
}

func (p position) after(q position) bool {
	return p.Tx > q.Tx || (p.Tx == q.Tx && p.Offset > q.Offset)
}

// cursor is the opaque form of a position: "<transaction id>-<offset>".
func (p position) cursor() string {
	return strconv.FormatUint(p.Tx, 10) + "-" + strconv.FormatInt(p.Offset, 10)
}

func parseCursor(s string) (position, error) {
	tx, off, ok := strings.Cut(s, "-")
	var p position
	var err1, err2 error
	p.Tx, err1 = strconv.ParseUint(tx, 10, 64)
	p.Offset, err2 = strconv.ParseInt(off, 10, 64)
	if !ok || err1 != nil || err2 != nil || p.Offset < 0 {
		return position{}, domain.InvalidField("cursor", "is not a cursor this API returned")
	}
	return p, nil
}

// positionOf finds a logged event; notFound is the error when it is not there.
func (l *EventLog) positionOf(ctx context.Context, eventID string, notFound error) (position, error) {
	var pos position
	err := l.store.db.GetContext(ctx, &pos, `SELECT transaction_id::text AS transaction_id, "offset" FROM watermill_outbox
		WHERE event_id = $1 AND destination = $2 AND NOT replayed`, eventID, outbox.EventsTopic)
	if errors.Is(err, sql.ErrNoRows) {
		return position{}, notFound
	}
	if err != nil {
		return position{}, fmt.Errorf("event position: %w", err)
	}
	return pos, nil
}

type eventRow struct {
	position
	Envelope []byte `db:"envelope"`
}

func decodeEvents(rows []eventRow) ([]events.Envelope, error) {
	out := make([]events.Envelope, 0, len(rows))
	for _, r := range rows {
		var e events.Envelope
		if err := json.Unmarshal(r.Envelope, &e); err != nil {
			return nil, fmt.Errorf("decode event at %s: %w", r.cursor(), err)
		}
		out = append(out, e)
	}
	return out, nil
}

// ErrUnknownSince is the answer to a since naming an event the log does
// not have (expired, replayed-only or never written).
var ErrUnknownSince = &domain.Error{Kind: domain.KindNotFound, Code: "not_found",
	Message: "since names an event the log does not have (expired or unknown): resume from a time instead"}

// ListEvents implements app.EventLog, in forwarding order; the cursor is
// the position of the last event of the page.
func (l *EventLog) ListEvents(ctx context.Context, f app.EventFilter) ([]events.Envelope, string, error) {
	var after position
	if f.Cursor != "" {
		p, err := parseCursor(f.Cursor)
		if err != nil {
			return nil, "", err
		}
		after = p
	}
	if f.SinceID != "" {
		p, err := l.positionOf(ctx, f.SinceID, ErrUnknownSince)
		if err != nil {
			return nil, "", err
		}
		if p.after(after) {
			after = p
		}
	}
	types := f.Types
	if types == nil {
		types = []string{}
	}
	var rows []eventRow
	err := l.store.db.SelectContext(ctx, &rows, `SELECT transaction_id::text AS transaction_id, "offset", `+envelopeSQL+` AS envelope
		FROM watermill_outbox
		WHERE destination = $1 AND NOT replayed AND `+belowHorizon+`
		  AND (transaction_id, "offset") > ($2::text::xid8, $3)
		  AND ($4 = '' OR instance_id = $4)
		  AND (cardinality($5::text[]) = 0 OR event_type = ANY($5))
		  AND ($6::timestamptz IS NULL OR created_at >= $6)
		  AND ($7::timestamptz IS NULL OR created_at < $7)
		ORDER BY transaction_id, "offset" LIMIT $8`,
		outbox.EventsTopic, strconv.FormatUint(after.Tx, 10), after.Offset, f.InstanceID, pq.StringArray(types),
		nullTime(f.Since), nullTime(f.Until), f.Limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("list events: %w", err)
	}
	next := ""
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		next = rows[len(rows)-1].cursor()
	}
	evs, err := decodeEvents(rows)
	return evs, next, err
}

// EventsAfter implements app.EventLog in forwarding order, which is the
// order the live feed sees: after the event after, up to and with the event
// upTo, or ("" ) up to the horizon: what lies above it is not forwarded yet.
func (l *EventLog) EventsAfter(ctx context.Context, after, upTo, instanceID string, limit int) ([]events.Envelope, error) {
	pos, err := l.positionOf(ctx, after, domain.NotFound("event"))
	if err != nil {
		return nil, err
	}
	end := position{Tx: math.MaxUint64, Offset: math.MaxInt64}
	if upTo != "" {
		if end, err = l.positionOf(ctx, upTo, domain.NotFound("event")); err != nil {
			return nil, err
		}
	}
	var rows []eventRow
	err = l.store.db.SelectContext(ctx, &rows, `SELECT transaction_id::text AS transaction_id, "offset", `+envelopeSQL+` AS envelope
		FROM watermill_outbox
		WHERE (transaction_id, "offset") > ($1::text::xid8, $2) AND (transaction_id, "offset") <= ($3::text::xid8, $4)
		  AND destination = $5 AND NOT replayed AND `+belowHorizon+`
		  AND ($6 = '' OR instance_id = $6)
		ORDER BY transaction_id, "offset" LIMIT $7`, strconv.FormatUint(pos.Tx, 10), pos.Offset,
		strconv.FormatUint(end.Tx, 10), end.Offset, outbox.EventsTopic, instanceID, limit)
	if err != nil {
		return nil, fmt.Errorf("events after %s: %w", after, err)
	}
	return decodeEvents(rows)
}

// DeleteEventsBefore implements app.EventLog: only rows their forwarder
// has already passed are removed, so retention never loses an unsent
// message. Forwarded commands go with the same retention.
func (l *EventLog) DeleteEventsBefore(ctx context.Context, t time.Time) (int64, error) {
	var total int64
	for _, topic := range outbox.Topics {
		res, err := l.store.db.ExecContext(ctx, `DELETE FROM watermill_`+topic+` m
			USING watermill_offsets_`+topic+` o
			WHERE o.consumer_group = $2 AND m.created_at < $1
			  AND (m.transaction_id, m."offset") <= (o.last_processed_transaction_id, o.offset_acked)`, t, outbox.ConsumerGroup)
		if err != nil {
			return total, fmt.Errorf("prune %s: %w", topic, err)
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}

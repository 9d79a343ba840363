package postgres

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
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

type eventRow struct {
	Offset   int64  `db:"offset"`
	Envelope []byte `db:"envelope"`
}

func decodeEvents(rows []eventRow) ([]events.Envelope, error) {
	out := make([]events.Envelope, 0, len(rows))
	for _, r := range rows {
		var e events.Envelope
		if err := json.Unmarshal(r.Envelope, &e); err != nil {
			return nil, fmt.Errorf("decode event at offset %d: %w", r.Offset, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// ListEvents implements app.EventLog, oldest first; the cursor is the offset
// of the last event of the page.
func (l *EventLog) ListEvents(ctx context.Context, f app.EventFilter) ([]events.Envelope, string, error) {
	var after int64
	if f.Cursor != "" {
		n, err := strconv.ParseInt(f.Cursor, 10, 64)
		if err != nil || n < 0 {
			return nil, "", domain.InvalidField("cursor", "is not a cursor this API returned")
		}
		after = n
	}
	types := f.Types
	if types == nil {
		types = []string{}
	}
	var rows []eventRow
	err := l.store.db.SelectContext(ctx, &rows, `SELECT "offset", `+envelopeSQL+` AS envelope FROM watermill_outbox
		WHERE destination = $1 AND NOT replayed AND "offset" > $2
		  AND ($3 = '' OR instance_id = $3)
		  AND (cardinality($4::text[]) = 0 OR event_type = ANY($4))
		  AND ($5::timestamptz IS NULL OR created_at >= $5)
		  AND ($6::timestamptz IS NULL OR created_at < $6)
		ORDER BY "offset" LIMIT $7`,
		outbox.EventsTopic, after, f.InstanceID, pq.StringArray(types), nullTime(f.Since), nullTime(f.Until), f.Limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("list events: %w", err)
	}
	next := ""
	if len(rows) > f.Limit {
		rows = rows[:f.Limit]
		next = strconv.FormatInt(rows[len(rows)-1].Offset, 10)
	}
	evs, err := decodeEvents(rows)
	return evs, next, err
}

// EventsAfter implements app.EventLog in forwarding order, which is the
// order the live feed sees.
func (l *EventLog) EventsAfter(ctx context.Context, after, instanceID string, limit int) ([]events.Envelope, error) {
	var pos struct {
		Tx     string `db:"transaction_id"`
		Offset int64  `db:"offset"`
	}
	err := l.store.db.GetContext(ctx, &pos, `SELECT transaction_id::text AS transaction_id, "offset" FROM watermill_outbox
		WHERE event_id = $1 AND destination = $2 AND NOT replayed`, after, outbox.EventsTopic)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, domain.NotFound("event")
	}
	if err != nil {
		return nil, fmt.Errorf("event position: %w", err)
	}
	var rows []eventRow
	err = l.store.db.SelectContext(ctx, &rows, `SELECT "offset", `+envelopeSQL+` AS envelope FROM watermill_outbox
		WHERE (transaction_id, "offset") > ($1::xid8, $2) AND destination = $3 AND NOT replayed
		  AND ($4 = '' OR instance_id = $4)
		ORDER BY transaction_id, "offset" LIMIT $5`, pos.Tx, pos.Offset, outbox.EventsTopic, instanceID, limit)
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

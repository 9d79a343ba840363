package outbox

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Lag reports how far the forwarder is behind: rows written but not yet
// forwarded, and the age in seconds of the oldest of them.
func Lag(ctx context.Context, db *sqlx.DB) (pending int64, ageSeconds float64, err error) {
	err = db.QueryRowContext(ctx, `
		WITH o AS (SELECT offset_acked, last_processed_transaction_id AS tx
		           FROM watermill_offsets_outbox WHERE consumer_group = $1)
		SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(m.created_at)), 0)
		FROM watermill_outbox m
		WHERE NOT EXISTS (SELECT 1 FROM o)
		   OR (m.transaction_id, m."offset") > (SELECT tx, offset_acked FROM o)`, ConsumerGroup).Scan(&pending, &ageSeconds)
	if err != nil {
		return 0, 0, fmt.Errorf("outbox lag: %w", err)
	}
	return pending, ageSeconds, nil
}

package outbox

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// Lag reports how far the forwarders are behind, over every outbox: rows
// written but not yet forwarded, and the age in seconds of the oldest.
func Lag(ctx context.Context, db *sqlx.DB) (pending int64, ageSeconds float64, err error) {
	for _, topic := range Topics {
		var n int64
		var age float64
		err = db.QueryRowContext(ctx, `
			WITH o AS (SELECT offset_acked, last_processed_transaction_id AS tx
			           FROM watermill_offsets_`+topic+` WHERE consumer_group = $1)
			SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(m.created_at)), 0)
			FROM watermill_`+topic+` m
			WHERE NOT EXISTS (SELECT 1 FROM o)
			   OR (m.transaction_id, m."offset") > (SELECT tx, offset_acked FROM o)`, ConsumerGroup).Scan(&n, &age)
		if err != nil {
			return 0, 0, fmt.Errorf("outbox lag of %s: %w", topic, err)
		}
		pending += n
		ageSeconds = max(ageSeconds, age)
	}
	return pending, ageSeconds, nil
}

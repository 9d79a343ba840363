package outbox

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v3/pkg/sql"
)

// Channel is the LISTEN/NOTIFY channel on which an insert into topic's
// outbox table is announced (migration 0033).
func Channel(topic string) string { return "zapgate_watermill_" + topic }

// Polling says when a forwarder looks for new rows.
type Polling struct {
	// Wake signals that rows may have been committed; nil: poll every
	// Interval, as watermill-sql does by default.
	Wake <-chan struct{}
	// Interval is the pause between empty queries while the outbox is
	// busy.
	Interval time.Duration
	// Hot is how long after a wake-up or found rows the forwarder keeps
	// polling every Interval.
	Hot time.Duration
	// Fallback is the longest idle wait for a wake-up: a missed
	// notification delays a row by at most this much.
	Fallback time.Duration
}

// idleWait decides how long an empty query waits for the next one. For a
// while after a wake-up or a found row (hot) the forwarder polls every
// interval: a notified row is not always readable at once, because
// watermill-sql reads only rows older than every transaction still open
// (that is what keeps the order), and the transaction holding it back
// sends no notification when it ends. Otherwise it waits for a wake-up or
// the fallback. It holds no lock: watermill-sql asks from its one
// consuming goroutine.
type idleWait struct {
	interval, hot, fallback time.Duration
	lastBusy                time.Time
}

// busy records a wake-up or found rows at now.
func (w *idleWait) busy(now time.Time) { w.lastBusy = now }

// next is the longest wait after an empty query at now.
func (w *idleWait) next(now time.Time) time.Duration {
	if !w.lastBusy.IsZero() && now.Sub(w.lastBusy) < w.hot {
		return w.interval
	}
	return w.fallback
}

// waiterRow says, in outbox_waiters, that a forwarder waits for its
// table's notifications (migration 0033): inserts notify only then.
type waiterRow struct {
	db     *sql.DB
	outbox string // the table
	id     string // this forwarder
}

// arm records (or refreshes) the wait; the trigger ignores it after 10 s.
// It returns a bar: once every transaction below it has ended (settled),
// every insert that did not see the wait, and so sent no notification,
// has committed or rolled back, and one more query finds its rows.
func (w waiterRow) arm(ctx context.Context) (bar string, err error) {
	if _, err := w.db.ExecContext(ctx, `INSERT INTO outbox_waiters (outbox, waiter) VALUES ($1, $2)
		ON CONFLICT (outbox, waiter) DO UPDATE SET since = now()`, w.outbox, w.id); err != nil {
		return "", fmt.Errorf("outbox waiter: %w", err)
	}
	if err := w.db.QueryRowContext(ctx, `SELECT pg_snapshot_xmax(pg_current_snapshot())::text`).Scan(&bar); err != nil {
		return "", fmt.Errorf("outbox waiter: %w", err)
	}
	return bar, nil
}

// settled says whether every transaction below bar has ended.
func (w waiterRow) settled(ctx context.Context, bar string) (bool, error) {
	var ok bool
	if err := w.db.QueryRowContext(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot()) >= $1::xid8`, bar).Scan(&ok); err != nil {
		return false, fmt.Errorf("outbox waiter: %w", err)
	}
	return ok, nil
}

// disarm ends the wait: inserts stop notifying.
func (w waiterRow) disarm(ctx context.Context) error {
	if _, err := w.db.ExecContext(ctx, `DELETE FROM outbox_waiters WHERE outbox = $1 AND waiter = $2`, w.outbox, w.id); err != nil {
		return fmt.Errorf("outbox waiter: %w", err)
	}
	return nil
}

// wakingBackoff is watermill-sql's BackoffManager for a woken forwarder.
// While the outbox is busy it polls every interval, as watermill-sql does.
// When it falls idle, it says it waits (inserts then notify), polls until
// the inserts that could not see that have ended, queries once more, then
// waits itself for a wake-up or the fallback and asks for the next query
// at once. Errors keep the default handling. Watermill-sql calls it from
// one goroutine.
type wakingBackoff struct {
	wake     <-chan struct{}
	stop     <-chan struct{}
	plan     *idleWait
	waiter   waiterRow
	onErrors wsql.BackoffManager

	armed   bool
	bar     string // see waiterRow.arm
	settled bool
}

func (b *wakingBackoff) HandleError(logger watermill.LoggerAdapter, noMsg bool, err error) time.Duration {
	if err != nil {
		return b.onErrors.HandleError(logger, noMsg, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if !noMsg {
		b.plan.busy(time.Now())
		b.disarm(ctx, logger)
		return 0
	}
	wait := b.plan.next(time.Now())
	if wait < b.plan.fallback {
		return wait // busy: poll
	}
	if !b.armed {
		bar, err := b.waiter.arm(ctx)
		if err != nil {
			logger.Error("outbox waiter", err, nil)
			return b.plan.interval // poll meanwhile
		}
		b.armed, b.bar, b.settled = true, bar, false
		return b.plan.interval
	}
	if !b.settled {
		ok, err := b.waiter.settled(ctx, b.bar)
		if err != nil {
			logger.Error("outbox waiter", err, nil)
		}
		b.settled = ok
		if ok {
			return 0 // the query that sees what no notification announced
		}
		return b.plan.interval
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-b.wake:
		// Query at once; the wait ends (disarm) once rows are found, after
		// they are forwarded.
		b.plan.busy(time.Now())
	case <-t.C:
		b.armed = false // refreshed before the next wait
	case <-b.stop:
		// Stopping: wait in watermill-sql's own sleep, which ends as soon
		// as the subscriber closes, instead of querying again.
		return b.plan.fallback
	}
	return 0
}

// disarm ends the wait, if any. A failure costs only notifications.
func (b *wakingBackoff) disarm(ctx context.Context, logger watermill.LoggerAdapter) {
	if !b.armed {
		return
	}
	b.armed = false
	if err := b.waiter.disarm(ctx); err != nil {
		logger.Error("outbox waiter", err, nil)
	}
}

package outbox

import (
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

// wakingBackoff is watermill-sql's BackoffManager for a woken forwarder:
// while the outbox is busy it polls every interval; when it is idle, an
// empty query waits itself for a wake-up or the fallback and then asks for
// the next query at once. Errors keep the default handling.
type wakingBackoff struct {
	wake     <-chan struct{}
	stop     <-chan struct{}
	plan     *idleWait
	onErrors wsql.BackoffManager
}

func (b wakingBackoff) HandleError(logger watermill.LoggerAdapter, noMsg bool, err error) time.Duration {
	if err != nil {
		return b.onErrors.HandleError(logger, noMsg, err)
	}
	if !noMsg {
		b.plan.busy(time.Now())
		return 0
	}
	wait := b.plan.next(time.Now())
	if wait < b.plan.fallback {
		// Busy: poll as watermill-sql would. Answering every notification
		// at once would cost an empty query (and a commit) per accepting
		// transaction under load; a pending wake-up is seen when the
		// outbox falls idle.
		return wait
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-b.wake:
		b.plan.busy(time.Now())
	case <-t.C:
	case <-b.stop:
		// Stopping: wait in watermill-sql's own sleep, which ends as soon
		// as the subscriber closes, instead of querying again.
		return b.plan.fallback
	}
	return 0
}

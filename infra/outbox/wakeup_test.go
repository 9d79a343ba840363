package outbox_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/pubsub/gochannel"
	"github.com/jmoiron/sqlx"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
	"github.com/zapgate/zapgate/infra/outbox"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
)

// wakeRig is a commands forwarder publishing to an in-process broker.
type wakeRig struct {
	t        *testing.T
	ctx      context.Context
	store    *postgres.Store
	instance string
	out      <-chan *message.Message
}

func newWakeRig(t *testing.T, ctx context.Context, db *sqlx.DB, poll outbox.Polling) *wakeRig {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	wlog := watermill.NewSlogLogger(log)
	broker := gochannel.NewGoChannel(gochannel.Config{}, wlog)
	t.Cleanup(func() { _ = broker.Close() })
	instance := domain.NewID(time.Now())
	out, err := broker.Subscribe(ctx, outbox.Destination(events.Envelope{Type: events.CmdSendMessage, InstanceID: instance}))
	if err != nil {
		t.Fatal(err)
	}
	fwd, err := outbox.NewForwarder(db.DB, outbox.CommandsTopic, broker, poll, nil, wlog)
	if err != nil {
		t.Fatal(err)
	}
	fctx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- fwd.Run(fctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("forwarder: %v", err)
		}
	})
	return &wakeRig{t: t, ctx: ctx, store: postgres.NewStore(db, log), instance: instance, out: out}
}

// forward commits one command and waits for it at the broker.
func (r *wakeRig) forward(id string) {
	r.t.Helper()
	e, err := events.New(domain.NewID(time.Now()), events.CmdSendMessage, r.instance, time.Now(), events.SendMessage{MessageID: id})
	if err != nil {
		r.t.Fatal(err)
	}
	if err := r.store.InTx(r.ctx, func(tx app.Tx) error { return tx.Publish(r.ctx, e) }); err != nil {
		r.t.Fatal(err)
	}
	select {
	case msg := <-r.out:
		msg.Ack()
		if msg.UUID != e.ID {
			r.t.Fatalf("forwarded %s, want %s", msg.UUID, e.ID)
		}
	case <-r.ctx.Done():
		r.t.Fatalf("command %s was not forwarded", id)
	}
}

// listenerPID is the backend of the LISTEN connection on db's database
// other than except (a killed one, maybe still ending), or 0.
func listenerPID(t *testing.T, ctx context.Context, db *sqlx.DB, except int) int {
	t.Helper()
	var pids []int
	if err := db.SelectContext(ctx, &pids, `SELECT pid FROM pg_stat_activity
		WHERE datname = current_database() AND query LIKE 'LISTEN %' AND pid NOT IN (pg_backend_pid(), $1)`, except); err != nil {
		t.Fatal(err)
	}
	if len(pids) > 1 {
		t.Fatalf("%d listening connections, want one", len(pids))
	}
	if len(pids) == 0 {
		return 0
	}
	return pids[0]
}

// TestForwarderWakesOnNotification: with a fallback of ten minutes,
// committed rows reach the broker within the test's minute only because the insert's
// notification wakes the forwarder; after the listening connection is
// killed, the listener reconnects and wakes it again.
func TestForwarderWakesOnNotification(t *testing.T) {
	t.Parallel()
	db, dsn := pgtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	wakeups := postgres.NewWakeups(dsn, log, outbox.Channel(outbox.CommandsTopic))
	wake, unsubscribe := wakeups.Subscribe(outbox.Channel(outbox.CommandsTopic))
	defer unsubscribe()
	lctx, lcancel := context.WithCancel(ctx)
	ldone := make(chan error, 1)
	go func() { ldone <- wakeups.Run(lctx) }()
	defer func() {
		lcancel()
		if err := <-ldone; err != nil {
			t.Errorf("wakeups: %v", err)
		}
	}()
	select {
	case <-wakeups.Ready():
	case <-ctx.Done():
		t.Fatal("not listening")
	}

	// A woken forwarder polls for a while (hot): a row is readable only
	// once every older transaction of the whole server has ended, and
	// other databases' transactions on a shared server may take a while.
	const hot = 3 * time.Second
	rig := newWakeRig(t, ctx, db, outbox.Polling{Wake: wake, Interval: 10 * time.Millisecond, Hot: hot, Fallback: 10 * time.Minute})
	idle := func() {
		// The one wait on time: after its hot window the forwarder stops
		// polling (nothing observable marks that), so what reaches the
		// broker afterwards was woken by a notification.
		time.Sleep(hot + hot/2)
	}
	rig.forward("first")
	idle()
	rig.forward("woken")

	// Kill the listening connection: the listener reconnects (a new
	// backend listens) and its notifications wake the forwarder again.
	old := listenerPID(t, ctx, db, 0)
	if old == 0 {
		t.Fatal("no listening connection")
	}
	var killed bool
	if err := db.GetContext(ctx, &killed, `SELECT pg_terminate_backend($1)`, old); err != nil || !killed {
		t.Fatalf("terminate listener %d: %v %v", old, killed, err)
	}
	for listenerPID(t, ctx, db, old) == 0 {
		if ctx.Err() != nil {
			t.Fatal("the listener did not reconnect")
		}
		time.Sleep(20 * time.Millisecond) // polling for the new listening backend
	}
	idle()
	rig.forward("woken after reconnecting")
}

// TestForwarderFallsBackWithoutNotifications: a forwarder that never hears
// a notification (all of them missed) still forwards, at the fallback.
func TestForwarderFallsBackWithoutNotifications(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	deaf := make(chan struct{})
	rig := newWakeRig(t, ctx, db, outbox.Polling{Wake: deaf, Interval: 10 * time.Millisecond, Fallback: 200 * time.Millisecond})
	rig.forward("first")
	rig.forward("second")
}

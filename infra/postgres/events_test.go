package postgres_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
)

// TestEventLogWaitsForTransactionsInFlight: a transaction that began first
// but commits last must not be skipped by a reader that already passed the
// later one. The log (pages and resumes) stops below the oldest transaction
// still running, as the forwarder does, and shows it once it commits.
func TestEventLogWaitsForTransactionsInFlight(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	store := postgres.NewStore(db, quiet)
	log := postgres.NewEventLog(store)
	instance := domain.NewID(time.Now())
	mk := func(text string) events.Envelope {
		e, err := events.New(domain.NewID(time.Now()), events.MessageStatus, instance, time.Now(),
			events.MessageStatusChanged{MessageID: text, Status: "sent"})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	publish := func(envs ...events.Envelope) {
		t.Helper()
		if err := store.InTx(ctx, func(tx app.Tx) error { return tx.Publish(ctx, envs...) }); err != nil {
			t.Fatal(err)
		}
	}
	ids := func(evs []events.Envelope) []string {
		var out []string
		for _, e := range evs {
			out = append(out, e.ID)
		}
		return out
	}
	list := func(f app.EventFilter) ([]string, string) {
		t.Helper()
		if f.Limit == 0 {
			f.Limit = 50
		}
		evs, next, err := log.ListEvents(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		return ids(evs), next
	}
	after := func(id string) []string {
		t.Helper()
		evs, err := log.EventsAfter(ctx, id, "", "", 100)
		if err != nil {
			t.Fatal(err)
		}
		return ids(evs)
	}
	same := func(what string, got []string, want ...string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("%s = %v, want %v", what, got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("%s = %v, want %v", what, got, want)
			}
		}
	}

	// The horizon is the oldest transaction in flight in the whole cluster,
	// and other tests' transactions count too: wait until an event is
	// visible before asserting on what comes after it. The horizon never
	// moves back, so what became visible stays visible.
	visible := func(what string, n int, read func() []string) {
		t.Helper()
		for len(read()) < n {
			if ctx.Err() != nil {
				t.Fatalf("%s: still %v when the test timed out", what, read())
			}
			time.Sleep(10 * time.Millisecond) // polling a fact: the horizon moving past our commit
		}
	}

	first := mk("first")
	publish(first)
	visible("first", 1, func() []string { got, _ := list(app.EventFilter{}); return got })

	// slow takes its transaction id (and offset) first, then waits.
	slow := mk("slow")
	written, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- store.InTx(ctx, func(tx app.Tx) error {
			if err := tx.Publish(ctx, slow); err != nil {
				return err
			}
			close(written)
			select {
			case <-release:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	<-written
	fast := mk("fast")
	publish(fast)

	// While slow is open, nothing at or after it is listed: a client that
	// read fast now would resume after it and never see slow.
	got, next := list(app.EventFilter{})
	same("log while a writer is in flight", got, first.ID)
	if next != "" {
		t.Fatalf("next = %q at the end of the log", next)
	}
	same("resume while a writer is in flight", after(first.ID))
	got, _ = list(app.EventFilter{SinceID: first.ID})
	same("since id while a writer is in flight", got)

	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	last := mk("last")
	publish(last)
	visible("after commit", 3, func() []string { return after(first.ID) })

	same("resume after commit", after(first.ID), slow.ID, fast.ID, last.ID)
	bounded, err := log.EventsAfter(ctx, first.ID, fast.ID, "", 100)
	if err != nil {
		t.Fatal(err)
	}
	same("resume up to an event", ids(bounded), slow.ID, fast.ID)
	got, _ = list(app.EventFilter{SinceID: first.ID})
	same("since id after commit", got, slow.ID, fast.ID, last.ID)
	got, _ = list(app.EventFilter{SinceID: slow.ID, Types: []string{events.MessageStatus}, InstanceID: instance})
	same("since id with filters", got, fast.ID, last.ID)

	// Paging with the cursor walks the same order, one page at a time.
	var paged []string
	f := app.EventFilter{Page: app.Page{Limit: 1}}
	for {
		page, next := list(f)
		paged = append(paged, page...)
		if next == "" {
			break
		}
		f.Cursor = next
	}
	same("paged", paged, first.ID, slow.ID, fast.ID, last.ID)

	for _, bad := range []app.EventFilter{{Page: app.Page{Cursor: "12"}}, {Page: app.Page{Cursor: "x-1"}}, {Page: app.Page{Cursor: "1-"}}} {
		bad.Limit = 10
		if _, _, err := log.ListEvents(ctx, bad); domain.KindOf(err) != domain.KindInvalid {
			t.Fatalf("cursor %q: %v, want invalid", bad.Cursor, err)
		}
	}
	if _, _, err := log.ListEvents(ctx, app.EventFilter{Page: app.Page{Limit: 10}, SinceID: domain.NewID(time.Now())}); !errors.Is(err, postgres.ErrUnknownSince) {
		t.Fatalf("unknown since id: %v, want not found", err)
	}
	if _, err := log.EventsAfter(ctx, domain.NewID(time.Now()), "", "", 10); !domain.IsNotFound(err) {
		t.Fatalf("unknown resume id: %v, want not found", err)
	}
}

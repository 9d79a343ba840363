package postgres_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
)

// TestInstanceHealthStore: a pause, its end and a resume are stored with
// their instance.health events, change the bots' stamp, and leave the
// instance's other columns alone.
func TestInstanceHealthStore(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	ctx := context.Background()
	in := newInstance(t, s)
	clock := time.Now().UTC().Truncate(time.Microsecond)
	a := app.New(app.Deps{Store: s, Log: quiet, Clock: func() time.Time { return clock }})
	healthEvents := func() int {
		var n int
		if err := db.GetContext(ctx, &n, `SELECT count(*) FROM watermill_outbox WHERE event_type = 'instance.health' AND instance_id = $1`, in.ID); err != nil {
			t.Fatal(err)
		}
		return n
	}

	if got, _ := s.Instance(ctx, in.ID); got.Health.State() != domain.HealthOK || got.Health.Until() != nil {
		t.Fatalf("a new instance's health = %v %v", got.Health.State(), got.Health.Until())
	}
	stamp, err := s.InstancesStamp(ctx)
	if err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(time.Second)
	h, err := a.PauseInstance(ctx, in.ID, app.RateLimit{State: domain.HealthPaused, Reason: domain.ReasonRateLimited})
	if err != nil || h.State() != domain.HealthPaused || !h.Until().Equal(clock.Add(domain.DefaultPause)) {
		t.Fatalf("pause = %v %v %v", h.State(), h.Until(), err)
	}
	got, err := s.Instance(ctx, in.ID)
	if err != nil || got.Health != h || got.Name != in.Name || got.Status != in.Status {
		t.Fatalf("stored %+v (%v), want health %+v and the rest untouched", got, err, h)
	}
	if s2, _ := s.InstancesStamp(ctx); s2 == stamp {
		t.Fatal("a pause left the instances stamp as it was: bots would not see it")
	}
	if n := healthEvents(); n != 1 {
		t.Fatalf("%d instance.health events, want 1", n)
	}
	// The same warning again: nothing new.
	if _, err := a.PauseInstance(ctx, in.ID, app.RateLimit{State: domain.HealthPaused, Reason: domain.ReasonRateLimited, Until: *h.Until()}); err != nil {
		t.Fatal(err)
	}
	if n := healthEvents(); n != 1 {
		t.Fatalf("%d instance.health events after a repeat, want 1", n)
	}
	// Before the deadline the pause does not end; at it, it does, once.
	if ended, err := a.EndPause(ctx, in.ID); err != nil || ended {
		t.Fatalf("end before the deadline = %v %v", ended, err)
	}
	clock = *h.Until()
	for range 2 {
		if _, err := a.EndPause(ctx, in.ID); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := s.Instance(ctx, in.ID); got.Health.State() != domain.HealthOK || got.Health.Reason() != domain.ReasonExpired || got.Health.Until() != nil {
		t.Fatalf("after the deadline: %v %q %v", got.Health.State(), got.Health.Reason(), got.Health.Until())
	}
	if n := healthEvents(); n != 2 {
		t.Fatalf("%d instance.health events after the end, want 2", n)
	}
	// A ban, lifted by hand; a second resume is refused.
	if _, err := a.PauseInstance(ctx, in.ID, app.RateLimit{State: domain.HealthBanned, Reason: domain.ReasonTemporaryBan, Until: clock.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	resumed, err := a.ResumeInstance(ctx, in.ID)
	if err != nil || resumed.Health.State() != domain.HealthOK || resumed.Health.Reason() != domain.ReasonResumed {
		t.Fatalf("resume = %+v %v", resumed, err)
	}
	if _, err := a.ResumeInstance(ctx, in.ID); domain.KindOf(err) != domain.KindConflict {
		t.Fatalf("second resume = %v, want not_paused", err)
	}
	if n := healthEvents(); n != 4 {
		t.Fatalf("%d instance.health events, want 4", n)
	}
}

// TestCheckBudget: the per-instance window takes at most the limit, a
// request that does not fit is refused whole, concurrent requests never
// exceed it, and another instance has its own window.
func TestCheckBudget(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	ctx := context.Background()
	a, b := newInstance(t, s), newInstance(t, s)
	take := func(id string, n int) (time.Duration, bool) {
		t.Helper()
		wait, ok, err := s.TakeChecks(ctx, id, n, 60, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		return wait, ok
	}
	steps := []struct {
		id   string
		n    int
		want bool
	}{
		{a.ID, 50, true},
		{a.ID, 11, false}, // 10 left: refused whole
		{a.ID, 10, true},
		{a.ID, 1, false},
		{b.ID, 60, true},
		{b.ID, 61, false},
	}
	for i, st := range steps {
		wait, ok := take(st.id, st.n)
		if ok != st.want {
			t.Fatalf("step %d: take %d = %v, want %v", i, st.n, ok, st.want)
		}
		if !ok && (wait <= 0 || wait > time.Minute) {
			t.Fatalf("step %d: retry after %v, want within the minute", i, wait)
		}
	}

	// Concurrent takers share one window.
	c := newInstance(t, s)
	var wg sync.WaitGroup
	var granted atomic.Int32
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, ok, err := s.TakeChecks(ctx, c.ID, 10, 60, time.Minute); err == nil && ok {
				granted.Add(1)
			}
		}()
	}
	wg.Wait()
	if g := granted.Load(); g != 6 {
		t.Fatalf("%d of 10 concurrent takes of 10 granted, want 6", g)
	}

	// A window that ended gives way to a new one.
	d := newInstance(t, s)
	if _, ok, err := s.TakeChecks(ctx, d.ID, 60, 60, time.Millisecond); err != nil || !ok {
		t.Fatalf("first take = %v %v", ok, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, ok, err := s.TakeChecks(ctx, d.ID, 60, 60, time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a new window never opened")
		}
		time.Sleep(time.Millisecond) // polling for the window's end
	}
}

package messaging

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/zapgate/zapgate/domain"
)

func TestPlanHealth(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	health := func(state domain.HealthState, reason string, until time.Time) domain.Health {
		return domain.LoadHealth(string(state), reason, &until)
	}
	inst := func(id string, st domain.InstanceStatus, h domain.Health) domain.Instance {
		return domain.Instance{ID: id, Status: st, Health: h}
	}
	ok := domain.HealthOKBecause("")
	pausedAhead := health(domain.HealthPaused, domain.ReasonRateLimited, now.Add(time.Minute))
	pausedPast := health(domain.HealthPaused, domain.ReasonRateLimited, now.Add(-time.Second))
	bannedAhead := health(domain.HealthBanned, domain.ReasonTemporaryBan, now.Add(time.Hour))
	bannedPast := health(domain.HealthBanned, domain.ReasonTemporaryBan, now)
	started := map[string]time.Time{"a": now.Add(-time.Hour)}
	tests := []struct {
		name       string
		instances  []domain.Instance
		held       []string
		started    map[string]time.Time
		wasBanned  map[string]bool
		want       []healthAction
		wantBanned []string
	}{
		{name: "ok: nothing", instances: []domain.Instance{inst("a", domain.InstanceConnected, ok)}, held: []string{"a"}, started: started},
		{name: "a pause in force: nothing (the consumer waits)", instances: []domain.Instance{inst("a", domain.InstanceConnected, pausedAhead)},
			held: []string{"a"}, started: started},
		{name: "a pause past its deadline ends", instances: []domain.Instance{inst("a", domain.InstanceConnected, pausedPast)},
			held: []string{"a"}, started: started, want: []healthAction{{actEndPause, "a"}}},
		{name: "an expired pause of an instance held elsewhere is not ours", instances: []domain.Instance{inst("a", domain.InstanceConnected, pausedPast)},
			held: []string{"b"}, started: started},
		{name: "a ban in force: no reconnect", instances: []domain.Instance{inst("a", domain.InstanceDisconnected, bannedAhead)},
			held: []string{"a"}, started: started, wasBanned: map[string]bool{"a": true}, wantBanned: []string{"a"}},
		{name: "a ban at its deadline ends; reconnect waits for ok", instances: []domain.Instance{inst("a", domain.InstanceDisconnected, bannedPast)},
			held: []string{"a"}, started: started, wasBanned: map[string]bool{"a": true}, want: []healthAction{{actEndPause, "a"}}, wantBanned: []string{"a"}},
		{name: "ok after a ban: reconnect once", instances: []domain.Instance{inst("a", domain.InstanceDisconnected, domain.HealthOKBecause(domain.ReasonExpired))},
			held: []string{"a"}, started: started, wasBanned: map[string]bool{"a": true}, want: []healthAction{{actReconnect, "a"}}},
		{name: "resumed from a ban: reconnect", instances: []domain.Instance{inst("a", domain.InstanceDisconnected, domain.HealthOKBecause(domain.ReasonResumed))},
			held: []string{"a"}, started: started, wasBanned: map[string]bool{"a": true}, want: []healthAction{{actReconnect, "a"}}},
		{name: "ok, never banned here: no reconnect", instances: []domain.Instance{inst("a", domain.InstanceDisconnected, domain.HealthOKBecause(domain.ReasonExpired))},
			held: []string{"a"}, started: started},
		{name: "ok after a ban, session not started here: the reconcile connects it", instances: []domain.Instance{inst("a", domain.InstanceDisconnected, ok)},
			held: []string{"a"}, wasBanned: map[string]bool{"a": true}},
		{name: "logged out after a ban: no reconnect", instances: []domain.Instance{inst("a", domain.InstanceLoggedOut, ok)},
			held: []string{"a"}, started: started, wasBanned: map[string]bool{"a": true}},
		{name: "a pause after a ban: reconnect (the consumer waits at the gate)", instances: []domain.Instance{inst("a", domain.InstanceDisconnected, pausedAhead)},
			held: []string{"a"}, started: started, wasBanned: map[string]bool{"a": true}, want: []healthAction{{actReconnect, "a"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, banned := planHealth(now, tt.instances, tt.held, tt.started, tt.wasBanned)
			if !slices.Equal(got, tt.want) {
				t.Errorf("actions = %v, want %v", got, tt.want)
			}
			var ids []string
			for id := range banned {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			if !slices.Equal(ids, tt.wantBanned) {
				t.Errorf("banned = %v, want %v", ids, tt.wantBanned)
			}
		})
	}
}

// TestHealthGate: the gate opens at the deadline, on a resume read from
// Postgres, and not on a read older than a pause this process recorded.
func TestHealthGate(t *testing.T) {
	t.Parallel()
	now := time.Now()
	pause := func(d time.Duration) domain.Health {
		h, err := domain.NewHealth(domain.HealthPaused, domain.ReasonRateLimited, now.Add(d), now)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	ctx := context.Background()

	t.Run("open by default", func(t *testing.T) {
		g := newHealthGate()
		if paused, ok := g.wait(ctx, time.Hour); paused || !ok {
			t.Fatalf("wait = %v %v, want not paused, ok", paused, ok)
		}
	})
	t.Run("a past deadline is open", func(t *testing.T) {
		g := newHealthGate()
		g.set(domain.LoadHealth("paused", domain.ReasonRateLimited, &now), now)
		if open, _, _ := g.state(now.Add(time.Millisecond)); !open {
			t.Fatal("gate closed after its deadline")
		}
	})
	t.Run("resume read from Postgres opens it", func(t *testing.T) {
		g := newHealthGate()
		g.set(pause(time.Hour), time.Now())
		done := make(chan bool)
		go func() {
			// The hold only bounds a broken wake-up: ok false fails.
			_, ok := g.wait(ctx, 10*time.Second)
			done <- ok
		}()
		g.set(domain.HealthOKBecause(domain.ReasonResumed), time.Now())
		if !<-done {
			t.Fatal("the resume did not open the gate")
		}
	})
	t.Run("a read older than the local pause is ignored", func(t *testing.T) {
		g := newHealthGate()
		readAt := time.Now()
		g.pause(pause(time.Hour), readAt.Add(time.Millisecond))
		g.set(domain.HealthOKBecause(""), readAt)
		if open, _, _ := g.state(time.Now()); open {
			t.Fatal("a stale ok read opened the gate")
		}
		g.set(domain.HealthOKBecause(domain.ReasonResumed), readAt.Add(2*time.Millisecond))
		if open, _, _ := g.state(time.Now()); !open {
			t.Fatal("a newer ok read left the gate closed")
		}
	})
	t.Run("a local pause never shortens one", func(t *testing.T) {
		g := newHealthGate()
		g.set(pause(time.Hour), now)
		g.pause(pause(time.Minute), now)
		if _, deadline, _ := g.state(now); !deadline.Equal(now.Add(time.Hour)) {
			t.Fatalf("deadline = %v, want an hour on", deadline)
		}
	})
	t.Run("the hold bounds the wait", func(t *testing.T) {
		g := newHealthGate()
		g.set(pause(time.Hour), now)
		if paused, ok := g.wait(ctx, time.Millisecond); !paused || ok {
			t.Fatalf("wait = %v %v, want paused, not ok", paused, ok)
		}
	})
	t.Run("ctx ends the wait", func(t *testing.T) {
		g := newHealthGate()
		g.set(pause(time.Hour), now)
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, ok := g.wait(cctx, time.Hour); ok {
			t.Fatal("wait ok after ctx ended")
		}
	})
	t.Run("the deadline opens it by itself", func(t *testing.T) {
		g := newHealthGate()
		g.set(domain.LoadHealth("paused", domain.ReasonRateLimited, ptrTime(time.Now().Add(20*time.Millisecond))), time.Now())
		if paused, ok := g.wait(ctx, time.Hour); !paused || !ok {
			t.Fatalf("wait = %v %v, want paused then ok", paused, ok)
		}
	})
}

func ptrTime(t time.Time) *time.Time { return &t }

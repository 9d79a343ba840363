package messaging

import (
	"slices"
	"testing"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// job names a delivery by its id; its first letter is its webhook's id.
func job(id string) app.DeliveryJob {
	return app.DeliveryJob{Delivery: domain.Delivery{ID: id}, Webhook: domain.Webhook{ID: id[:1]}}
}

// slotsStep is one turn of the notifier: claimed jobs come in, attempts
// end, then it starts what the slots allow, maybe drains, and asks how much
// it may claim next.
type slotsStep struct {
	admit  []string
	finish []string // webhook ids whose attempt ended
	drain  bool

	wantExtra   []string
	wantStarted []string // "?" stands for any one delivery
	wantDrained []string // "?" likewise
	wantRoom    int
	wantFull    []string
}

func TestHookSlots(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		workers, perHook int
		steps            []slotsStep
	}{
		{
			name: "one subscription: perHook in flight, as many waiting, the rest released", workers: 4, perHook: 1,
			steps: []slotsStep{
				{admit: []string{"a1", "a2", "a3"}, wantExtra: []string{"a3"}, wantStarted: []string{"a1"}, wantRoom: 6, wantFull: []string{"a"}},
				{finish: []string{"a"}, wantStarted: []string{"a2"}, wantRoom: 7},
				{finish: []string{"a"}, wantRoom: 8},
			},
		},
		{
			name: "a subscription that holds its share gets no more", workers: 4, perHook: 1,
			steps: []slotsStep{
				{admit: []string{"a1", "a2"}, wantStarted: []string{"a1"}, wantRoom: 6, wantFull: []string{"a"}},
				{admit: []string{"a3", "b1"}, wantExtra: []string{"a3"}, wantStarted: []string{"b1"}, wantRoom: 5, wantFull: []string{"a"}},
			},
		},
		{
			name: "a slow subscription does not hold up another", workers: 3, perHook: 1,
			steps: []slotsStep{
				{admit: []string{"a1", "a2", "b1"}, wantStarted: []string{"a1", "b1"}, wantRoom: 3, wantFull: []string{"a"}},
				{finish: []string{"b"}, wantRoom: 4, wantFull: []string{"a"}},
				{admit: []string{"b2", "b3"}, wantStarted: []string{"b2"}, wantRoom: 2, wantFull: []string{"a", "b"}},
				{finish: []string{"b"}, wantStarted: []string{"b3"}, wantRoom: 3, wantFull: []string{"a"}},
			},
		},
		{
			name: "workers bound the attempts of all subscriptions", workers: 2, perHook: 2,
			steps: []slotsStep{
				{admit: []string{"a1", "a2", "b1", "b2"}, wantStarted: []string{"?", "?"}, wantRoom: 0},
				{drain: true, wantDrained: []string{"?", "?"}, wantRoom: 2},
			},
		},
		{
			name: "one worker: the next starts when the last ends", workers: 1, perHook: 2,
			steps: []slotsStep{
				{admit: []string{"a1", "a2"}, wantStarted: []string{"a1"}, wantRoom: 0},
				{finish: []string{"a"}, wantStarted: []string{"a2"}, wantRoom: 1},
				{finish: []string{"a"}, wantRoom: 2},
			},
		},
		{
			name: "drain hands back what waits, not what runs", workers: 1, perHook: 1,
			steps: []slotsStep{
				{admit: []string{"a1", "a2"}, wantStarted: []string{"a1"}, wantRoom: 0, wantFull: []string{"a"}},
				{drain: true, wantDrained: []string{"a2"}, wantRoom: 1},
				{finish: []string{"a"}, wantRoom: 2},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newHookSlots(tt.workers, tt.perHook)
			for i, st := range tt.steps {
				var jobs []app.DeliveryJob
				for _, id := range st.admit {
					jobs = append(jobs, job(id))
				}
				if extra := s.admit(jobs); !slices.Equal(sorted(extra), st.wantExtra) {
					t.Fatalf("step %d: released %v, want %v", i, extra, st.wantExtra)
				}
				for _, id := range st.finish {
					s.finish(id)
				}
				var started []string
				for _, j := range s.start() {
					started = append(started, j.Delivery.ID)
				}
				if !matches(started, st.wantStarted) {
					t.Fatalf("step %d: started %v, want %v", i, started, st.wantStarted)
				}
				if st.drain {
					if drained := s.drain(); !matches(drained, st.wantDrained) {
						t.Fatalf("step %d: drained %v, want %v", i, drained, st.wantDrained)
					}
				}
				room, full := s.room()
				if room != st.wantRoom || !slices.Equal(sorted(full), st.wantFull) {
					t.Fatalf("step %d: room %d full %v, want %d %v", i, room, full, st.wantRoom, st.wantFull)
				}
				checkSlots(t, s)
			}
		})
	}
}

// checkSlots asserts what must hold after every step.
func checkSlots(t *testing.T, s *hookSlots) {
	t.Helper()
	running := 0
	for id, n := range s.inflight {
		if n > s.perHook {
			t.Fatalf("%d of %s in flight, perHook %d", n, id, s.perHook)
		}
		running += n
	}
	if running+s.free != s.workers {
		t.Fatalf("%d running and %d free of %d workers", running, s.free, s.workers)
	}
	for id, n := range s.held {
		if n > s.perHookCap() || n <= 0 {
			t.Fatalf("%d of %s held, cap %d", n, id, s.perHookCap())
		}
		if s.inflight[id]+len(s.waiting[id]) != n {
			t.Fatalf("%s: %d in flight and %d waiting, but %d held", id, s.inflight[id], len(s.waiting[id]), n)
		}
	}
	for id := range s.waiting {
		if s.held[id] == 0 {
			t.Fatalf("%s waits but is not held", id)
		}
	}
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// matches reports whether got holds the named ids of want and as many
// others as want has "?".
func matches(got, want []string) bool {
	if len(got) != len(want) {
		return false
	}
	for _, w := range want {
		if w != "?" && !slices.Contains(got, w) {
			return false
		}
	}
	return true
}

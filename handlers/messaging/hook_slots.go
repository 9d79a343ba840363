package messaging

import "github.com/zapgate/zapgate/app"

// hookSlots decides which claimed webhook deliveries run, with no I/O: the
// notifier asks it what to claim, what to start and what to hand back, and
// does the claiming, posting and releasing itself. At most perHook
// deliveries of one subscription are attempted at once and workers in all;
// as many again may wait claimed, so that an attempt that ends is followed
// at once by the next without a claim in between. Not safe for concurrent
// use: the notifier holds its lock around every call.
type hookSlots struct {
	workers, perHook int

	held     map[string]int // by webhook id: claimed and not finished
	waiting  map[string][]app.DeliveryJob
	inflight map[string]int // by webhook id: being attempted
	free     int            // workers not attempting
}

func newHookSlots(workers, perHook int) *hookSlots {
	return &hookSlots{workers: workers, perHook: perHook,
		held: map[string]int{}, waiting: map[string][]app.DeliveryJob{}, inflight: map[string]int{}, free: workers}
}

// perHookCap is how many deliveries of one subscription may be held.
func (s *hookSlots) perHookCap() int { return 2 * s.perHook }

// room returns how many more deliveries may be claimed (none when n <= 0)
// and the subscriptions that may take no more.
func (s *hookSlots) room() (n int, full []string) {
	n = 2 * s.workers
	for id, h := range s.held {
		n -= h
		if h >= s.perHookCap() {
			full = append(full, id)
		}
	}
	return n, full
}

// admit takes claimed jobs to wait their turn. A subscription that had
// some held already may have been given more than its share: those are
// returned, by delivery id, to be released at once.
func (s *hookSlots) admit(jobs []app.DeliveryJob) (extra []string) {
	for _, j := range jobs {
		id := j.Webhook.ID
		if s.held[id] >= s.perHookCap() {
			extra = append(extra, j.Delivery.ID)
			continue
		}
		s.held[id]++
		s.waiting[id] = append(s.waiting[id], j)
	}
	return extra
}

// start returns the waiting jobs to attempt now, oldest first within a
// subscription, and counts them as in flight.
func (s *hookSlots) start() []app.DeliveryJob {
	var out []app.DeliveryJob
	for id, q := range s.waiting {
		for len(q) > 0 && s.free > 0 && s.inflight[id] < s.perHook {
			out = append(out, q[0])
			q = q[1:]
			s.inflight[id]++
			s.free--
		}
		if len(q) == 0 {
			delete(s.waiting, id)
		} else {
			s.waiting[id] = q
		}
	}
	return out
}

// finish records that an attempt of a delivery of webhookID ended.
func (s *hookSlots) finish(webhookID string) {
	if s.held[webhookID]--; s.held[webhookID] <= 0 {
		delete(s.held, webhookID)
	}
	if s.inflight[webhookID]--; s.inflight[webhookID] <= 0 {
		delete(s.inflight, webhookID)
	}
	s.free++
}

// drain forgets the jobs still waiting and returns their delivery ids, to
// be released (shutdown).
func (s *hookSlots) drain() []string {
	var ids []string
	for id, q := range s.waiting {
		for _, j := range q {
			ids = append(ids, j.Delivery.ID)
		}
		if s.held[id] -= len(q); s.held[id] <= 0 {
			delete(s.held, id)
		}
		delete(s.waiting, id)
	}
	return ids
}

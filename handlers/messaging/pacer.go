package messaging

import (
	"context"
	"math/rand/v2"
	"sync"
	"time"
)

// pacer spaces one instance's sends: perMinute on average, each gap jittered
// by ±30% so the rhythm does not look automated. Zero means no limit. Sends
// beyond the rate simply wait their turn in the instance's queue.
type pacer struct {
	mu        sync.Mutex
	perMinute int
	next      time.Time
}

func (p *pacer) setRate(perMinute int) {
	p.mu.Lock()
	p.perMinute = perMinute
	p.mu.Unlock()
}

// wait blocks until the next send may go.
func (p *pacer) wait(ctx context.Context) error {
	p.mu.Lock()
	d := time.Until(p.next)
	p.mu.Unlock()
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// sent records a send and schedules the earliest next one.
func (p *pacer) sent(at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.perMinute <= 0 {
		p.next = time.Time{}
		return
	}
	gap := float64(time.Minute) / float64(p.perMinute)
	p.next = at.Add(time.Duration(gap * (0.7 + 0.6*rand.Float64())))
}

package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lib/pq"
)

// listener turns LISTEN notifications into signals: one connection per
// process for any number of subscribers, each keyed by what keyOf reads
// off a notification. A subscriber's signal holds at most one pending
// wake-up, so a burst of notifications wakes it once. When the connection
// is lost and comes back, every subscriber is woken: notifications sent
// meanwhile are gone, and a wake-up costs its subscriber one query.
type listener struct {
	dsn      string
	channels []string
	keyOf    func(*pq.Notification) string
	log      *slog.Logger
	ready    chan struct{}

	mu   sync.Mutex
	subs map[string]map[chan struct{}]struct{}
}

func newListener(dsn string, log *slog.Logger, keyOf func(*pq.Notification) string, channels ...string) *listener {
	return &listener{dsn: dsn, channels: channels, keyOf: keyOf, log: log,
		ready: make(chan struct{}), subs: map[string]map[chan struct{}]struct{}{}}
}

// Subscribe returns a signal for key and the function that ends it.
func (l *listener) Subscribe(key string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	l.mu.Lock()
	if l.subs[key] == nil {
		l.subs[key] = map[chan struct{}]struct{}{}
	}
	l.subs[key][ch] = struct{}{}
	l.mu.Unlock()
	return ch, func() {
		l.mu.Lock()
		defer l.mu.Unlock()
		delete(l.subs[key], ch)
		if len(l.subs[key]) == 0 {
			delete(l.subs, key)
		}
	}
}

// wake signals key's subscribers.
func (l *listener) wake(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	nudge(l.subs[key])
}

// wakeAll signals every subscriber.
func (l *listener) wakeAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, set := range l.subs {
		nudge(set)
	}
}

// nudge leaves a wake-up pending on each channel of set.
func nudge(set map[chan struct{}]struct{}) {
	for ch := range set {
		select {
		case ch <- struct{}{}:
		default: // a wake-up is already pending
		}
	}
}

// Ready is closed once the channels are listened to.
func (l *listener) Ready() <-chan struct{} { return l.ready }

// Run listens until ctx ends; it runs once. pq's listener reconnects on
// its own, backing off up to 5 s.
func (l *listener) Run(ctx context.Context) error {
	pl := pq.NewListener(l.dsn, 100*time.Millisecond, 5*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			l.log.Warn("notifications connection", "channels", l.channels, "event", ev, "err", err)
		}
	})
	defer pl.Close()
	for _, c := range l.channels {
		if err := pl.Listen(c); err != nil { // returns once the LISTEN is in place
			return fmt.Errorf("listen %s: %w", c, err)
		}
	}
	close(l.ready)
	for {
		select {
		case <-ctx.Done():
			return nil
		case n := <-pl.Notify:
			if n == nil {
				l.wakeAll() // reconnected: notifications may have been missed
				continue
			}
			l.wake(l.keyOf(n))
		}
	}
}

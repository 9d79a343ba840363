package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lib/pq"
)

// Wakeups turns LISTEN notifications into wake-up signals: one connection
// for any number of channels and subscribers. A subscriber's signal holds
// at most one pending wake-up, so a burst of notifications wakes it once.
// When the connection is lost and comes back, every subscriber is woken:
// notifications sent meanwhile are gone, and a wake-up costs one query.
type Wakeups struct {
	dsn      string
	channels []string
	log      *slog.Logger
	ready    chan struct{}

	mu   sync.Mutex
	subs map[string]map[chan struct{}]struct{}
}

// NewWakeups returns wake-ups for channels, heard once Run starts.
func NewWakeups(dsn string, log *slog.Logger, channels ...string) *Wakeups {
	return &Wakeups{dsn: dsn, channels: channels, log: log, ready: make(chan struct{}),
		subs: map[string]map[chan struct{}]struct{}{}}
}

// Subscribe returns a signal for channel and the function that ends it.
func (w *Wakeups) Subscribe(channel string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	w.mu.Lock()
	if w.subs[channel] == nil {
		w.subs[channel] = map[chan struct{}]struct{}{}
	}
	w.subs[channel][ch] = struct{}{}
	w.mu.Unlock()
	return ch, func() {
		w.mu.Lock()
		defer w.mu.Unlock()
		delete(w.subs[channel], ch)
	}
}

// wake signals channel's subscribers, or everyone's when channel is "".
func (w *Wakeups) wake(channel string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for name, set := range w.subs {
		if channel != "" && name != channel {
			continue
		}
		for ch := range set {
			select {
			case ch <- struct{}{}:
			default: // a wake-up is already pending
			}
		}
	}
}

// Ready is closed once the channels are listened to.
func (w *Wakeups) Ready() <-chan struct{} { return w.ready }

// Run listens until ctx ends; it runs once. pq's listener reconnects on
// its own, backing off up to 5 s.
func (w *Wakeups) Run(ctx context.Context) error {
	l := pq.NewListener(w.dsn, 100*time.Millisecond, 5*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			w.log.Warn("wake-up notifications connection", "event", ev, "err", err)
		}
	})
	defer l.Close()
	for _, c := range w.channels {
		if err := l.Listen(c); err != nil {
			return fmt.Errorf("listen %s: %w", c, err)
		}
	}
	close(w.ready)
	for {
		select {
		case <-ctx.Done():
			return nil
		case note := <-l.Notify:
			if note == nil {
				w.wake("") // reconnected: notifications may have been missed
				continue
			}
			w.wake(note.Channel)
		}
	}
}

package postgres

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/lib/pq"
)

// CommandNotices implements app.CommandNotices with LISTEN on one channel
// whose payload is the ended command's id: one connection per process, not
// one per waiting request.
type CommandNotices struct {
	dsn   string
	log   *slog.Logger
	ready chan struct{}

	mu      sync.Mutex
	waiters map[string]map[chan struct{}]struct{}
}

// NewCommandNotices returns notices listening on dsn once Run starts.
func NewCommandNotices(dsn string, log *slog.Logger) *CommandNotices {
	return &CommandNotices{dsn: dsn, log: log, ready: make(chan struct{}), waiters: map[string]map[chan struct{}]struct{}{}}
}

// Subscribe implements app.CommandNotices.
func (n *CommandNotices) Subscribe(commandID string) (<-chan struct{}, func()) {
	ch := make(chan struct{}, 1)
	n.mu.Lock()
	if n.waiters[commandID] == nil {
		n.waiters[commandID] = map[chan struct{}]struct{}{}
	}
	n.waiters[commandID][ch] = struct{}{}
	n.mu.Unlock()
	return ch, func() {
		n.mu.Lock()
		defer n.mu.Unlock()
		delete(n.waiters[commandID], ch)
		if len(n.waiters[commandID]) == 0 {
			delete(n.waiters, commandID)
		}
	}
}

// wake signals the waiters of id, or every waiter when id is "" (the
// connection was lost, so a notice may have been missed).
func (n *CommandNotices) wake(id string) {
	n.mu.Lock()
	defer n.mu.Unlock()
	for cid, set := range n.waiters {
		if id != "" && cid != id {
			continue
		}
		for ch := range set {
			select {
			case ch <- struct{}{}:
			default: // already signalled
			}
		}
	}
}

// Ready is closed once notices are heard.
func (n *CommandNotices) Ready() <-chan struct{} { return n.ready }

// Run listens until ctx ends; it runs once.
func (n *CommandNotices) Run(ctx context.Context) error {
	l := pq.NewListener(n.dsn, 100*time.Millisecond, 5*time.Second, func(ev pq.ListenerEventType, err error) {
		if err != nil {
			n.log.Warn("command notices connection", "event", ev, "err", err)
		}
	})
	defer l.Close()
	if err := l.Listen(commandsChannel); err != nil {
		return fmt.Errorf("listen %s: %w", commandsChannel, err)
	}
	close(n.ready) // Listen returns once the LISTEN is in place
	for {
		select {
		case <-ctx.Done():
			return nil
		case note := <-l.Notify:
			if note == nil {
				n.wake("") // reconnected: notices may have been lost
				continue
			}
			n.wake(note.Extra)
		}
	}
}

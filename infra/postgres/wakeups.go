package postgres

import (
	"log/slog"

	"github.com/lib/pq"
)

// Wakeups turns notifications on channels into wake-up signals, one
// connection for all of them. Subscribe takes a channel's name.
type Wakeups struct{ *listener }

// NewWakeups returns wake-ups for channels, heard once Run starts.
func NewWakeups(dsn string, log *slog.Logger, channels ...string) *Wakeups {
	byChannel := func(n *pq.Notification) string { return n.Channel }
	return &Wakeups{newListener(dsn, log, byChannel, channels...)}
}

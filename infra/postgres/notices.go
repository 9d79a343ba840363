package postgres

import (
	"log/slog"

	"github.com/lib/pq"
)

// CommandNotices implements app.CommandNotices with LISTEN on one channel
// whose payload is the ended command's id: one connection per process, not
// one per waiting request. Subscribe takes a command id.
type CommandNotices struct{ *listener }

// NewCommandNotices returns notices listening on dsn once Run starts.
func NewCommandNotices(dsn string, log *slog.Logger) *CommandNotices {
	byCommand := func(n *pq.Notification) string { return n.Extra }
	return &CommandNotices{newListener(dsn, log, byCommand, commandsChannel)}
}

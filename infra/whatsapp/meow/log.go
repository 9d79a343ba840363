package meow

import (
	"context"
	"fmt"
	"log/slog"

	waLog "go.mau.fi/whatsmeow/util/log"
)

// logger writes whatsmeow's printf-style logs to slog. module is the path
// of whatsmeow sub-loggers ("client/Socket"), kept as one attribute.
type logger struct {
	l      *slog.Logger
	module string
}

var _ waLog.Logger = logger{}

func newLogger(l *slog.Logger, module string) waLog.Logger { return logger{l: l, module: module} }

func (g logger) Errorf(msg string, args ...any) { g.log(slog.LevelError, msg, args) }
func (g logger) Warnf(msg string, args ...any)  { g.log(slog.LevelWarn, msg, args) }
func (g logger) Infof(msg string, args ...any)  { g.log(slog.LevelInfo, msg, args) }
func (g logger) Debugf(msg string, args ...any) { g.log(slog.LevelDebug, msg, args) }

func (g logger) Sub(module string) waLog.Logger {
	return logger{l: g.l, module: g.module + "/" + module}
}

// log formats only when the level is on: whatsmeow's debug output is heavy.
func (g logger) log(level slog.Level, msg string, args []any) {
	ctx := context.Background()
	if !g.l.Enabled(ctx, level) {
		return
	}
	g.l.Log(ctx, level, fmt.Sprintf(msg, args...), "module", g.module)
}

package whatsmeow

import (
	"fmt"
	"log/slog"

	waLog "go.mau.fi/whatsmeow/util/log"
)

// logger adapts slog to whatsmeow's logger.
type logger struct{ l *slog.Logger }

func newLogger(l *slog.Logger, module string) waLog.Logger { return logger{l.With("module", module)} }

func (g logger) Warnf(msg string, args ...any)  { g.l.Warn(fmt.Sprintf(msg, args...)) }
func (g logger) Errorf(msg string, args ...any) { g.l.Error(fmt.Sprintf(msg, args...)) }
func (g logger) Infof(msg string, args ...any)  { g.l.Info(fmt.Sprintf(msg, args...)) }
func (g logger) Debugf(msg string, args ...any) { g.l.Debug(fmt.Sprintf(msg, args...)) }
func (g logger) Sub(module string) waLog.Logger { return logger{g.l.With("module", module)} }

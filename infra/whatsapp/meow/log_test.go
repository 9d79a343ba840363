package meow

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"

	waLog "go.mau.fi/whatsmeow/util/log"
)

func TestLogger(t *testing.T) {
	tests := []struct {
		name  string
		min   slog.Level
		write func(waLog.Logger)
		want  string // "" when nothing may be written
	}{
		{"debug", slog.LevelDebug, func(l waLog.Logger) { l.Debugf("frame %d", 7) }, `level=DEBUG msg="frame 7" module=client`},
		{"info", slog.LevelDebug, func(l waLog.Logger) { l.Infof("hi %s", "there") }, `level=INFO msg="hi there" module=client`},
		{"warn", slog.LevelDebug, func(l waLog.Logger) { l.Warnf("w") }, `level=WARN msg=w module=client`},
		{"error", slog.LevelDebug, func(l waLog.Logger) { l.Errorf("e: %v", "x") }, `level=ERROR msg="e: x" module=client`},
		{"sub module path", slog.LevelDebug, func(l waLog.Logger) { l.Sub("Socket").Sub("Recv").Infof("r") }, `msg=r module=client/Socket/Recv`},
		{"debug off", slog.LevelInfo, func(l waLog.Logger) { l.Debugf("noise") }, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			h := slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: tt.min, ReplaceAttr: dropTime})
			tt.write(newLogger(slog.New(h), "client"))
			got := strings.TrimSpace(buf.String())
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("logged %q, want %q", got, tt.want)
			}
		})
	}
}

func dropTime(_ []string, a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}

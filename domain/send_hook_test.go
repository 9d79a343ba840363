package domain

import (
	"testing"
	"time"
)

func TestNewSendHookFormat(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		format string
		want   HookFormat
		ok     bool
	}{
		{"", HookAuto, true},
		{"auto", HookAuto, true},
		{"text", HookText, true},
		{"alertmanager", HookAlertmanager, true},
		{"grafana", HookGrafana, true},
		{"github", HookGitHub, true},
		{"GitHub", "", false},
		{"slack", "", false},
		{"text\x00", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			h, _, err := NewSendHook("inst", "ci", "", tt.format, now)
			if !tt.ok {
				if de, _ := err.(*Error); de == nil || de.Fields["format"] != HookFormatRule {
					t.Fatalf("err = %v, want format named", err)
				}
				return
			}
			if err != nil || h.Format != tt.want {
				t.Fatalf("= %v, %v; want %s", h, err, tt.want)
			}
		})
	}
}

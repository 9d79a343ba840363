package api

import (
	"testing"
	"time"
)

func TestParseSince(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		wantID string
		wantAt *time.Time
		ok     bool
	}{
		{"", "", nil, true},
		{"01a22d36-c1b7-7a66-bf85-edaf416d8e46", "01a22d36-c1b7-7a66-bf85-edaf416d8e46", nil, true},
		{"2026-11-30T12:00:00Z", "", &at, true},
		{"2026-11-30T09:00:00-03:00", "", &at, true},
		{"yesterday", "", nil, false},
		{"01a22d36-c1b7-7a66-bf85", "", nil, false},
		{"2026-11-30", "", nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			id, got, ok := parseSince(tt.in)
			if ok != tt.ok || id != tt.wantID || (got == nil) != (tt.wantAt == nil) || (got != nil && !got.Equal(*tt.wantAt)) {
				t.Fatalf("parseSince(%q) = %q, %v, %v; want %q, %v, %v", tt.in, id, got, ok, tt.wantID, tt.wantAt, tt.ok)
			}
		})
	}
}

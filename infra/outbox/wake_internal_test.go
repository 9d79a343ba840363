package outbox

import (
	"testing"
	"time"
)

func TestIdleWait(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		lastBusy time.Time
		now      time.Time
		want     time.Duration
	}{
		{"never busy: wait for a wake-up or the fallback", time.Time{}, t0, time.Second},
		{"just busy: poll", t0, t0, 20 * time.Millisecond},
		{"busy within the hot window: poll", t0, t0.Add(249 * time.Millisecond), 20 * time.Millisecond},
		{"hot window over: wait", t0, t0.Add(250 * time.Millisecond), time.Second},
		{"long idle: wait", t0, t0.Add(time.Hour), time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := idleWait{interval: 20 * time.Millisecond, hot: 250 * time.Millisecond, fallback: time.Second}
			if !tt.lastBusy.IsZero() {
				w.busy(tt.lastBusy)
			}
			if got := w.next(tt.now); got != tt.want {
				t.Fatalf("next = %v, want %v", got, tt.want)
			}
		})
	}
}

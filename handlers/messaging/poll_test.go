package messaging

import (
	"context"
	"testing"
	"time"
)

func TestPollUntilDone(t *testing.T) {
	tests := []struct {
		name  string
		waits []time.Duration // what each step returns; the step after the last ends ctx
	}{
		{"once", nil},
		{"full batches go again at once", []time.Duration{0, 0, 0}},
		{"a short wait, then at once", []time.Duration{time.Millisecond, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			calls := 0
			err := pollUntilDone(ctx, func(context.Context) time.Duration {
				calls++
				if calls > len(tt.waits) {
					cancel()
					return time.Hour // ctx ends first: Run must not wait for this
				}
				return tt.waits[calls-1]
			})
			if err != nil || calls != len(tt.waits)+1 {
				t.Fatalf("err = %v after %d steps, want nil after %d", err, calls, len(tt.waits)+1)
			}
		})
	}
}

package messaging

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"
)

func TestBackoffAt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		attempt int
		r       float64
		want    time.Duration
	}{
		{attempt: 1, r: 0.5, want: 100 * time.Millisecond},
		{attempt: 2, r: 0.5, want: 200 * time.Millisecond},
		{attempt: 3, r: 0.5, want: 400 * time.Millisecond},
		{attempt: 6, r: 0.5, want: 3200 * time.Millisecond},
		{attempt: 7, r: 0.5, want: 5 * time.Second},  // capped
		{attempt: 90, r: 0.5, want: 5 * time.Second}, // the shift is bounded too
		{attempt: 1, r: 0, want: 70 * time.Millisecond},
		{attempt: 1, r: 0.75, want: 115 * time.Millisecond},
		{attempt: 7, r: 0, want: 3500 * time.Millisecond},
		{attempt: 7, r: 0.75, want: 5750 * time.Millisecond},
	}
	for _, tt := range tests {
		got := backoffAt(tt.attempt, tt.r)
		// Float jitter: within a microsecond is the same policy.
		if d := got - tt.want; d > time.Microsecond || d < -time.Microsecond {
			t.Errorf("backoffAt(%d, %v) = %v, want %v", tt.attempt, tt.r, got, tt.want)
		}
	}
}

func TestRetry(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	errAway := errors.New("database away")
	tests := []struct {
		name      string
		failures  int  // fn fails this many times, then succeeds
		cancelled bool // ctx ends at the first failure
		wantCalls int
		wantErr   error
	}{
		{name: "succeeds at once", wantCalls: 1},
		{name: "retries until it works", failures: 1, wantCalls: 2},
		{name: "gives up when ctx ends", failures: 5, cancelled: true, wantCalls: 1, wantErr: context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			calls := 0
			err := retry(ctx, log, func() error {
				calls++
				if calls > tt.failures {
					return nil
				}
				if tt.cancelled {
					cancel()
				}
				return errAway
			})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if calls != tt.wantCalls {
				t.Fatalf("fn called %d times, want %d", calls, tt.wantCalls)
			}
		})
	}
}

func TestSleep(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if sleep(ctx, time.Hour) {
		t.Fatal("sleep ran its course although ctx had ended")
	}
	if !sleep(context.Background(), 0) {
		t.Fatal("a zero sleep reported ctx ended")
	}
}

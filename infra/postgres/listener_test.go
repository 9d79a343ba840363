package postgres

import (
	"log/slog"
	"testing"
)

// pending reports whether ch holds a wake-up, and takes it.
func pending(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestListenerWakesBySubscriberKey(t *testing.T) {
	tests := []struct {
		name  string
		wake  func(l *listener)
		wantA bool // both subscribers of "a"
		wantB bool
	}{
		{"a notification wakes its key's subscribers only", func(l *listener) { l.wake("a") }, true, false},
		{"a key nobody waits for wakes nobody", func(l *listener) { l.wake("c") }, false, false},
		{"a burst leaves one wake-up", func(l *listener) { l.wake("b"); l.wake("b"); l.wake("b") }, false, true},
		{"a reconnect wakes everyone", func(l *listener) { l.wakeAll() }, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := newListener("", slog.New(slog.DiscardHandler), nil)
			a1, end1 := l.Subscribe("a")
			defer end1()
			a2, end2 := l.Subscribe("a")
			defer end2()
			b, endB := l.Subscribe("b")
			defer endB()

			tt.wake(l)
			if got := pending(a1); got != tt.wantA {
				t.Errorf("first subscriber of a woken = %v, want %v", got, tt.wantA)
			}
			if got := pending(a2); got != tt.wantA {
				t.Errorf("second subscriber of a woken = %v, want %v", got, tt.wantA)
			}
			if got := pending(b); got != tt.wantB {
				t.Errorf("subscriber of b woken = %v, want %v", got, tt.wantB)
			}
			if pending(b) {
				t.Error("b holds a second wake-up after one was taken")
			}
		})
	}
}

func TestListenerForgetsEndedSubscriptions(t *testing.T) {
	l := newListener("", slog.New(slog.DiscardHandler), nil)
	ch, end := l.Subscribe("a")
	_, endOther := l.Subscribe("a")
	end()
	l.wake("a")
	if pending(ch) {
		t.Error("an ended subscription was woken")
	}
	endOther()
	if n := len(l.subs); n != 0 {
		t.Errorf("%d keys kept after their last subscriber ended, want 0", n)
	}
}

package domain

import (
	"errors"
	"testing"
	"time"
)

func TestCommandEndsOnce(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	finish := func(c *Command) error { return c.Finish([]byte(`{"items":[]}`), now) }
	fail := func(c *Command) error { return c.Fail(CommandNotConnected, "not connected", now) }
	tests := []struct {
		name   string
		first  func(*Command) error
		second func(*Command) error
		want   CommandStatus
	}{
		{"finish", finish, nil, CommandDone},
		{"fail", fail, nil, CommandFailed},
		{"finish then fail", finish, fail, CommandDone},
		{"fail then finish", fail, finish, CommandFailed},
		{"finish twice", finish, finish, CommandDone},
		{"fail twice", fail, fail, CommandFailed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCommand(NewID(now), CommandCheckContacts, []byte(`{}`), now.Add(-time.Minute))
			if err := tt.first(c); err != nil {
				t.Fatalf("first ending: %v", err)
			}
			if tt.second != nil {
				if err := tt.second(c); !errors.Is(err, errCommandEnded) {
					t.Fatalf("second ending = %v, want command_ended", err)
				}
			}
			if c.Status != tt.want || c.DoneAt == nil || !c.DoneAt.Equal(now) {
				t.Fatalf("status %s done_at %v, want %s at %v", c.Status, c.DoneAt, tt.want, now)
			}
		})
	}
}

func TestCommandStaleAndErr(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name     string
		age      time.Duration
		code     string // "" keeps it pending
		stale    bool
		wantKind Kind
	}{
		{"fresh pending", time.Second, "", false, -1},
		{"old pending", 2 * time.Minute, "", true, -1},
		{"old but failed", 3 * time.Minute, CommandNotConnected, false, KindConflict},
		{"refused", time.Second, CommandWhatsAppRefused, false, KindUnprocessable},
		{"other failure", time.Second, "boom", false, KindInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCommand(NewID(now), CommandCheckContacts, nil, now.Add(-tt.age))
			if tt.code != "" {
				if err := c.Fail(tt.code, "why", now); err != nil {
					t.Fatal(err)
				}
			}
			if got := c.Stale(now, 2*time.Minute); got != tt.stale {
				t.Fatalf("Stale = %v, want %v", got, tt.stale)
			}
			err := c.Err()
			if tt.wantKind < 0 {
				if err != nil {
					t.Fatalf("Err = %v, want nil", err)
				}
				return
			}
			if KindOf(err) != tt.wantKind {
				t.Fatalf("Err kind = %v, want %v (%v)", KindOf(err), tt.wantKind, err)
			}
		})
	}
}

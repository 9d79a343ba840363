package domain

import (
	"errors"
	"testing"
	"time"
)

func TestValidateReplay(t *testing.T) {
	t0 := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	t1 := t0.Add(time.Hour)
	id := NewID(t0)
	tests := []struct {
		name                   string
		since, until           *time.Time
		types                  []string
		instance, target, hook string
		wantField              string
	}{
		{"everything, default target", nil, nil, nil, "", "", "", ""},
		{"one instance and webhook", &t0, &t1, nil, id, ReplayToWebhooks, id, ""},
		{"unknown target", nil, nil, nil, "", "fax", "", "target"},
		{"bad instance", nil, nil, nil, "nope", "", "", "instance_id"},
		{"bad webhook", nil, nil, nil, "", "", "nope", "webhook_id"},
		{"webhook with websocket", nil, nil, nil, "", ReplayToWebsocket, id, "webhook_id"},
		{"until before since", &t1, &t0, nil, "", "", "", "until"},
		{"NUL in a type", nil, nil, []string{"message.received", "a\x00"}, "", "", "", "types"},
		{"until equals since", &t0, &t0, nil, "", "", "", "until"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateReplay(tt.since, tt.until, tt.types, tt.instance, tt.target, tt.hook)
			if tt.wantField == "" {
				if err != nil {
					t.Fatalf("err = %v, want none", err)
				}
				return
			}
			var de *Error
			if !errors.As(err, &de) || de.Kind != KindInvalid || de.Fields[tt.wantField] == "" {
				t.Fatalf("err = %v, want invalid %s", err, tt.wantField)
			}
		})
	}
}

func TestReplayAdvance(t *testing.T) {
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	type step struct {
		n    int
		last int64
		full bool
	}
	tests := []struct {
		name       string
		count      int
		upto       int64
		steps      []step
		wantSent   int
		wantCursor int64
		wantStatus ReplayStatus
	}{
		{"empty range is done at once", 0, 0, nil, 0, 0, ReplayDone},
		{"full batch below upto keeps running", 5, 50, []step{{2, 20, true}}, 2, 20, ReplayRunning},
		{"full batch reaching upto ends", 4, 40, []step{{2, 20, true}, {2, 40, true}}, 4, 40, ReplayDone},
		{"short batch ends", 5, 50, []step{{2, 20, true}, {1, 30, false}}, 3, 30, ReplayDone},
		{"empty batch ends, cursor kept", 5, 50, []step{{2, 20, true}, {0, 0, false}}, 2, 20, ReplayDone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReplay(NewID(now), nil, nil, nil, "", "", "", "test", tt.count, false, tt.upto, now)
			if err != nil {
				t.Fatal(err)
			}
			if r.Target != ReplayToAll || !r.ToWebhooks() || !r.ToWebsocket() {
				t.Fatalf("default target = %q", r.Target)
			}
			for _, s := range tt.steps {
				if err := r.Advance(s.n, s.last, s.full, now); err != nil {
					t.Fatal(err)
				}
			}
			if r.Sent != tt.wantSent || r.Cursor != tt.wantCursor || r.Status != tt.wantStatus {
				t.Fatalf("sent %d cursor %d status %s; want %d %d %s", r.Sent, r.Cursor, r.Status,
					tt.wantSent, tt.wantCursor, tt.wantStatus)
			}
			if (r.Status == ReplayDone) != (r.DoneAt != nil) {
				t.Fatalf("status %s with done_at %v", r.Status, r.DoneAt)
			}
			if r.Status == ReplayDone && r.Advance(1, 99, true, now) != ErrReplayNotRunning {
				t.Fatal("a done replay advanced")
			}
		})
	}
}

package domain

import (
	"errors"
	"testing"
	"time"
)

func TestPauseDeadline(t *testing.T) {
	now := time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		until time.Time
		want  time.Time
	}{
		{"no deadline: one hour", time.Time{}, now.Add(time.Hour)},
		{"deadline in the past: one hour", now.Add(-time.Minute), now.Add(time.Hour)},
		{"deadline now: one hour", now, now.Add(time.Hour)},
		{"WhatsApp's deadline", now.Add(90 * time.Second), now.Add(90 * time.Second)},
		{"a ban's expire, days away", now.Add(48 * time.Hour), now.Add(48 * time.Hour)},
		{"another zone, same instant", now.Add(time.Minute).In(time.FixedZone("BRT", -3*3600)), now.Add(time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := PauseDeadline(tt.until, now)
			if !got.Equal(tt.want) || got.Location() != time.UTC {
				t.Errorf("PauseDeadline = %v, want %v UTC", got, tt.want)
			}
		})
	}
}

func TestNewHealth(t *testing.T) {
	now := time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		state   HealthState
		reason  string
		until   time.Time
		wantErr bool
	}{
		{"pause", HealthPaused, ReasonRateLimited, now.Add(time.Minute), false},
		{"ban", HealthBanned, ReasonTemporaryBan, now.Add(time.Hour), false},
		{"ok is not a pause", HealthOK, ReasonRateLimited, now.Add(time.Minute), true},
		{"unknown state", HealthState("frozen"), ReasonRateLimited, now.Add(time.Minute), true},
		{"pause without reason", HealthPaused, "", now.Add(time.Minute), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := NewHealth(tt.state, tt.reason, tt.until, now)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if h.State() != tt.state || h.Reason() != tt.reason || h.Until() == nil || !h.Until().Equal(tt.until) {
				t.Errorf("health = %v %q %v", h.State(), h.Reason(), h.Until())
			}
			if !h.Paused(now) || h.Paused(tt.until) || !h.Expired(tt.until) {
				t.Errorf("paused at now %v, at until %v; expired at until %v", h.Paused(now), h.Paused(tt.until), h.Expired(tt.until))
			}
		})
	}
}

func TestLoadHealth(t *testing.T) {
	until := time.Date(2026, 5, 1, 15, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		state     string
		reason    string
		until     *time.Time
		wantState HealthState
		wantUntil bool
	}{
		{"ok", "ok", "", nil, HealthOK, false},
		{"ok after resume keeps why", "ok", ReasonResumed, nil, HealthOK, false},
		{"ok drops a stray until", "ok", "", &until, HealthOK, false},
		{"paused", "paused", ReasonRateLimited, &until, HealthPaused, true},
		{"banned", "banned", ReasonTemporaryBan, &until, HealthBanned, true},
		{"paused without until reads ok", "paused", ReasonRateLimited, nil, HealthOK, false},
		{"unknown state reads ok", "frozen", "", &until, HealthOK, false},
		{"empty state reads ok", "", "", nil, HealthOK, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := LoadHealth(tt.state, tt.reason, tt.until)
			if h.State() != tt.wantState || (h.Until() != nil) != tt.wantUntil {
				t.Errorf("LoadHealth = %v until %v", h.State(), h.Until())
			}
		})
	}
}

func TestInstancePauseResume(t *testing.T) {
	now := time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC)
	pause := func(min int) Health {
		h, _ := NewHealth(HealthPaused, ReasonRateLimited, now.Add(time.Duration(min)*time.Minute), now)
		return h
	}
	ban := func(min int) Health {
		h, _ := NewHealth(HealthBanned, ReasonTemporaryBan, now.Add(time.Duration(min)*time.Minute), now)
		return h
	}
	tests := []struct {
		name        string
		cur         Health
		warn        Health
		wantChanged bool
		wantState   HealthState
		wantUntil   time.Time
	}{
		{"ok pauses", Health{}, pause(10), true, HealthPaused, now.Add(10 * time.Minute)},
		{"a later deadline extends", pause(10), pause(20), true, HealthPaused, now.Add(20 * time.Minute)},
		{"an earlier deadline does not shorten", pause(20), pause(10), false, HealthPaused, now.Add(20 * time.Minute)},
		{"the same warning again changes nothing", pause(10), pause(10), false, HealthPaused, now.Add(10 * time.Minute)},
		{"a ban outranks a pause, keeping the later deadline", pause(30), ban(10), true, HealthBanned, now.Add(30 * time.Minute)},
		{"a pause during a ban keeps the ban", ban(30), pause(60), true, HealthBanned, now.Add(60 * time.Minute)},
		{"an expired pause is replaced", LoadHealth("paused", ReasonRateLimited, timeRef(now.Add(-time.Minute))), pause(5), true, HealthPaused, now.Add(5 * time.Minute)},
		{"ok is not a warning", pause(10), HealthOKBecause(""), false, HealthPaused, now.Add(10 * time.Minute)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &Instance{Health: tt.cur}
			changed := in.Pause(tt.warn, now)
			if changed != tt.wantChanged || in.Health.State() != tt.wantState || !in.Health.Until().Equal(tt.wantUntil) {
				t.Errorf("Pause: changed %v, %v until %v", changed, in.Health.State(), in.Health.Until())
			}
			if changed && !in.UpdatedAt.Equal(now) {
				t.Errorf("UpdatedAt = %v, want %v", in.UpdatedAt, now)
			}
		})
	}
}

func TestInstanceResumeAndEnd(t *testing.T) {
	now := time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC)
	paused, _ := NewHealth(HealthPaused, ReasonRateLimited, now.Add(time.Minute), now)
	banned, _ := NewHealth(HealthBanned, ReasonTemporaryBan, now.Add(time.Minute), now)
	tests := []struct {
		name       string
		cur        Health
		at         time.Time
		wantResume error
		wantEnd    bool
	}{
		{"ok cannot resume", Health{}, now, ErrNotPaused, false},
		{"pause in force resumes, does not end", paused, now, nil, false},
		{"ban in force resumes, does not end", banned, now, nil, false},
		{"pause at its deadline ends", paused, now.Add(time.Minute), nil, true},
		{"ban past its deadline ends", banned, now.Add(time.Hour), nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &Instance{Health: tt.cur}
			if err := in.Resume(tt.at); !errors.Is(err, tt.wantResume) {
				t.Errorf("Resume = %v, want %v", err, tt.wantResume)
			}
			if in.Health.State() != HealthOK || in.Health.Until() != nil {
				t.Errorf("after Resume: %v until %v", in.Health.State(), in.Health.Until())
			}
			in = &Instance{Health: tt.cur}
			if got := in.EndPause(tt.at); got != tt.wantEnd {
				t.Errorf("EndPause = %v, want %v", got, tt.wantEnd)
			}
			if tt.wantEnd && (in.Health.State() != HealthOK || in.Health.Reason() != ReasonExpired) {
				t.Errorf("after EndPause: %v %q", in.Health.State(), in.Health.Reason())
			}
		})
	}
}

func timeRef(t time.Time) *time.Time { return &t }

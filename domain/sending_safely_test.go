package domain

import (
	"maps"
	"slices"
	"testing"
	"time"
)

func TestNewContactWindow(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		at   time.Time
		want bool
	}{
		{"just now", now, true},
		{"23h59 ago", now.Add(-23*time.Hour - 59*time.Minute), true},
		{"exactly 24h ago", now.Add(-24 * time.Hour), false},
		{"24h01 ago", now.Add(-24*time.Hour - time.Minute), false},
		{"in the future (another clock)", now.Add(time.Minute), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := InNewContactWindow(tt.at, now); got != tt.want {
				t.Errorf("InNewContactWindow(%v) = %v, want %v", tt.at, got, tt.want)
			}
		})
	}
}

func TestWarmup(t *testing.T) {
	linked := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	day := 24 * time.Hour
	tests := []struct {
		name       string
		linkedAt   *time.Time
		days       int
		at         time.Time
		limit      int
		wantFactor float64
		wantLimit  int
	}{
		{"day 0 is 20%", &linked, 7, linked, 50, 0.2, 10},
		{"halfway is 60%", &linked, 10, linked.Add(5 * day), 50, 0.6, 30},
		{"end is 100%", &linked, 7, linked.Add(7 * day), 50, 1, 50},
		{"after the end is 100%", &linked, 7, linked.Add(30 * day), 50, 1, 50},
		{"warm-up 0 is 100%", &linked, 0, linked, 50, 1, 50},
		{"never linked is 100%", nil, 7, linked, 50, 1, 50},
		{"unlimited stays unlimited", &linked, 7, linked, 0, 0.2, 0},
		{"cap 10 on day 0 is 2", &linked, 7, linked, 10, 0.2, 2},
		{"never below 1", &linked, 7, linked, 1, 0.2, 1},
		{"cap 2 on day 0 rounds to 1, not 0", &linked, 7, linked, 2, 0.2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := WarmupFactor(tt.linkedAt, tt.days, tt.at)
			if d := f - tt.wantFactor; d > 1e-9 || d < -1e-9 {
				t.Errorf("WarmupFactor = %v, want %v", f, tt.wantFactor)
			}
			if got := Warmed(tt.limit, f); got != tt.wantLimit {
				t.Errorf("Warmed(%d, %v) = %d, want %d", tt.limit, f, got, tt.wantLimit)
			}
		})
	}
}

func TestInstanceLimitsAt(t *testing.T) {
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	rate := 30
	in := Instance{NewContactsPerDay: 10}
	in.Linked(false, 7, now)
	if got := in.LimitsAt(now, 20); got != (SendLimits{RatePerMinute: 4, NewContactsPerDay: 2}) {
		t.Errorf("new phone, default rate: %+v", got)
	}
	in.SendRatePerMinute = &rate
	if got := in.LimitsAt(now, 20); got.RatePerMinute != 6 {
		t.Errorf("own rate warmed: %+v", got)
	}
	in.Linked(true, 7, now)
	if got := in.LimitsAt(now, 20); got != (SendLimits{RatePerMinute: 30, NewContactsPerDay: 10}) || in.WarmupDays != 0 {
		t.Errorf("phone seen before: %+v, warmup %d", got, in.WarmupDays)
	}
}

func TestAdmitSendsKeepsPerChatOrder(t *testing.T) {
	known := func(id, chat string) SendCandidate { return SendCandidate{ID: id, Chat: chat, Known: true} }
	unknown := func(id, chat string) SendCandidate { return SendCandidate{ID: id, Chat: chat} }
	tests := []struct {
		name      string
		cands     []SendCandidate
		heldChats map[string]bool
		room      int
		wantHeld  []string
	}{
		{"cap 1: A1 B1 A2 C1 B2", []SendCandidate{unknown("A1", "a"), unknown("B1", "b"), unknown("A2", "a"), unknown("C1", "c"), unknown("B2", "b")},
			nil, 1, []string{"B1", "B2", "C1"}},
		{"known people never wait", []SendCandidate{unknown("A1", "a"), known("K1", "k"), unknown("B1", "b"), known("K2", "k")},
			nil, 0, []string{"A1", "B1"}},
		{"groups never wait", []SendCandidate{{ID: "G1", Chat: "g@g.us", Group: true}}, nil, 0, nil},
		{"behind a chat already waiting, even when room is left", []SendCandidate{unknown("B3", "b"), unknown("C1", "c")},
			map[string]bool{"b": true}, 5, []string{"B3"}},
		{"no cap: nothing waits but what is behind a waiting chat", []SendCandidate{unknown("A1", "a"), unknown("B1", "b")},
			map[string]bool{"b": true}, -1, []string{"B1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := slices.Sorted(maps.Keys(AdmitSends(tt.cands, tt.heldChats, tt.room)))
			if !slices.Equal(got, tt.wantHeld) {
				t.Errorf("held %v, want %v", got, tt.wantHeld)
			}
		})
	}
}

func TestReleaseChats(t *testing.T) {
	chats := []HeldChat{{Chat: "b"}, {Chat: "k", Known: true}, {Chat: "c"}}
	tests := []struct {
		name string
		room int
		want []string
	}{
		{"no room: only the known", 0, []string{"k"}},
		{"room 1: the oldest new chat and the known", 1, []string{"b", "k"}},
		{"room enough", 2, []string{"b", "k", "c"}},
		{"no cap", -1, []string{"b", "k", "c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ReleaseChats(chats, tt.room); !slices.Equal(got, tt.want) {
				t.Errorf("ReleaseChats = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRoom(t *testing.T) {
	for _, tt := range []struct{ cap, used, want int }{{0, 10, -1}, {5, 2, 3}, {5, 5, 0}, {5, 9, 0}} {
		if got := Room(tt.cap, tt.used); got != tt.want {
			t.Errorf("Room(%d, %d) = %d, want %d", tt.cap, tt.used, got, tt.want)
		}
	}
}

func TestSendingSettingsValidate(t *testing.T) {
	var in Instance
	for _, tt := range []struct {
		set     func(int) error
		n       int
		wantErr bool
	}{{in.SetNewContactsPerDay, -1, true}, {in.SetNewContactsPerDay, 0, false}, {in.SetNewContactsPerDay, 100001, true},
		{in.SetWarmupDays, -1, true}, {in.SetWarmupDays, 7, false}, {in.SetWarmupDays, 366, true}} {
		if err := tt.set(tt.n); (err != nil) != tt.wantErr {
			t.Errorf("set(%d) err = %v, want error %v", tt.n, err, tt.wantErr)
		}
	}
}

package whatsapp

import (
	"context"
	"testing"
	"time"

	"go.mau.fi/util/jsontime"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

func TestHealthWarning(t *testing.T) {
	now := time.Date(2026, 5, 1, 14, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		evt    any
		ok     bool
		state  domain.HealthState
		reason string
		until  time.Time // zero: none given
	}{
		{"temporary ban with expire", &events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: 2 * time.Hour},
			true, domain.HealthBanned, domain.ReasonTemporaryBan, now.Add(2 * time.Hour)},
		{"temporary ban without expire", &events.TemporaryBan{Code: events.TempBanBlockedByUsers},
			true, domain.HealthBanned, domain.ReasonTemporaryBan, time.Time{}},
		{"active reach-out time lock", &events.NotifyAccountReachoutTimelock{IsActive: true, EnforcementType: "x",
			TimeEnforcementEnds: jsontime.UnixString{Time: now.Add(36 * time.Hour)}},
			true, domain.HealthPaused, domain.ReasonReachoutTimelock, now.Add(36 * time.Hour)},
		{"active time lock without end", &events.NotifyAccountReachoutTimelock{IsActive: true},
			true, domain.HealthPaused, domain.ReasonReachoutTimelock, time.Time{}},
		{"lifted time lock", &events.NotifyAccountReachoutTimelock{IsActive: false, TimeEnforcementEnds: jsontime.UnixString{Time: now}},
			false, "", "", time.Time{}},
		{"a disconnect is no warning", &events.Disconnected{}, false, "", "", time.Time{}},
		{"a connect failure is no warning", &events.ConnectFailure{Reason: events.ConnectFailureServiceUnavailable}, false, "", "", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rl, ok := HealthWarning(tt.evt, now)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if !ok {
				return
			}
			if rl.State != tt.state || rl.Reason != tt.reason || !rl.Until.Equal(tt.until) {
				t.Errorf("warning = %+v, want %s %s until %v", rl, tt.state, tt.reason, tt.until)
			}
			// What the pause will be: WhatsApp's deadline, or the default.
			h, err := domain.NewHealth(rl.State, rl.Reason, rl.Until, now)
			if err != nil {
				t.Fatal(err)
			}
			want := tt.until
			if want.IsZero() {
				want = now.Add(domain.DefaultPause)
			}
			if !h.Until().Equal(want) {
				t.Errorf("pause until %v, want %v", h.Until(), want)
			}
		})
	}
}

type fakeHealth struct{ got []app.RateLimit }

func (f *fakeHealth) PauseInstance(_ context.Context, _ string, rl app.RateLimit) (domain.Health, error) {
	f.got = append(f.got, rl)
	return domain.Health{}, nil
}

// TestTemporaryBanPausesAndDisconnects: the translator records the ban as
// a pause before the status, and a time lock as a pause alone.
func TestTemporaryBanPausesAndDisconnects(t *testing.T) {
	sink := &fakeSink{}
	tr := newTranslator(sink)
	health := &fakeHealth{}
	tr.Health = health
	ctx := context.Background()
	if err := tr.Handle(ctx, &events.TemporaryBan{Code: events.TempBanSentToTooManyPeople, Expire: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if err := tr.Handle(ctx, &events.NotifyAccountReachoutTimelock{IsActive: true}); err != nil {
		t.Fatal(err)
	}
	if len(health.got) != 2 || health.got[0].State != domain.HealthBanned || health.got[1].Reason != domain.ReasonReachoutTimelock {
		t.Fatalf("pauses = %+v", health.got)
	}
	if len(sink.statuses) != 1 || sink.statuses[0].s != domain.InstanceDisconnected {
		t.Fatalf("statuses = %+v", sink.statuses)
	}
}

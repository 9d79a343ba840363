package whatsapp

import (
	"context"
	"time"

	"go.mau.fi/whatsmeow/types/events"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// HealthSink records WhatsApp's warnings as a pause of the instance.
type HealthSink interface {
	PauseInstance(ctx context.Context, instanceID string, rl app.RateLimit) (domain.Health, error)
}

// HealthWarning reads the events in which WhatsApp warns a number:
// whatsmeow's TemporaryBan (a connect refused for Expire; whatsmeow does
// not reconnect by itself) and an active NotifyAccountReachoutTimelock
// (new chats refused until TimeEnforcementEnds). A warning without a
// deadline gets the default pause (domain.PauseDeadline). A lifted time
// lock (IsActive false) is not read: it never shortens a pause.
func HealthWarning(evt any, now time.Time) (app.RateLimit, bool) {
	switch e := evt.(type) {
	case *events.TemporaryBan:
		rl := app.RateLimit{State: domain.HealthBanned, Reason: domain.ReasonTemporaryBan}
		if e.Expire > 0 {
			rl.Until = now.Add(e.Expire).UTC()
		}
		return rl, true
	case *events.NotifyAccountReachoutTimelock:
		if !e.IsActive {
			return app.RateLimit{}, false
		}
		rl := app.RateLimit{State: domain.HealthPaused, Reason: domain.ReasonReachoutTimelock}
		if !e.TimeEnforcementEnds.IsZero() {
			rl.Until = e.TimeEnforcementEnds.UTC()
		}
		return rl, true
	}
	return app.RateLimit{}, false
}

// health records a warning; with no HealthSink it is only logged.
func (t *Translator) health(ctx context.Context, evt any) error {
	rl, ok := HealthWarning(evt, time.Now())
	if !ok {
		return nil
	}
	if t.Health == nil {
		if t.Log == nil {
			return nil
		}
		t.Log.Warn("WhatsApp warned; no health sink", "instance", t.InstanceID, "reason", rl.Reason)
		return nil
	}
	_, err := t.Health.PauseInstance(ctx, t.InstanceID, rl)
	return err
}

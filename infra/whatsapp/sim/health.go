package sim

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// HealthSink hears of the sim's temporary bans, as the app hears of
// whatsmeow's TemporaryBan events; a sink without it hears nothing.
type HealthSink interface {
	PauseInstance(ctx context.Context, instanceID string, rl app.RateLimit) (domain.Health, error)
}

// maxBanSeconds bounds a sim ban (a day).
const maxBanSeconds = 86400

// rateLimited answers a send as WhatsApp's error 463 does and clears the
// fault: one send is refused, so a test sees exactly one pause. A send
// that lost the race to clear it is an ordinary transient failure.
func (n *Network) rateLimited(ctx context.Context, instanceID string) error {
	res, err := n.db.ExecContext(ctx, `UPDATE sim_sessions SET send_error = 'none', updated_at = now()
		WHERE instance_id = $1 AND send_error = $2`, instanceID, FaultRateLimited)
	if err != nil {
		return fmt.Errorf("sim send: %w", err)
	}
	if k, _ := res.RowsAffected(); k == 0 {
		return errors.New("sim: transient send failure")
	}
	return &app.RateLimit{State: domain.HealthPaused, Reason: domain.ReasonRateLimited,
		Err: errors.New("sim: server returned error 463")}
}

// ban bans the instance's number for seconds: sends are refused, the
// session drops and connecting again is refused until the ban ends; the
// app hears of it as of whatsmeow's TemporaryBan.
func (n *Network) ban(ctx context.Context, instanceID string, seconds int) error {
	var until time.Time
	if err := n.db.GetContext(ctx, &until, `INSERT INTO sim_sessions (instance_id, banned_until) VALUES ($1, now() + $2 * interval '1 second')
		ON CONFLICT (instance_id) DO UPDATE SET banned_until = EXCLUDED.banned_until, updated_at = now()
		RETURNING banned_until`, instanceID, seconds); err != nil {
		return fmt.Errorf("sim ban: %w", err)
	}
	n.mu.Lock()
	if t, ok := n.reconnects[instanceID]; ok {
		t.Stop()
		delete(n.reconnects, instanceID)
	}
	n.mu.Unlock()
	return n.announceBan(ctx, instanceID, until)
}

// announceBan tells the app of a ban in force and drops the session.
func (n *Network) announceBan(ctx context.Context, instanceID string, until time.Time) error {
	if hs, ok := n.sink.(HealthSink); ok {
		rl := app.RateLimit{State: domain.HealthBanned, Reason: domain.ReasonTemporaryBan, Until: until.UTC()}
		if _, err := hs.PauseInstance(ctx, instanceID, rl); err != nil {
			return err
		}
	}
	return n.sink.SetInstanceStatus(ctx, instanceID, domain.InstanceDisconnected, "",
		"temporarily banned by WhatsApp until "+until.UTC().Format(time.RFC3339))
}

package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// ErrRateLimited marks WhatsApp's warnings (a rate limit, a reach-out
// restriction, a temporary ban): the instance's queue pauses instead of
// retrying. Drivers return a *RateLimit, which matches it.
var ErrRateLimited = errors.New("rate limited by WhatsApp")

// RateLimit is a driver's reading of a warning from WhatsApp.
type RateLimit struct {
	State  domain.HealthState // paused or banned
	Reason string             // domain.ReasonRateLimited, …
	Until  time.Time          // zero: WhatsApp gave no deadline
	Err    error              // what the driver saw, for logs
}

func (e *RateLimit) Error() string {
	s := fmt.Sprintf("%s (%s", ErrRateLimited, e.Reason)
	if !e.Until.IsZero() {
		s += " until " + e.Until.UTC().Format(time.RFC3339)
	}
	s += ")"
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap lets errors.Is find ErrRateLimited and the driver's cause.
func (e *RateLimit) Unwrap() []error { return []error{ErrRateLimited, e.Err} }

// PauseInstance records a warning from WhatsApp: the instance's health
// becomes paused or banned until the deadline (1 h when WhatsApp gave
// none), with an instance.health event in the same transaction. It returns
// the health now in force, which may be a graver or longer one already
// recorded.
func (a *App) PauseInstance(ctx context.Context, instanceID string, rl RateLimit) (domain.Health, error) {
	now := a.now()
	h, err := domain.NewHealth(rl.State, rl.Reason, rl.Until, now)
	if err != nil {
		return domain.Health{}, err
	}
	var out domain.Health
	err = a.store.InTx(ctx, func(tx Tx) error {
		in, err := tx.LockInstance(ctx, instanceID)
		if err != nil {
			return err
		}
		changed := in.Pause(h, now)
		out = in.Health
		if !changed {
			return nil
		}
		return saveHealth(ctx, tx, in, now)
	})
	if err != nil {
		return domain.Health{}, fmt.Errorf("pause instance %s: %w", instanceID, err)
	}
	return out, nil
}

// EndPause returns the instance's health to ok once its deadline passed
// (the bot holding the instance asks); it reports whether it did.
func (a *App) EndPause(ctx context.Context, instanceID string) (bool, error) {
	now := a.now()
	var ended bool
	err := a.store.InTx(ctx, func(tx Tx) error {
		in, err := tx.LockInstance(ctx, instanceID)
		if err != nil {
			return err
		}
		if ended = in.EndPause(now); !ended {
			return nil
		}
		return saveHealth(ctx, tx, in, now)
	})
	if err != nil {
		return false, fmt.Errorf("end pause of %s: %w", instanceID, err)
	}
	return ended, nil
}

func saveHealth(ctx context.Context, tx Tx, in *domain.Instance, now time.Time) error {
	if err := tx.SaveInstanceHealth(ctx, in); err != nil {
		return err
	}
	return tx.Publish(ctx, instanceHealthEvent(in, now))
}

func instanceHealthEvent(in *domain.Instance, now time.Time) events.Envelope {
	h := in.Health
	return newEvent(events.InstanceHealth, in.ID, now, events.InstanceHealthChanged{
		State: string(h.State()), Reason: h.Reason(), Until: h.Until(),
	})
}

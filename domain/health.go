package domain

import (
	"fmt"
	"time"
)

// HealthState is how WhatsApp is treating a number right now.
type HealthState string

const (
	// HealthOK: sends go at the instance's pace.
	HealthOK HealthState = "ok"
	// HealthPaused: WhatsApp warned (a rate limit, a reach-out
	// restriction); the queue waits until the deadline.
	HealthPaused HealthState = "paused"
	// HealthBanned: WhatsApp banned the number for a while; the session is
	// down until the deadline.
	HealthBanned HealthState = "banned"
)

// Reasons WhatsApp gives (or zapgate reads) for a pause or a ban.
const (
	ReasonRateLimited      = "rate_limited"
	ReasonReachoutTimelock = "reachout_timelock"
	ReasonTemporaryBan     = "temporary_ban"
	// ReasonResumed and ReasonExpired say why a pause ended.
	ReasonResumed = "resumed"
	ReasonExpired = "expired"
)

// DefaultPause is how long a warning without a deadline pauses the queue.
const DefaultPause = time.Hour

// Health is an instance's standing with WhatsApp. The zero value is ok. A
// paused or banned health always has a deadline; an ok one never does.
type Health struct {
	state  HealthState
	reason string
	until  time.Time
}

// HealthOKBecause is the ok health, with why it is ok again ("" when it
// always was).
func HealthOKBecause(reason string) Health {
	return Health{state: HealthOK, reason: reason}
}

// NewHealth builds a paused or banned health: reason is required, and an
// until that is zero or not after now becomes now+DefaultPause (WhatsApp
// gave no usable deadline).
func NewHealth(state HealthState, reason string, until, now time.Time) (Health, error) {
	if state != HealthPaused && state != HealthBanned {
		return Health{}, fmt.Errorf("new health: %q is not a pause", state)
	}
	if reason == "" {
		return Health{}, fmt.Errorf("new health: a %s health needs a reason", state)
	}
	return Health{state: state, reason: reason, until: PauseDeadline(until, now)}, nil
}

// PauseDeadline is when a pause announced at now ends: WhatsApp's until,
// or now+DefaultPause when it gave none or one already past.
func PauseDeadline(until, now time.Time) time.Time {
	if until.IsZero() || !until.After(now) {
		return now.Add(DefaultPause).UTC()
	}
	return until.UTC()
}

// LoadHealth rebuilds a stored health; a stored row that breaks the rules
// (a pause without deadline, an unknown state) reads as ok, so a bad row
// never stops a queue for good.
func LoadHealth(state, reason string, until *time.Time) Health {
	switch s := HealthState(state); s {
	case HealthPaused, HealthBanned:
		if until == nil || until.IsZero() {
			return HealthOKBecause("")
		}
		return Health{state: s, reason: reason, until: until.UTC()}
	}
	return HealthOKBecause(reason)
}

func (h Health) State() HealthState {
	if h.state == "" {
		return HealthOK
	}
	return h.state
}

func (h Health) Reason() string { return h.reason }

// Until is the deadline of a pause or ban; nil when ok.
func (h Health) Until() *time.Time {
	if h.State() == HealthOK {
		return nil
	}
	u := h.until
	return &u
}

// Paused tells whether sends must wait at now: a pause or ban whose
// deadline has not passed.
func (h Health) Paused(now time.Time) bool {
	return h.State() != HealthOK && now.Before(h.until)
}

// Expired tells whether a pause or ban is recorded whose deadline passed.
func (h Health) Expired(now time.Time) bool {
	return h.State() != HealthOK && !now.Before(h.until)
}

// Pause records a warning from WhatsApp. A warning never shortens a pause
// in force: the later deadline wins, and so does a ban over a pause (the
// reason is the newest of the graver state). It reports whether the health
// changed.
func (i *Instance) Pause(h Health, now time.Time) bool {
	if h.State() == HealthOK {
		return false
	}
	if cur := i.Health; cur.Paused(now) {
		if cur.until.After(h.until) {
			h.until = cur.until
		}
		if cur.State() == HealthBanned && h.State() == HealthPaused {
			h.state, h.reason = HealthBanned, cur.reason
		}
	}
	if h == i.Health {
		return false
	}
	i.Health = h
	i.UpdatedAt = now
	return true
}

// ErrNotPaused answers a resume of an instance whose health is ok.
var ErrNotPaused = Conflict("not_paused", "the instance is not paused")

// Resume lifts a pause or ban early, on a person's word.
func (i *Instance) Resume(now time.Time) error {
	if i.Health.State() == HealthOK {
		return ErrNotPaused
	}
	i.Health = HealthOKBecause(ReasonResumed)
	i.UpdatedAt = now
	return nil
}

// EndPause returns the health to ok once the deadline passed; it reports
// whether it did.
func (i *Instance) EndPause(now time.Time) bool {
	if !i.Health.Expired(now) {
		return false
	}
	i.Health = HealthOKBecause(ReasonExpired)
	i.UpdatedAt = now
	return true
}

// ChecksPerMinute is how many numbers one instance may check on WhatsApp
// in a minute.
const ChecksPerMinute = 60

// TooManyChecks refuses a contacts/check over the per-minute budget.
func TooManyChecks(retryAfter time.Duration) *Error {
	return RateLimited("rate_limited",
		fmt.Sprintf("this instance may check at most %d numbers a minute; retry later", ChecksPerMinute), retryAfter)
}

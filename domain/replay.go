package domain

import (
	"errors"
	"time"
)

// ReplayStatus is where a replay stands.
type ReplayStatus string

// Replay statuses. A replay has no failed state: every batch is one
// transaction, so an error leaves it where it was, to be retried.
const (
	ReplayRunning ReplayStatus = "running"
	ReplayDone    ReplayStatus = "done"
)

// Replay targets.
const (
	ReplayToWebhooks  = "webhooks"
	ReplayToWebsocket = "websocket"
	ReplayToAll       = "all"
)

// Replay sends a filtered range of the event log again, in batches. The
// range is fixed when it is asked for: Count events, the last of them at
// log position Upto; Cursor is the position of the last event sent.
type Replay struct {
	ID         string
	Since      *time.Time
	Until      *time.Time
	Types      []string
	InstanceID string
	Target     string
	WebhookID  string
	Actor      string // who asked, for the audit log
	Count      int
	Truncated  bool // more events matched than were counted
	Upto       int64
	Cursor     int64
	Sent       int
	Status     ReplayStatus
	CreatedAt  time.Time
	UpdatedAt  time.Time
	DoneAt     *time.Time
}

// NewReplay validates a replay request; count and upto describe the range
// found at request time. An empty range is done at once.
func NewReplay(id string, since, until *time.Time, types []string, instanceID, target, webhookID, actor string,
	count int, truncated bool, upto int64, now time.Time) (*Replay, error) {
	if err := ValidateReplay(since, until, types, instanceID, target, webhookID); err != nil {
		return nil, err
	}
	if target == "" {
		target = ReplayToAll
	}
	r := &Replay{ID: id, Since: since, Until: until, Types: types, InstanceID: instanceID, Target: target,
		WebhookID: webhookID, Actor: actor, Count: count, Truncated: truncated, Upto: upto,
		Status: ReplayRunning, CreatedAt: now, UpdatedAt: now}
	if count == 0 {
		r.finish(now)
	}
	return r, nil
}

// ValidateReplay checks a replay's filter and target (empty target: all).
func ValidateReplay(since, until *time.Time, types []string, instanceID, target, webhookID string) error {
	fields := map[string]string{}
	switch target {
	case "", ReplayToWebhooks, ReplayToWebsocket, ReplayToAll:
	default:
		fields["target"] = "must be webhooks, websocket or all"
	}
	if instanceID != "" && !ValidID(instanceID) {
		fields["instance_id"] = "must be an instance id"
	}
	if webhookID != "" && (!ValidID(webhookID) || target == ReplayToWebsocket) {
		fields["webhook_id"] = "must be a webhook id, with target webhooks or all"
	}
	for _, t := range types {
		if p := TextProblem(t); p != "" {
			fields["types"] = p
		}
	}
	if since != nil && until != nil && !until.After(*since) {
		fields["until"] = "must be after since"
	}
	if len(fields) > 0 {
		return Invalid(fields)
	}
	return nil
}

// ToWebhooks and ToWebsocket tell where the events go.
func (r *Replay) ToWebhooks() bool  { return r.Target != ReplayToWebsocket }
func (r *Replay) ToWebsocket() bool { return r.Target != ReplayToWebhooks }

// ErrReplayNotRunning is returned when a finished replay is advanced.
var ErrReplayNotRunning = errors.New("replay is not running")

// Advance records a batch of n events sent, the last at position last;
// full tells whether the batch was as large as asked, so a short one ends
// the replay.
func (r *Replay) Advance(n int, last int64, full bool, now time.Time) error {
	if r.Status != ReplayRunning {
		return ErrReplayNotRunning
	}
	if n > 0 {
		r.Sent += n
		r.Cursor = last
	}
	r.UpdatedAt = now
	if !full || r.Cursor >= r.Upto {
		r.finish(now)
	}
	return nil
}

func (r *Replay) finish(now time.Time) {
	r.Status = ReplayDone
	r.DoneAt = &now
	r.UpdatedAt = now
}

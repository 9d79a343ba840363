package messaging

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// Account health in the bot: WhatsApp's warnings pause an instance's queue.
//
// Each instance has a gate that its consumer passes before every send. A
// send that comes back app.ErrRateLimited records the pause in Postgres
// (with its instance.health event) and closes the gate until the deadline;
// the message stays queued and its command unacknowledged, and is sent
// again once the gate opens (the usual check before a resend keeps it to
// one WhatsApp message). Every reconcile sets the gates from the instances
// read, so a pause recorded, or lifted (resume), by any process reaches the
// consumer wherever it runs; the stamp changes with every health change,
// so that is one tick away.

// maxHold bounds how long a consumer holds its unacknowledged commands
// while paused: RabbitMQ closes a channel whose delivery goes unacknowledged
// for consumer_timeout (30 min by default). Past it the consumer hands its
// commands back and stops; the reconcile starts it again, and it waits
// again at the gate.
const maxHold = 20 * time.Minute

// healthGate is one instance's pause as this process knows it.
type healthGate struct {
	mu      sync.Mutex
	until   time.Time     // zero or past: open
	localAt time.Time     // when this process last paused it itself
	changed chan struct{} // closed and replaced on every change
}

func newHealthGate() *healthGate { return &healthGate{changed: make(chan struct{})} }

// set takes the health read from Postgres at readAt; a read older than a
// pause this process recorded itself is ignored (it may predate it).
func (g *healthGate) set(h domain.Health, readAt time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if readAt.Before(g.localAt) {
		return
	}
	var until time.Time
	if u := h.Until(); u != nil {
		until = *u
	}
	if until.Equal(g.until) {
		return
	}
	g.until = until
	close(g.changed)
	g.changed = make(chan struct{})
}

// pause closes the gate until h's deadline, as this process recorded at.
func (g *healthGate) pause(h domain.Health, at time.Time) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.localAt = at
	if u := h.Until(); u != nil && u.After(g.until) {
		g.until = *u
		close(g.changed)
		g.changed = make(chan struct{})
	}
}

// state is what a gate tells its waiter at now: open, or wait until
// deadline or the next change.
func (g *healthGate) state(now time.Time) (open bool, deadline time.Time, changed <-chan struct{}) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !now.Before(g.until) {
		return true, time.Time{}, nil
	}
	return false, g.until, g.changed
}

// wait blocks until the gate is open. It reports whether it waited through
// a pause (paused), and false in ok when ctx ended or hold passed first.
func (g *healthGate) wait(ctx context.Context, hold time.Duration) (paused, ok bool) {
	var giveUp <-chan time.Time
	for {
		open, deadline, changed := g.state(time.Now())
		if open {
			return paused, true
		}
		paused = true
		if giveUp == nil {
			t := time.NewTimer(hold)
			defer t.Stop()
			giveUp = t.C
		}
		t := time.NewTimer(time.Until(deadline))
		var done bool
		select {
		case <-ctx.Done():
			done = true
		case <-giveUp:
			done = true
		case <-changed:
		case <-t.C:
		}
		t.Stop()
		if done {
			return paused, false
		}
	}
}

// healthGates are the gates of the instances this process knows.
type healthGates struct {
	mu sync.Mutex
	m  map[string]*healthGate
}

func (gs *healthGates) get(id string) *healthGate {
	gs.mu.Lock()
	defer gs.mu.Unlock()
	if gs.m == nil {
		gs.m = map[string]*healthGate{}
	}
	g, ok := gs.m[id]
	if !ok {
		g = newHealthGate()
		gs.m[id] = g
	}
	return g
}

// setAll sets the gates from instances read at readAt and forgets the
// gates of instances that are gone.
func (gs *healthGates) setAll(instances []domain.Instance, readAt time.Time) {
	seen := make(map[string]bool, len(instances))
	for i := range instances {
		seen[instances[i].ID] = true
		gs.get(instances[i].ID).set(instances[i].Health, readAt)
	}
	gs.mu.Lock()
	defer gs.mu.Unlock()
	for id := range gs.m {
		if !seen[id] {
			delete(gs.m, id)
		}
	}
}

// awaitHealth waits at the instance's gate before a send; false when ctx
// ended or the pause outlasts maxHold. After a pause it records the end
// (whichever process notices first; the others find it ended).
func (b *Bot) awaitHealth(ctx context.Context, instanceID string) bool {
	paused, ok := b.gates.get(instanceID).wait(ctx, maxHold)
	if !ok {
		if ctx.Err() == nil {
			b.log.Info("pause outlasts the hold; handing the queue back", "instance", instanceID)
		}
		return false
	}
	if paused {
		if _, err := b.app.EndPause(ctx, instanceID); err != nil {
			b.log.Warn("record the end of a pause", "instance", instanceID, "err", err)
		}
		b.log.Info("pause over; sending again", "instance", instanceID)
	}
	return true
}

// pauseOn reads a failed send: WhatsApp's warning pauses the instance
// (recorded with its instance.health event) and closes its gate, and it
// reports true; any other error is not its business.
func (b *Bot) pauseOn(ctx context.Context, instanceID string, err error) bool {
	var rl *app.RateLimit
	if !errors.As(err, &rl) {
		return false
	}
	h, perr := b.app.PauseInstance(ctx, instanceID, *rl)
	// Taken after the commit: a reconcile that read before it is older.
	at := time.Now()
	if perr != nil {
		// Unrecorded, the pause still holds here: WhatsApp said so.
		b.log.Warn("record a pause", "instance", instanceID, "err", perr)
		if h, perr = domain.NewHealth(rl.State, rl.Reason, rl.Until, at); perr != nil {
			return false
		}
	}
	b.gates.get(instanceID).pause(h, at)
	b.log.Warn("WhatsApp warned; instance paused", "instance", instanceID, "state", h.State(), "reason", h.Reason(), "until", h.Until(), "err", err)
	return true
}

// healthActionKind is one step the bot takes for an instance's health.
type healthActionKind int

const (
	// actEndPause: the deadline passed; record health ok.
	actEndPause healthActionKind = iota + 1
	// actReconnect: a ban ended (or was lifted) on a session this process
	// started; WhatsApp dropped it and whatsmeow does not come back by
	// itself after a ban, so connect again (once, not while banned).
	actReconnect
)

type healthAction struct {
	kind       healthActionKind
	instanceID string
}

// planHealth decides, with no I/O, what the health of the instances this
// process holds calls for; wasBanned are the instances it last saw banned.
// It returns the steps and the instances banned now.
func planHealth(now time.Time, instances []domain.Instance, held []string, started map[string]time.Time, wasBanned map[string]bool) ([]healthAction, map[string]bool) {
	mine := make(map[string]bool, len(held))
	for _, id := range held {
		mine[id] = true
	}
	var acts []healthAction
	banned := map[string]bool{}
	for _, in := range instances {
		if !mine[in.ID] {
			continue
		}
		h := in.Health
		if h.Expired(now) {
			acts = append(acts, healthAction{kind: actEndPause, instanceID: in.ID})
		}
		if h.State() == domain.HealthBanned {
			banned[in.ID] = true
			continue
		}
		if _, ok := started[in.ID]; ok && wasBanned[in.ID] && in.Status != domain.InstanceLoggedOut {
			acts = append(acts, healthAction{kind: actReconnect, instanceID: in.ID})
		}
	}
	return acts, banned
}

// reconcileHealth does what planHealth decides; the gates were set from
// the same read before any consumer started.
func (b *Bot) reconcileHealth(ctx context.Context, instances []domain.Instance, held []string) {
	acts, banned := planHealth(time.Now(), instances, held, b.started, b.banned)
	b.banned = banned
	for _, a := range acts {
		switch a.kind {
		case actEndPause:
			if _, err := b.app.EndPause(ctx, a.instanceID); err != nil {
				b.log.Warn("record the end of a pause", "instance", a.instanceID, "err", err)
			}
		case actReconnect:
			b.log.Info("ban over; reconnecting", "instance", a.instanceID)
			b.sessions.Disconnect(a.instanceID)
			b.started[a.instanceID] = time.Now()
			if err := b.sessions.Connect(ctx, a.instanceID); err != nil {
				b.log.Warn("reconnect after a ban", "instance", a.instanceID, "err", err)
			}
		}
	}
}

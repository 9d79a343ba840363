package messaging

import (
	"slices"
	"time"

	"github.com/zapgate/zapgate/domain"
)

// botActionKind is one kind of step in reconciling an instance.
type botActionKind int

const (
	// actHandOver: another process holds the instance now; let go of it
	// without unlinking.
	actHandOver botActionKind = iota + 1
	// actRemove: the instance was deleted; unlink its device, drop its queue.
	actRemove
	// actConnect: start a session (a new instance, or a new QR round).
	actConnect
	// actForgetConsumer: the consumer stopped by itself (a command could
	// not be handled); forget it so the queue is consumed from the start.
	actForgetConsumer
	// actSetRate: the instance's send rate and new-contact cap (warm-up
	// applied), for the consumer running.
	actSetRate
	actStartConsumer
	actStopConsumer
)

// botAction is one step of reconciling, for one instance.
type botAction struct {
	kind       botActionKind
	instanceID string
	limits     domain.SendLimits // for actSetRate and actStartConsumer
}

// botRunning is what this process runs, as the planner sees it.
type botRunning struct {
	started   map[string]time.Time // sessions this process connected, and when
	consumers map[string]bool      // queues consumed: true while the consumer runs, false once it stopped by itself
}

// newQRRoundAfter is how long a session of an instance still waiting for
// its QR scan runs before a new round is started.
const newQRRoundAfter = 3 * time.Second

// planReconcile decides, with no I/O, what the bot does to match what it
// runs to the instances that exist and the leases it holds: let go of what
// it no longer holds (in instance id order), then for each instance held
// (in the order given) connect, restart or pace its consumer. defaultRate
// applies to instances without their own send rate. A failed actConnect
// makes the rest of that instance's steps wait for the next round.
func planReconcile(now time.Time, instances []domain.Instance, held []string, defaultRate int, run botRunning) []botAction {
	var acts []botAction
	exists := make(map[string]bool, len(instances))
	for _, in := range instances {
		exists[in.ID] = true
	}
	mine := make(map[string]bool, len(held))
	for _, id := range held {
		if exists[id] {
			mine[id] = true
		}
	}
	gone := make([]string, 0, len(run.started))
	for id := range run.started {
		if !mine[id] {
			gone = append(gone, id)
		}
	}
	slices.Sort(gone)
	for _, id := range gone {
		kind := actRemove
		if exists[id] {
			kind = actHandOver
		}
		acts = append(acts, botAction{kind: kind, instanceID: id})
	}
	for _, in := range instances {
		id := in.ID
		if !mine[id] {
			continue
		}
		last, started := run.started[id]
		renew := in.Status == domain.InstanceCreated && now.Sub(last) > newQRRoundAfter
		if (!started && in.Status != domain.InstanceLoggedOut) || renew {
			acts = append(acts, botAction{kind: actConnect, instanceID: id})
		}
		running, consuming := run.consumers[id]
		if consuming && !running {
			acts = append(acts, botAction{kind: actForgetConsumer, instanceID: id})
			consuming = false
		}
		limits := in.LimitsAt(now, defaultRate)
		if consuming {
			acts = append(acts, botAction{kind: actSetRate, instanceID: id, limits: limits})
		}
		switch connected := in.Status == domain.InstanceConnected; {
		case connected && !consuming:
			acts = append(acts, botAction{kind: actStartConsumer, instanceID: id, limits: limits})
		case !connected && consuming:
			acts = append(acts, botAction{kind: actStopConsumer, instanceID: id})
		}
	}
	return acts
}

// Package messaging holds the Watermill handlers: thin translators from
// commands and events on RabbitMQ into app calls.
package messaging

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/ThreeDotsLabs/watermill/message/router/middleware"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
	"github.com/zapgate/zapgate/infra/metrics"
)

// Sessions connects instances to WhatsApp (the sim or whatsmeow driver).
type Sessions interface {
	// Connect starts the session: connected when linked, else a QR round.
	Connect(ctx context.Context, instanceID string) error
	// Disconnect ends this process's session; the link stays.
	Disconnect(instanceID string)
	// Logout unlinks the device and deletes the session.
	Logout(ctx context.Context, instanceID string) error
}

// Subscriber consumes one instance's command queue; the topic is the
// instance id.
type Subscriber interface {
	Subscribe(ctx context.Context, instanceID string) (<-chan *message.Message, error)
}

// Leases decides which instances this process runs.
type Leases interface {
	// Sync renews and takes leases; it returns the instances held.
	Sync(ctx context.Context) ([]string, error)
	// Release hands every lease back.
	Release(ctx context.Context) error
}

// QueueJanitor removes the queue of a deleted instance.
type QueueJanitor interface {
	DeleteInstanceQueue(instanceID string) error
}

// Bot runs each instance's WhatsApp session and consumes its command queue
// while the instance is connected: in order, one command at a time.
type Bot struct {
	app      *app.App
	sessions Sessions
	sub      Subscriber
	janitor  QueueJanitor
	leases   Leases
	poison   message.Publisher
	metrics  *metrics.Metrics
	log      *slog.Logger
	interval time.Duration
	sendRate int // default messages per minute per instance; 0 = unlimited

	// Owned by Run's goroutine, so unlocked: the leases of the last sync,
	// when it ran and the instances it saw; the sessions this process
	// connected (and when) and the queues it consumes.
	held      []string
	lastSync  time.Time
	known     map[string]bool
	started   map[string]time.Time
	consumers map[string]*consumer
	banned    map[string]bool // instances last seen banned (health.go)

	// gates hold each instance's pause for its consumer (health.go).
	gates healthGates

	wg sync.WaitGroup // consumers running
}

type consumer struct {
	cancel context.CancelFunc
	done   chan struct{}
	synced chan struct{} // closed when the groups sync of this connect ended
	pacer  *pacer
	holds  *holds // the new-contact cap (holds.go)
}

// NewBot wires a bot. interval is how often it reconciles instances.
func NewBot(a *app.App, sessions Sessions, sub Subscriber, janitor QueueJanitor, leases Leases, poison message.Publisher,
	m *metrics.Metrics, interval time.Duration, sendRate int, log *slog.Logger) *Bot {
	return &Bot{
		app: a, sessions: sessions, sub: sub, janitor: janitor, leases: leases, poison: poison, metrics: m, sendRate: sendRate,
		log: log.With("role", "bot"), interval: interval,
		started: map[string]time.Time{}, consumers: map[string]*consumer{},
	}
}

// Run reconciles until ctx ends, then stops every consumer and session.
func (b *Bot) Run(ctx context.Context) error {
	t := time.NewTicker(b.interval)
	defer t.Stop()
	var stamp string
	var lastFull time.Time
	for {
		// A tick is one cheap read; the full reconcile runs when an
		// instance changed, and every fullEvery regardless.
		s, err := b.app.InstancesStamp(ctx)
		if err != nil || s != stamp || time.Since(lastFull) >= fullEvery {
			if err := b.reconcile(ctx); err != nil && ctx.Err() == nil {
				b.log.Warn("reconcile instances", "err", err)
			} else {
				stamp, lastFull = s, time.Now()
			}
		}
		select {
		case <-ctx.Done():
			b.stopAll()
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if err := b.leases.Release(rctx); err != nil {
				b.log.Warn("release leases", "err", err)
			}
			return nil
		case <-t.C:
		}
	}
}

// fullEvery bounds how long a change the stamp missed (clocks of different
// processes) goes unseen, and how often a consumer that stopped by itself
// waits to be restarted.
const fullEvery = 2 * time.Second

// leaseSyncEvery is how often leases are renewed (they last 15 s) when no
// new instance calls for a sync sooner.
const leaseSyncEvery = 3 * time.Second

// syncLeases renews and takes leases when it is time, or at once when an
// instance appeared that the last sync did not see: a new instance is
// linked on the next tick, not the next renewal. It returns the instances
// this process holds.
func (b *Bot) syncLeases(ctx context.Context, instances []domain.Instance) ([]string, error) {
	due := time.Since(b.lastSync) >= leaseSyncEvery
	for i := 0; !due && i < len(instances); i++ {
		due = !b.known[instances[i].ID]
	}
	if !due {
		return b.held, nil
	}
	held, err := b.leases.Sync(ctx)
	if err != nil {
		return nil, err
	}
	b.held, b.lastSync = held, time.Now()
	b.known = make(map[string]bool, len(instances))
	for _, in := range instances {
		b.known[in.ID] = true
	}
	return held, nil
}

// reconcile starts sessions for new instances, consumes the queues of the
// connected ones and lets go of deleted ones.
func (b *Bot) reconcile(ctx context.Context) error {
	readAt := time.Now()
	instances, err := b.app.AllInstances(ctx)
	if err != nil {
		return err
	}
	held, err := b.syncLeases(ctx, instances)
	if err != nil {
		return err
	}
	b.gates.setAll(instances, readAt) // before a consumer starts: it reads its pause there
	b.apply(ctx, planReconcile(time.Now(), instances, held, b.sendRate, b.running()))
	b.reconcileHealth(ctx, instances, held)
	return nil
}

// running is what this process runs now, for the planner.
func (b *Bot) running() botRunning {
	consumers := make(map[string]bool, len(b.consumers))
	for id, c := range b.consumers {
		consumers[id] = !c.stopped()
	}
	return botRunning{started: b.started, consumers: consumers}
}

// apply does what planReconcile decided, in order.
func (b *Bot) apply(ctx context.Context, acts []botAction) {
	failed := map[string]bool{} // a connect failed: the rest waits for the next round
	for _, a := range acts {
		id := a.instanceID
		if failed[id] {
			continue
		}
		switch a.kind {
		case actHandOver:
			b.stopConsumer(id)
			b.sessions.Disconnect(id)
			delete(b.started, id)
			b.log.Info("instance handed over", "instance", id)
		case actRemove:
			b.stopConsumer(id)
			if err := b.sessions.Logout(ctx, id); err != nil {
				b.log.Warn("log out deleted instance", "instance", id, "err", err)
			}
			b.sessions.Disconnect(id)
			delete(b.started, id)
			if err := b.janitor.DeleteInstanceQueue(id); err != nil {
				b.log.Warn("delete queue of deleted instance", "instance", id, "err", err)
			}
		case actConnect:
			b.started[id] = time.Now()
			if err := b.sessions.Connect(ctx, id); err != nil {
				b.log.Warn("connect instance", "instance", id, "err", err)
				failed[id] = true
			}
		case actForgetConsumer:
			delete(b.consumers, id)
		case actSetRate:
			if c, ok := b.consumers[id]; ok {
				c.pacer.setRate(a.limits.RatePerMinute)
				c.holds.setCap(a.limits.NewContactsPerDay)
			}
		case actStartConsumer:
			if err := b.startConsumer(ctx, id, a.limits); err != nil {
				b.log.Warn("consume instance queue", "instance", id, "err", err)
			}
		case actStopConsumer:
			b.stopConsumer(id)
		}
	}
}

func (b *Bot) startConsumer(ctx context.Context, id string, limits domain.SendLimits) error {
	cctx, cancel := context.WithCancel(ctx)
	msgs, err := b.sub.Subscribe(cctx, id)
	if err != nil {
		cancel()
		return err
	}
	c := &consumer{cancel: cancel, done: make(chan struct{}), synced: make(chan struct{}),
		pacer: &pacer{perMinute: limits.RatePerMinute}, holds: newHolds(limits.NewContactsPerDay)}
	handler, err := b.chain()
	if err != nil {
		cancel()
		return err
	}
	b.consumers[id] = c
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer close(c.done)
		b.consumeQueue(cctx, id, msgs, c, handler)
	}()
	// A consumer starts when the instance (re)connects: the moment to learn
	// what changed in its groups meanwhile. Beside the queue, so a slow or
	// failed sync never holds a send.
	b.wg.Add(1)
	go func() {
		defer b.wg.Done()
		defer close(c.synced)
		if err := b.app.SyncGroups(cctx, id); err != nil {
			if cctx.Err() == nil {
				b.log.Warn("sync groups", "instance", id, "err", err)
			}
			return
		}
		b.log.Info("groups synced", "instance", id)
	}()
	b.log.Info("consuming instance queue", "instance", id)
	return nil
}

func (c *consumer) stopped() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

func (b *Bot) stopConsumer(id string) {
	if c, ok := b.consumers[id]; ok {
		c.cancel()
		<-c.done
		<-c.synced
		delete(b.consumers, id)
		b.log.Info("stopped consuming instance queue", "instance", id)
	}
}

func (b *Bot) stopAll() {
	for id := range b.consumers {
		b.stopConsumer(id)
	}
	for id := range b.started {
		b.sessions.Disconnect(id)
	}
	b.started = map[string]time.Time{}
	b.wg.Wait()
}

// errPoison marks a command that can never be handled (undecodable,
// unknown): it goes to the poison queue instead of blocking the instance.
var errPoison = errors.New("poison command")

// chain wraps handle with Watermill middleware: panics become errors, poison
// commands are parked, and anything else is retried with backoff for as long
// as the consumer runs, so no command is dropped and order is kept.
func (b *Bot) chain() (message.NoPublishHandlerFunc, error) {
	poison, err := middleware.PoisonQueueWithFilter(b.poison, "poison", func(err error) bool {
		return errors.Is(err, errPoison)
	})
	if err != nil {
		return nil, fmt.Errorf("poison middleware: %w", err)
	}
	retry := middleware.Retry{
		MaxRetries:          1 << 30,
		InitialInterval:     100 * time.Millisecond,
		MaxInterval:         5 * time.Second,
		Multiplier:          2,
		RandomizationFactor: 0.3,
		ShouldRetry: func(p middleware.RetryParams) bool {
			return !errors.Is(p.Err, errPoison)
		},
	}
	h := middleware.Recoverer(poison(retry.Middleware(func(msg *message.Message) ([]*message.Message, error) {
		return nil, b.handle(msg)
	})))
	return func(msg *message.Message) error { _, err := h(msg); return err }, nil
}

// handle runs the commands other than cmd.send_message (see sender.go).
func (b *Bot) handle(msg *message.Message) error {
	env, err := events.FromMessage(msg)
	if err != nil {
		return fmt.Errorf("%w: %v", errPoison, err)
	}
	switch env.Type {
	case events.CmdSendMessage:
		return fmt.Errorf("%w: bad %s data", errPoison, env.Type)
	case events.CmdLogoutInstance:
		var data events.LogoutInstance
		if err := json.Unmarshal(env.Data, &data); err != nil {
			return fmt.Errorf("%w: bad %s data", errPoison, env.Type)
		}
		if data.CommandID != "" {
			return b.app.RunCommand(msg.Context(), env.InstanceID, data.CommandID)
		}
		// Queued before logouts were commands: no row to answer in.
		if err := b.sessions.Logout(msg.Context(), env.InstanceID); err != nil {
			return fmt.Errorf("logout %s: %w", env.InstanceID, err)
		}
		err := b.app.SetInstanceStatus(msg.Context(), env.InstanceID, domain.InstanceLoggedOut, "", "logged out through the API")
		if domain.IsNotFound(err) {
			return nil
		}
		return err
	default:
		// A command that answers: its row holds the input and takes the
		// result; one that already ended is not run again, and one this
		// version does not know ends failed (RunCommand).
		var data events.RunCommand
		if err := json.Unmarshal(env.Data, &data); err != nil || !domain.ValidID(data.CommandID) {
			return fmt.Errorf("%w: bad %s data", errPoison, env.Type)
		}
		err := b.app.RunCommand(msg.Context(), env.InstanceID, data.CommandID)
		if b.pauseOn(msg.Context(), env.InstanceID, err) {
			// WhatsApp's warning: retried once the pause ends, not before.
			b.awaitHealth(msg.Context(), env.InstanceID)
		}
		return err
	}
}

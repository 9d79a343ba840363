package messaging

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
	"github.com/zapgate/zapgate/infra/metrics"
)

// WebhookSender posts one signed event.
type WebhookSender interface {
	Send(ctx context.Context, url, secret, eventID string, body []byte) (int, error)
}

// EventSubscriber consumes every event through a consumer group's queue.
type EventSubscriber interface {
	Subscribe(ctx context.Context, group string) (<-chan *message.Message, error)
}

// Webhooks is the webhook-notifier: it turns each event into deliveries
// (one per matching subscription, idempotently) and a pool of workers
// delivers them, each subscription limited to a few requests in flight so a
// slow or dead receiver never holds up the others.
type Webhooks struct {
	app     *app.App
	sub     EventSubscriber
	sender  WebhookSender
	metrics *metrics.Metrics
	log     *slog.Logger

	wake     chan struct{}
	attempts chan app.DeliveryAttempt // to the recorder

	// Which claimed deliveries run; shared by the claiming loop and the
	// attempts that end.
	mu    sync.Mutex
	slots *hookSlots
	wg    sync.WaitGroup // attempts running
}

// NewWebhooks returns the notifier with workers concurrent deliveries in
// all and perHook at most per subscription.
func NewWebhooks(a *app.App, sub EventSubscriber, sender WebhookSender, m *metrics.Metrics, workers, perHook int, log *slog.Logger) *Webhooks {
	return &Webhooks{
		app: a, sub: sub, sender: sender, metrics: m, log: log.With("role", "webhooks"),
		wake: make(chan struct{}, 1), attempts: make(chan app.DeliveryAttempt, 4*workers),
		slots: newHookSlots(workers, perHook),
	}
}

// ConsumerGroup is the webhook-notifier's queue on the events fanout.
const webhookGroup = "webhooks"

// Run consumes events and delivers until ctx ends; in-flight deliveries
// finish (each is bounded by the sender's timeout).
func (w *Webhooks) Run(ctx context.Context) error {
	msgs, err := w.sub.Subscribe(ctx, webhookGroup)
	if err != nil {
		return err
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		w.consume(ctx, msgs)
	}()
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		w.record(ctx)
	}()
	w.deliverLoop(ctx)
	close(w.attempts) // every attempt has finished: let the recorder drain
	<-recorded
	wg.Wait()
	return nil
}

// consume fans events out in batches: whatever arrived together is turned
// into deliveries with one read of the subscriptions and one insert;
// fanning out again adds nothing twice.
func (w *Webhooks) consume(ctx context.Context, msgs <-chan *message.Message) {
	consumeBatches(ctx, msgs, w.log, "fan out events", func(batch []*message.Message) error {
		evs := make([]app.EventPayload, 0, len(batch))
		for _, msg := range batch {
			env, err := events.FromMessage(msg)
			if err != nil {
				w.log.Error("undecodable event dropped", "uuid", msg.UUID, "err", err)
				continue
			}
			evs = append(evs, app.EventPayload{Env: env, Payload: msg.Payload})
		}
		n, err := w.app.FanOutEvents(ctx, evs)
		if n > 0 {
			w.poke()
		}
		return err
	})
}

func (w *Webhooks) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// deliverLoop claims due deliveries whenever there is room: on a poke, when
// an attempt ends, or at least every half second (retries come due by
// time, and other replicas add deliveries too). On shutdown it waits for
// the attempts under way and hands back the deliveries still waiting.
func (w *Webhooks) deliverLoop(ctx context.Context) {
	defer func() {
		w.wg.Wait()
		w.releaseWaiting(context.WithoutCancel(ctx))
	}()
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		if w.claim(ctx) > 0 {
			continue // there may be more due
		}
		select {
		case <-ctx.Done():
			return
		case <-w.wake:
		case <-tick.C:
		}
	}
}

// claim leases due deliveries up to what may be held, starts what the
// workers can take and returns how many it claimed.
func (w *Webhooks) claim(ctx context.Context) int {
	w.mu.Lock()
	room, full := w.slots.room()
	w.mu.Unlock()
	if room <= 0 || ctx.Err() != nil {
		return 0
	}
	// Lease long enough for one attempt after a wait behind perHook others;
	// a crash lets them come due again.
	jobs, err := w.app.ClaimDeliveries(ctx, room, w.slots.perHookCap(), full, 30*time.Second)
	if err != nil {
		if ctx.Err() == nil {
			w.log.Warn("claim deliveries", "err", err)
		}
		return 0
	}
	w.mu.Lock()
	extra := w.slots.admit(jobs)
	w.dispatchLocked(ctx)
	w.mu.Unlock()
	if len(extra) > 0 {
		if err := w.app.ReleaseDeliveries(ctx, extra); err != nil && ctx.Err() == nil {
			w.log.Warn("release deliveries", "err", err)
		}
	}
	return len(jobs)
}

// dispatchLocked starts the deliveries the slots let run. w.mu is held.
func (w *Webhooks) dispatchLocked(ctx context.Context) {
	if ctx.Err() != nil {
		return
	}
	for _, j := range w.slots.start() {
		w.wg.Add(1)
		go w.deliver(ctx, j)
	}
}

// releaseWaiting hands back the deliveries claimed but not attempted.
func (w *Webhooks) releaseWaiting(ctx context.Context) {
	w.mu.Lock()
	ids := w.slots.drain()
	w.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	if err := w.app.ReleaseDeliveries(ctx, ids); err != nil {
		w.log.Warn("release deliveries on shutdown; they come due when their lease ends", "count", len(ids), "err", err)
	}
}

func (w *Webhooks) deliver(ctx context.Context, j app.DeliveryJob) {
	defer w.wg.Done()
	defer func() {
		w.mu.Lock()
		w.slots.finish(j.Webhook.ID)
		w.dispatchLocked(ctx)
		w.mu.Unlock()
		w.poke()
	}()
	// The attempt runs to its end even during shutdown; its timeout bounds it.
	actx := context.WithoutCancel(ctx)
	start := time.Now()
	code, err := w.sender.Send(actx, j.Webhook.URL, j.Webhook.Secret, j.Delivery.EventID, j.Delivery.Payload)
	errText := ""
	if err != nil {
		errText = err.Error()
	} else if code < 200 || code > 299 {
		errText = "receiver answered " + strconv.Itoa(code)
	}
	w.metrics.WebhookDuration.Observe(time.Since(start).Seconds())
	// The outcome is stored by the recorder with others. Until then the
	// claim's lease keeps the delivery from being attempted again.
	w.attempts <- app.DeliveryAttempt{Delivery: j.Delivery, StatusCode: code, Err: errText, At: time.Now()}
}

// record stores attempt outcomes, whatever piled up at once in one
// statement, retrying while the database is away; it returns once the
// attempts channel is closed and drained. An outcome it cannot store
// (shutdown while the database is away) leaves its delivery to be attempted
// again when the lease ends: at least once.
func (w *Webhooks) record(ctx context.Context) {
	batch := make([]app.DeliveryAttempt, 0, cap(w.attempts))
	for {
		if batch = nextBatch(w.attempts, batch[:0], cap(batch)); len(batch) == 0 {
			return
		}
		var ds []domain.Delivery
		err := retry(ctx, w.log, func() (err error) {
			ds, err = w.app.RecordDeliveryAttempts(context.WithoutCancel(ctx), batch)
			return err
		})
		if err != nil {
			w.log.Warn("delivery attempts not recorded; they will be attempted again", "count", len(batch), "err", err)
			continue
		}
		for _, d := range ds {
			w.metrics.WebhookAttempts.WithLabelValues(d.Status).Inc()
			if d.Status == domain.DeliveryDelivered {
				w.metrics.WebhookLatency.Observe(time.Since(d.CreatedAt).Seconds())
			}
		}
	}
}

package app

import (
	"context"
	"fmt"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// WebhookStore keeps subscriptions and their deliveries.
type WebhookStore interface {
	InsertWebhook(ctx context.Context, w *domain.Webhook) error
	ListWebhooks(ctx context.Context, instanceID string) ([]domain.Webhook, error)
	// WebhooksOf lists the subscriptions of all the given instances.
	WebhooksOf(ctx context.Context, instanceIDs []string) ([]domain.Webhook, error)
	Webhook(ctx context.Context, instanceID, id string) (*domain.Webhook, error)
	DeleteWebhook(ctx context.Context, instanceID, id string) error

	// InsertDeliveries stores deliveries, skipping any a subscription
	// already has for the same event and replay; it returns how many were new.
	InsertDeliveries(ctx context.Context, ds []domain.Delivery) (int, error)
	ListDeliveries(ctx context.Context, webhookID string, p Page) ([]domain.Delivery, string, error)
	// ClaimDeliveries leases up to limit due deliveries, at most perHook of
	// any one subscription, skipping the given ones, by pushing their next
	// attempt into the future.
	ClaimDeliveries(ctx context.Context, now time.Time, limit, perHook int, skip []string, lease time.Duration) ([]DeliveryJob, error)
	// UpdateDeliveries stores the attempt fields of ds in one statement.
	UpdateDeliveries(ctx context.Context, ds []domain.Delivery) error
	// ReleaseDeliveries ends the lease of claimed deliveries, due now again.
	ReleaseDeliveries(ctx context.Context, ids []string, now time.Time) error
	// Redeliver makes a delivery pending and due now.
	Redeliver(ctx context.Context, webhookID, id string, now time.Time) error
}

// DeliveryJob is a leased delivery with its subscription.
type DeliveryJob struct {
	Delivery domain.Delivery
	Webhook  domain.Webhook
}

// URLGuard refuses webhook targets the operator does not allow (private
// networks when ZAPGATE_WEBHOOK_DENY_PRIVATE is on).
type URLGuard interface {
	CheckURL(ctx context.Context, rawURL string) error
}

// CreateWebhook subscribes a URL to an instance's events; the secret is
// returned only here.
func (a *App) CreateWebhook(ctx context.Context, instanceID, url string, eventTypes []string) (*domain.Webhook, error) {
	if _, err := a.GetInstance(ctx, instanceID); err != nil {
		return nil, err
	}
	w, err := domain.NewWebhook(instanceID, url, eventTypes, a.now())
	if err != nil {
		return nil, err
	}
	if a.guard != nil {
		if err := a.guard.CheckURL(ctx, w.URL); err != nil {
			return nil, domain.InvalidField("url", err.Error())
		}
	}
	if err := a.webhooks.InsertWebhook(ctx, w); err != nil {
		return nil, fmt.Errorf("create webhook: %w", err)
	}
	return w, nil
}

// ListWebhooks lists an instance's subscriptions.
func (a *App) ListWebhooks(ctx context.Context, instanceID string) ([]domain.Webhook, error) {
	if _, err := a.GetInstance(ctx, instanceID); err != nil {
		return nil, err
	}
	return a.webhooks.ListWebhooks(ctx, instanceID)
}

// DeleteWebhook removes a subscription and its pending deliveries.
func (a *App) DeleteWebhook(ctx context.Context, instanceID, id string) error {
	if !domain.ValidID(instanceID) || !domain.ValidID(id) {
		return domain.NotFound("webhook")
	}
	return a.webhooks.DeleteWebhook(ctx, instanceID, id)
}

func (a *App) webhook(ctx context.Context, instanceID, id string) (*domain.Webhook, error) {
	if !domain.ValidID(instanceID) || !domain.ValidID(id) {
		return nil, domain.NotFound("webhook")
	}
	return a.webhooks.Webhook(ctx, instanceID, id)
}

// ListDeliveries pages through a subscription's deliveries, newest first.
func (a *App) ListDeliveries(ctx context.Context, instanceID, webhookID string, p Page) ([]domain.Delivery, string, error) {
	if _, err := a.webhook(ctx, instanceID, webhookID); err != nil {
		return nil, "", err
	}
	p = clampPage(p)
	if p.Cursor != "" && !domain.ValidID(p.Cursor) {
		return nil, "", domain.InvalidField("cursor", "is not a cursor this API returned")
	}
	return a.webhooks.ListDeliveries(ctx, webhookID, p)
}

// Redeliver sends a delivery again now, whatever its state.
func (a *App) Redeliver(ctx context.Context, instanceID, webhookID, deliveryID string) error {
	if _, err := a.webhook(ctx, instanceID, webhookID); err != nil {
		return err
	}
	if !domain.ValidID(deliveryID) {
		return domain.NotFound("delivery")
	}
	return a.webhooks.Redeliver(ctx, webhookID, deliveryID, a.now())
}

// EventPayload is an event as the notifier received it, with its encoded
// form (what subscribers are sent).
type EventPayload struct {
	Env     events.Envelope
	Payload []byte
}

// FanOutEvents turns events into one pending delivery per subscription that
// wants each, idempotently: an event seen again adds nothing. It reads the
// subscriptions of all the events' instances at once and stores the
// deliveries in one statement. It returns how many deliveries are new.
func (a *App) FanOutEvents(ctx context.Context, evs []EventPayload) (int, error) {
	var live []EventPayload
	seen := map[string]bool{}
	var instanceIDs []string
	for _, ev := range evs {
		env := ev.Env
		if env.Replayed || env.InstanceID == "" || events.IsCommand(env.Type) {
			continue
		}
		live = append(live, ev)
		if !seen[env.InstanceID] {
			seen[env.InstanceID] = true
			instanceIDs = append(instanceIDs, env.InstanceID)
		}
	}
	if len(live) == 0 {
		return 0, nil
	}
	hooks, err := a.webhooks.WebhooksOf(ctx, instanceIDs)
	if err != nil {
		return 0, err
	}
	byInstance := map[string][]domain.Webhook{}
	for _, w := range hooks {
		byInstance[w.InstanceID] = append(byInstance[w.InstanceID], w)
	}
	now := a.now()
	var ds []domain.Delivery
	for _, ev := range live {
		for _, w := range byInstance[ev.Env.InstanceID] {
			// The notifier runs behind the writers: an event from before the
			// subscription existed is not the subscriber's.
			if w.Wants(ev.Env.Type) && !ev.Env.OccurredAt.Before(w.CreatedAt) {
				ds = append(ds, newDelivery(w.ID, ev.Env, "", ev.Payload, now))
			}
		}
	}
	if len(ds) == 0 {
		return 0, nil
	}
	return a.webhooks.InsertDeliveries(ctx, ds)
}

func newDelivery(webhookID string, env events.Envelope, replayID string, payload []byte, now time.Time) domain.Delivery {
	return domain.Delivery{
		ID: domain.NewID(now), WebhookID: webhookID, EventID: env.ID, EventType: env.Type, ReplayID: replayID,
		Payload: payload, Status: domain.DeliveryPending, NextAttemptAt: now, CreatedAt: now, UpdatedAt: now,
	}
}

// ClaimDeliveries leases due deliveries for this process to attempt.
func (a *App) ClaimDeliveries(ctx context.Context, limit, perHook int, skip []string, lease time.Duration) ([]DeliveryJob, error) {
	return a.webhooks.ClaimDeliveries(ctx, a.now(), limit, perHook, skip, lease)
}

// DeliveryAttempt is the outcome of one attempt of a delivery.
type DeliveryAttempt struct {
	Delivery   domain.Delivery // as claimed
	StatusCode int             // 0 when no answer came
	Err        string
	At         time.Time
}

// RecordDeliveryAttempts stores the outcomes of attempts in one statement
// and returns the deliveries as recorded (delivered, due again, failed).
func (a *App) RecordDeliveryAttempts(ctx context.Context, attempts []DeliveryAttempt) ([]domain.Delivery, error) {
	ds := make([]domain.Delivery, len(attempts))
	for i, at := range attempts {
		ds[i] = at.Delivery
		ds[i].RecordAttempt(at.StatusCode, at.Err, at.At)
	}
	if err := a.webhooks.UpdateDeliveries(ctx, ds); err != nil {
		return nil, fmt.Errorf("record %d delivery attempts: %w", len(ds), err)
	}
	return ds, nil
}

// ReleaseDeliveries hands back claimed deliveries this process will not
// attempt now.
func (a *App) ReleaseDeliveries(ctx context.Context, ids []string) error {
	return a.webhooks.ReleaseDeliveries(ctx, ids, a.now())
}

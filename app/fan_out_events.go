package app

import (
	"context"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

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

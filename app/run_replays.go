package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// ReplayBatch is how many events one step of a replay sends.
const ReplayBatch = 500

// AdvanceReplay sends the next batch of a running replay (the one with id,
// or else the oldest) and returns it as it then stands; nil when there is
// none to advance, or another worker holds it. The batch's webhook
// deliveries and outbox rows commit with the replay's progress, so a crash
// loses nothing and sends nothing twice: the next step starts where the
// last committed one ended.
func (a *App) AdvanceReplay(ctx context.Context, id string, batch int) (*domain.Replay, error) {
	var out *domain.Replay
	err := a.replays.InReplayTx(ctx, func(tx ReplayTx) error {
		r, err := tx.ClaimReplay(ctx, id)
		if err != nil || r == nil {
			return err
		}
		evs, err := tx.NextReplayEvents(ctx, r, batch)
		if err != nil {
			return err
		}
		now := a.now()
		envs := make([]events.Envelope, len(evs))
		for i, e := range evs {
			envs[i] = e.Env
			envs[i].Replayed = true
		}
		if r.ToWebsocket() {
			if err := tx.Publish(ctx, envs...); err != nil {
				return err
			}
		}
		if r.ToWebhooks() {
			if err := a.replayToWebhooks(ctx, tx, r, envs); err != nil {
				return err
			}
		}
		var last int64
		if len(evs) > 0 {
			last = evs[len(evs)-1].Position
		}
		if err := r.Advance(len(evs), last, len(evs) == batch, now); err != nil {
			return err
		}
		out = r
		return tx.UpdateReplay(ctx, r)
	})
	if err != nil {
		return nil, fmt.Errorf("advance replay %s: %w", id, err)
	}
	if out != nil && out.Status == domain.ReplayDone {
		a.logger.Info("events replayed", slog.String("replay_id", out.ID), slog.String("actor", out.Actor),
			slog.String("target", out.Target), slog.String("instance", out.InstanceID), slog.Any("types", out.Types),
			slog.Int("count", out.Count), slog.Int("sent", out.Sent), slog.Bool("truncated", out.Truncated))
	}
	return out, nil
}

// replayToWebhooks adds one delivery per event and subscription that takes
// it: the chosen subscription, or each one of the event's instance that
// wants its type.
func (a *App) replayToWebhooks(ctx context.Context, tx ReplayTx, r *domain.Replay, envs []events.Envelope) error {
	var instanceIDs []string
	seen := map[string]bool{}
	for _, e := range envs {
		if !seen[e.InstanceID] {
			seen[e.InstanceID] = true
			instanceIDs = append(instanceIDs, e.InstanceID)
		}
	}
	if len(instanceIDs) == 0 {
		return nil
	}
	hooks, err := a.webhooks.WebhooksOf(ctx, instanceIDs)
	if err != nil {
		return err
	}
	byInstance := map[string][]domain.Webhook{}
	for _, w := range hooks {
		byInstance[w.InstanceID] = append(byInstance[w.InstanceID], w)
	}
	now := a.now()
	var ds []domain.Delivery
	for _, e := range envs {
		var payload []byte
		for _, w := range byInstance[e.InstanceID] {
			if (r.WebhookID == "" && w.Wants(e.Type)) || w.ID == r.WebhookID {
				if payload == nil {
					if payload, err = encodeEnvelope(e); err != nil {
						return err
					}
				}
				ds = append(ds, newDelivery(w.ID, e, r.ID, payload, now))
			}
		}
	}
	if len(ds) == 0 {
		return nil
	}
	_, err = tx.InsertDeliveries(ctx, ds)
	return err
}

package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
)

// webhooksApp is the app on a fresh database, its clock stopped at now.
func webhooksApp(t *testing.T) (*app.App, *postgres.Store, time.Time) {
	t.Helper()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	now := time.Now().UTC().Truncate(time.Millisecond)
	return app.New(app.Deps{AdminToken: "admin-token", Store: s, Webhooks: s, Clock: func() time.Time { return now }, Log: quiet}), s, now
}

// TestFanOutEventsInBatches: one call fans out events of several instances
// to the subscriptions that want them, from the subscription's creation
// on, and a batch seen again adds nothing.
func TestFanOutEventsInBatches(t *testing.T) {
	t.Parallel()
	a, s, now := webhooksApp(t)
	ctx := context.Background()
	one, two, quietOne := newInstance(t, s), newInstance(t, s), newInstance(t, s)
	all, err := a.CreateWebhook(ctx, one.ID, "https://hooks.example/all", nil)
	if err != nil {
		t.Fatal(err)
	}
	statusOnly, err := a.CreateWebhook(ctx, two.ID, "https://hooks.example/status", []string{events.MessageStatus})
	if err != nil {
		t.Fatal(err)
	}
	ev := func(instanceID, typ string, at time.Time) app.EventPayload {
		env, err := events.New(domain.NewID(at), typ, instanceID, at, map[string]string{"k": "v"})
		if err != nil {
			t.Fatal(err)
		}
		return app.EventPayload{Env: env, Payload: []byte(`{}`)}
	}
	later := now.Add(time.Second)
	batch := []app.EventPayload{
		ev(one.ID, events.MessageStatus, later),               // all
		ev(one.ID, events.MessageReceived, later),             // all
		ev(two.ID, events.MessageStatus, later),               // statusOnly
		ev(two.ID, events.MessageReceived, later),             // not wanted
		ev(quietOne.ID, events.MessageStatus, later),          // no subscription
		ev(one.ID, events.MessageStatus, now.Add(-time.Hour)), // before the subscription
	}
	tests := []struct {
		name string
		want int
	}{
		{"first time", 3},
		{"seen again", 0},
	}
	for _, tt := range tests {
		n, err := a.FanOutEvents(ctx, batch)
		if err != nil || n != tt.want {
			t.Fatalf("%s: %d new deliveries, %v; want %d", tt.name, n, err, tt.want)
		}
	}
	for _, c := range []struct {
		hook *domain.Webhook
		want int
	}{{all, 2}, {statusOnly, 1}} {
		ds, _, err := a.ListDeliveries(ctx, c.hook.InstanceID, c.hook.ID, app.Page{Limit: 10})
		if err != nil || len(ds) != c.want {
			t.Fatalf("%s: %d deliveries, %v; want %d", c.hook.URL, len(ds), err, c.want)
		}
	}
}

// TestClaimTakesAtMostPerHookOfEachSubscription: a claim leases no more of
// one subscription's deliveries than may be attempted at once, so nothing
// is claimed only to be handed back.
func TestClaimTakesAtMostPerHookOfEachSubscription(t *testing.T) {
	t.Parallel()
	a, s, now := webhooksApp(t)
	ctx := context.Background()
	busy, small := newInstance(t, s), newInstance(t, s)
	for _, in := range []*domain.Instance{busy, small} {
		if _, err := a.CreateWebhook(ctx, in.ID, "https://hooks.example/"+in.ID, nil); err != nil {
			t.Fatal(err)
		}
	}
	var batch []app.EventPayload
	for i, n := range map[string]int{busy.ID: 10, small.ID: 2} {
		for range n {
			env, _ := events.New(domain.NewID(now), events.MessageStatus, i, now, map[string]string{})
			batch = append(batch, app.EventPayload{Env: env, Payload: []byte(`{}`)})
		}
	}
	if n, err := a.FanOutEvents(ctx, batch); err != nil || n != 12 {
		t.Fatalf("fan out: %d, %v", n, err)
	}
	tests := []struct {
		name    string
		limit   int
		perHook int
		want    int
	}{
		{"capped per subscription", 32, 4, 4 + 2},
		{"the rest, later", 32, 4, 4},
		{"limit below the caps", 1, 4, 1},
	}
	var claimed []app.DeliveryJob
	for _, tt := range tests {
		jobs, err := a.ClaimDeliveries(ctx, tt.limit, tt.perHook, nil, time.Minute)
		if err != nil || len(jobs) != tt.want {
			t.Fatalf("%s: claimed %d, %v; want %d", tt.name, len(jobs), err, tt.want)
		}
		claimed = append(claimed, jobs...)
	}

	// Outcomes of several attempts are stored together.
	ds, err := a.RecordDeliveryAttempts(ctx, []app.DeliveryAttempt{
		{Delivery: claimed[0].Delivery, StatusCode: 204, At: now},
		{Delivery: claimed[1].Delivery, StatusCode: 500, Err: "receiver answered 500", At: now},
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, want := range []string{domain.DeliveryDelivered, domain.DeliveryPending} {
		stored, _, err := a.ListDeliveries(ctx, claimed[i].Webhook.InstanceID, claimed[i].Webhook.ID, app.Page{Limit: 20})
		if err != nil {
			t.Fatal(err)
		}
		var found bool
		for _, d := range stored {
			if d.ID == ds[i].ID {
				found = true
				if d.Status != want || d.Attempts != 1 || d.NextAttemptAt.Sub(ds[i].NextAttemptAt).Abs() > time.Microsecond {
					t.Fatalf("delivery %d stored as %+v, want status %s after 1 attempt", i, d, want)
				}
			}
		}
		if !found {
			t.Fatalf("delivery %d not listed", i)
		}
	}
}

package postgres_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
)

// publishEvents writes events of typ for an instance to the outbox (the
// event log) in one transaction and returns their ids in order.
func publishEvents(t *testing.T, s *postgres.Store, instanceID, typ string, n int) []string {
	t.Helper()
	var ids []string
	var envs []events.Envelope
	now := time.Now().UTC()
	for range n {
		env, err := events.New(domain.NewID(now), typ, instanceID, now, map[string]string{"k": "v"})
		if err != nil {
			t.Fatal(err)
		}
		envs = append(envs, env)
		ids = append(ids, env.ID)
	}
	if err := s.InTx(context.Background(), func(tx app.Tx) error { return tx.Publish(context.Background(), envs...) }); err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestCountReplayEventsIsBounded(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	ctx := context.Background()
	one, two := newInstance(t, s), newInstance(t, s)
	publishEvents(t, s, one.ID, events.MessageReceived, 7)
	publishEvents(t, s, two.ID, events.MessageReceived, 2)
	publishEvents(t, s, one.ID, events.MessageStatus, 1)
	var offsets []int64
	if err := db.SelectContext(ctx, &offsets, `SELECT "offset" FROM watermill_outbox
		WHERE instance_id = $1 AND event_type = $2 ORDER BY "offset"`, one.ID, events.MessageReceived); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		f        app.EventFilter
		limit    int
		wantN    int
		wantUpto int64
		wantMore bool
	}{
		{"all of one type", app.EventFilter{InstanceID: one.ID, Types: []string{events.MessageReceived}}, 10, 7, offsets[6], false},
		{"exactly the limit", app.EventFilter{InstanceID: one.ID, Types: []string{events.MessageReceived}}, 7, 7, offsets[6], false},
		{"truncated at the limit", app.EventFilter{InstanceID: one.ID, Types: []string{events.MessageReceived}}, 5, 5, offsets[4], true},
		{"every type and instance", app.EventFilter{}, 100, 10, 0, false},
		{"nothing", app.EventFilter{Types: []string{"attendance.opened"}}, 100, 0, 0, false},
	}
	for _, tt := range tests {
		n, upto, more, err := s.CountReplayEvents(ctx, tt.f, tt.limit)
		if err != nil {
			t.Fatal(err)
		}
		if n != tt.wantN || more != tt.wantMore || (tt.wantUpto != 0 && upto != tt.wantUpto) {
			t.Errorf("%s: n %d upto %d more %v; want %d %d %v", tt.name, n, upto, more, tt.wantN, tt.wantUpto, tt.wantMore)
		}
	}
}

// failingHooks fails reading subscriptions while fail is set: a batch that
// breaks half-way.
type failingHooks struct {
	app.WebhookStore
	fail bool
}

func (f *failingHooks) WebhooksOf(ctx context.Context, ids []string) ([]domain.Webhook, error) {
	if f.fail {
		return nil, errors.New("boom")
	}
	return f.WebhookStore.WebhooksOf(ctx, ids)
}

// TestReplayAdvancesInBatchesAndResumes: a replay sends its range in
// transactional batches; a batch that fails, or one another worker holds,
// changes nothing; a new process resumes from the last committed batch,
// and in the end each event went out exactly once, with its own id.
func TestReplayAdvancesInBatchesAndResumes(t *testing.T) {
	t.Parallel()
	db, dsn := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	ctx := context.Background()
	hooks := &failingHooks{WebhookStore: s}
	a := app.New(app.Deps{Store: s, Webhooks: hooks, Replays: s, Log: quiet})
	one, two := newInstance(t, s), newInstance(t, s)
	all, err := a.CreateWebhook(ctx, one.ID, "https://hooks.example/all", nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.CreateWebhook(ctx, one.ID, "https://hooks.example/status", []string{events.MessageStatus}); err != nil {
		t.Fatal(err)
	}
	want := publishEvents(t, s, one.ID, events.MessageReceived, 7)
	publishEvents(t, s, two.ID, events.MessageReceived, 2)
	publishEvents(t, s, one.ID, events.MessageStatus, 1)

	r, err := a.ReplayEvents(ctx, app.ReplayRequest{InstanceID: one.ID, Types: []string{events.MessageReceived}, Actor: "test"})
	if err != nil || r.Count != 7 || r.Status != domain.ReplayRunning {
		t.Fatalf("replay = %+v, %v", r, err)
	}
	// Counted at request time: a later event is not part of the replay.
	publishEvents(t, s, one.ID, events.MessageReceived, 1)

	sent := func() (deliveries, outbox []string) {
		t.Helper()
		if err := db.SelectContext(ctx, &deliveries, `SELECT event_id FROM webhook_deliveries
			WHERE replay_id = $1 ORDER BY created_at, event_id`, r.ID); err != nil {
			t.Fatal(err)
		}
		if err := db.SelectContext(ctx, &outbox, `SELECT event_id FROM watermill_outbox
			WHERE replayed ORDER BY "offset"`); err != nil {
			t.Fatal(err)
		}
		return deliveries, outbox
	}
	progress := func(wantSent int, wantStatus domain.ReplayStatus) {
		t.Helper()
		got, err := a.GetReplay(ctx, r.ID)
		if err != nil || got.Sent != wantSent || got.Status != wantStatus {
			t.Fatalf("replay = %+v, %v; want sent %d, %s", got, err, wantSent, wantStatus)
		}
		if d, o := sent(); len(d) != wantSent || len(o) != wantSent {
			t.Fatalf("%d deliveries and %d outbox rows for %d sent", len(d), len(o), wantSent)
		}
	}

	// Another worker holds the replay: this one skips it.
	holder, err := db.BeginTxx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := holder.ExecContext(ctx, `SELECT 1 FROM replays WHERE id = $1 FOR UPDATE`, r.ID); err != nil {
		t.Fatal(err)
	}
	if got, err := a.AdvanceReplay(ctx, "", 3); err != nil || got != nil {
		t.Fatalf("advanced a replay another worker holds: %+v, %v", got, err)
	}
	_ = holder.Rollback()

	// A batch that fails half-way leaves no trace.
	hooks.fail = true
	if _, err := a.AdvanceReplay(ctx, r.ID, 3); err == nil {
		t.Fatal("a failing batch reported success")
	}
	progress(0, domain.ReplayRunning)
	hooks.fail = false

	if got, err := a.AdvanceReplay(ctx, "", 3); err != nil || got == nil || got.ID != r.ID {
		t.Fatalf("first batch: %+v, %v", got, err)
	}
	progress(3, domain.ReplayRunning)

	// The process dies; another, on its own connections, resumes.
	db2, err := sqlx.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	s2 := postgres.NewStore(db2, quiet)
	b := app.New(app.Deps{Store: s2, Webhooks: s2, Replays: s2, Log: quiet})
	steps := 0
	for ; steps < 10; steps++ { // bounded: a replay that never ends fails here
		got, err := b.AdvanceReplay(ctx, "", 3)
		if err != nil {
			t.Fatal(err)
		}
		if got == nil {
			break
		}
	}
	if steps != 2 {
		t.Fatalf("resumed in %d steps, want 2 (3 + 1 events)", steps)
	}
	progress(7, domain.ReplayDone)
	deliveries, outbox := sent()
	for name, ids := range map[string][]string{"deliveries": deliveries, "outbox": outbox} {
		got := slices.Clone(ids)
		slices.Sort(got)
		w := slices.Clone(want)
		slices.Sort(w)
		if !slices.Equal(got, w) {
			t.Fatalf("%s carry %v, want the original ids %v", name, ids, want)
		}
	}
	var hookIDs []string
	if err := db.SelectContext(ctx, &hookIDs, `SELECT DISTINCT webhook_id FROM webhook_deliveries WHERE replay_id = $1`, r.ID); err != nil ||
		len(hookIDs) != 1 || hookIDs[0] != all.ID {
		t.Fatalf("replayed to %v (%v), want only the subscription that wants message.received", hookIDs, err)
	}
}

func TestDeleteReplaysBeforeKeepsRunningAndRecentOnes(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	ctx := context.Background()
	now := time.Now().UTC()
	old := now.Add(-48 * time.Hour)
	insert := func(count int, at time.Time) string {
		t.Helper()
		r, err := domain.NewReplay(domain.NewID(at), nil, nil, nil, "", "", "", "test", count, false, int64(count), at)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.InReplayTx(ctx, func(tx app.ReplayTx) error { return tx.InsertReplay(ctx, r) }); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	oldDone := insert(0, old) // an empty range is done at once
	recentDone := insert(0, now)
	oldRunning := insert(5, old)

	n, err := s.DeleteReplaysBefore(ctx, now.Add(-24*time.Hour))
	if err != nil || n != 1 {
		t.Fatalf("deleted %d, %v; want 1", n, err)
	}
	if _, err := s.Replay(ctx, oldDone); !domain.IsNotFound(err) {
		t.Fatalf("the old finished replay: %v, want gone", err)
	}
	for _, id := range []string{recentDone, oldRunning} {
		if _, err := s.Replay(ctx, id); err != nil {
			t.Fatalf("replay %s: %v, want kept", id, err)
		}
	}
}

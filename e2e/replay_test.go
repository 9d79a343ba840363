package e2e

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
	"github.com/zapgate/zapgate/infra/postgres"
)

// seedEvents writes n message.status events of an instance into the event
// log the way zapgate does (the outbox, one transaction) and returns their
// ids. They say they happened an hour ago, before any subscription of the
// test existed, so only a replay sends them to webhooks.
func seedEvents(t *testing.T, e *env, instanceID string, n int) map[string]bool {
	t.Helper()
	db, err := sqlx.Open("postgres", e.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := postgres.NewStore(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	at := time.Now().UTC().Add(-time.Hour)
	ids := map[string]bool{}
	envs := make([]events.Envelope, 0, n)
	for range n {
		env, err := events.New(domain.NewID(at), events.MessageStatus, instanceID, at,
			map[string]string{"message_id": domain.NewID(at), "status": "delivered"})
		if err != nil {
			t.Fatal(err)
		}
		envs = append(envs, env)
		ids[env.ID] = true
	}
	ctx := context.Background()
	if err := store.InTx(ctx, func(tx app.Tx) error { return tx.Publish(ctx, envs...) }); err != nil {
		t.Fatal(err)
	}
	return ids
}

func (p *proc) replay(rid string) map[string]any {
	p.t.Helper()
	return p.must(200, "GET", "/v1/events/replays/"+rid, adminToken, nil)
}

// TestReplayIsAsynchronousAndSurvivesACrash: a replay of thousands of
// events answers 202 before it is done, advances in the background, and a
// zapgate killed half-way finishes it after a restart: every event reaches
// the webhook, marked replayed, with its original id, and none is handed
// over twice.
func TestReplayIsAsynchronousAndSurvivesACrash(t *testing.T) {
	t.Parallel()
	const n = 3000 // six batches of app.ReplayBatch
	e := newEnv(t)
	p := e.start()
	id := p.must(201, "POST", "/v1/instances", adminToken, map[string]any{"name": "replay"})["id"].(string)
	rcv := newReceiver(t)
	p.webhook(id, adminToken, rcv.srv.URL, events.MessageStatus)
	since := time.Now().Add(-time.Second).UTC().Format(time.RFC3339)
	seeded := seedEvents(t, e, id, n)

	res := p.must(202, "POST", "/v1/events/replay", adminToken, map[string]any{
		"since": since, "types": []string{events.MessageStatus}, "instance_id": id, "target": "webhooks"})
	rid, _ := res["replay_id"].(string)
	if res["count"] != float64(n) || rid == "" || res["status"] != "running" {
		t.Fatalf("replay = %v", res)
	}
	// The answer came before the work: the first look finds it running.
	if first := p.replay(rid); first["status"] != "running" || first["sent"].(float64) >= n {
		t.Fatalf("first poll = %v, want running with sent < %d", first, n)
	}
	eventually(t, 60*time.Second, "a first batch committed", func() bool { return p.replay(rid)["sent"].(float64) > 0 })
	p.kill()
	// Killed right after a batch was seen: at least four of the six were
	// still to go, each a transaction of its own.
	sentAtCrash := countRows(t, p, "SELECT sent FROM replays WHERE id = '"+rid+"'")
	if status := countRows(t, p, "SELECT count(*) FROM replays WHERE status = 'running' AND id = '"+rid+"'"); status != 1 || sentAtCrash >= n {
		t.Fatalf("at the crash: running %d, sent %d of %d", status, sentAtCrash, n)
	}
	t.Logf("killed with %d of %d events sent", sentAtCrash, n)

	p = e.start()
	eventually(t, 120*time.Second, "the replay done after the restart", func() bool { return p.replay(rid)["status"] == "done" })
	if done := p.replay(rid); done["sent"] != float64(n) || done["count"] != float64(n) || done["done_at"] == nil {
		t.Fatalf("done replay = %v", done)
	}
	// Each event was handed to the webhook once, resumed batches included.
	if d := countRows(t, p, "SELECT count(*) FROM webhook_deliveries WHERE replay_id = '"+rid+"'"); d != n {
		t.Fatalf("%d deliveries for %d events", d, n)
	}
	got := map[string]bool{}
	eventually(t, 180*time.Second, "every event at the webhook", func() bool {
		for _, ev := range rcv.events() {
			eid, _ := ev["id"].(string)
			if ev["replayed"] != true || !seeded[eid] {
				t.Fatalf("webhook got %v, not a replay of a seeded event", ev)
			}
			got[eid] = true
		}
		return len(got) == n
	})
}

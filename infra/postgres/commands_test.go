package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
)

// checker answers every phone as on WhatsApp.
type checker struct{ app.WhatsApp }

func (checker) CheckContacts(ctx context.Context, instanceID string, phones []string) ([]app.ContactCheck, error) {
	out := make([]app.ContactCheck, 0, len(phones))
	for _, p := range phones {
		out = append(out, app.ContactCheck{Phone: p, OnWhatsApp: true, JID: p + "@s.whatsapp.net"})
	}
	return out, nil
}

func TestCommandNoticeWakesWaiterOnFinish(t *testing.T) {
	t.Parallel()
	db, dsn := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	ctx, cancel := context.WithCancel(context.Background())
	notices := postgres.NewCommandNotices(dsn, quiet)
	done := make(chan error, 1)
	go func() { done <- notices.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	})
	<-notices.Ready()
	a := app.New(app.Deps{Store: s, WhatsApp: checker{}, CommandNotices: notices, Log: quiet})
	in := newInstance(t, s)
	cmd, err := a.CheckContacts(ctx, in.ID, []string{"5511999998888"})
	if err != nil {
		t.Fatal(err)
	}
	woken, stop := notices.Subscribe(cmd.ID)
	defer stop()
	other, stopOther := notices.Subscribe(domain.NewID(time.Now()))
	defer stopOther()
	if err := a.RunCommand(ctx, in.ID, cmd.ID); err != nil {
		t.Fatal(err)
	}
	<-woken // the NOTIFY of the finishing transaction arrived
	select {
	case <-other:
		t.Fatal("a waiter for another command was woken")
	default:
	}
	got, err := a.WaitCommand(ctx, in.ID, cmd.ID, time.Hour)
	if err != nil || got.Status != domain.CommandDone || string(got.Result) == "" {
		t.Fatalf("wait: %v %+v", err, got)
	}
}

func TestStaleCommandsFailOnceWithTwoSweepers(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	ctx := context.Background()
	// The clock stands past the timeout, so every command made is stale.
	past := time.Now().UTC().Add(-time.Hour)
	clock := past
	var mu sync.Mutex
	now := func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	a := app.New(app.Deps{Store: s, WhatsApp: checker{}, Clock: now, Log: quiet})
	in := newInstance(t, s)
	const n = 20
	ids := make([]string, n)
	for i := range ids {
		cmd, err := a.CheckContacts(ctx, in.ID, []string{"5511999998888"})
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = cmd.ID
	}
	mu.Lock()
	clock = time.Now().UTC()
	mu.Unlock()
	var wg sync.WaitGroup
	counts := make([]int, 2)
	for i := range counts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for { // small batches, so both sweepers take part
				k, err := a.FailStaleCommands(ctx, 3)
				if err != nil {
					t.Error(err)
					return
				}
				if k == 0 {
					return
				}
				counts[i] += k
			}
		}()
	}
	wg.Wait()
	if counts[0]+counts[1] != n {
		t.Fatalf("sweepers failed %v commands, want %d in all", counts, n)
	}
	for _, id := range ids {
		c, err := s.Command(ctx, in.ID, id)
		if err != nil || c.Status != domain.CommandFailed || c.ErrorCode != domain.CommandNotConnected || c.DoneAt == nil {
			t.Fatalf("command %s: %v %+v", id, err, c)
		}
	}
}

package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
)

func TestSendHookFormatRoundTrip(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	ctx := context.Background()
	in := newInstance(t, s)
	now := time.Now().UTC().Truncate(time.Microsecond)
	want := map[string]domain.HookFormat{}
	for _, f := range []string{"", "text", "alertmanager", "grafana", "github"} {
		h, _, err := domain.NewSendHook(in.ID, "hook "+f, "5511999998888", f, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.InsertSendHook(ctx, h); err != nil {
			t.Fatal(err)
		}
		got, err := s.SendHookByTokenHash(ctx, h.TokenHash)
		if err != nil || got.Format != h.Format {
			t.Fatalf("%q by token: %v %+v", f, err, got)
		}
		want[h.ID] = h.Format
	}
	list, err := s.ListSendHooks(ctx, in.ID)
	if err != nil || len(list) != len(want) {
		t.Fatalf("list: %v %d", err, len(list))
	}
	for _, h := range list {
		if h.Format != want[h.ID] {
			t.Errorf("%s listed as %q, want %q", h.Name, h.Format, want[h.ID])
		}
	}
	// A hook made before formats existed reads posts as auto, which reads
	// text as it always did.
	old := domain.NewID(now)
	if _, err := db.ExecContext(ctx, `INSERT INTO send_hooks (id, instance_id, name, token_hash, created_at)
		VALUES ($1, $2, 'old', $3, $4)`, old, in.ID, domain.HashSecret("zgh_old"), now); err != nil {
		t.Fatal(err)
	}
	if got, err := s.SendHookByTokenHash(ctx, domain.HashSecret("zgh_old")); err != nil || got.Format != domain.HookAuto {
		t.Fatalf("old hook: %v %+v", err, got)
	}
}

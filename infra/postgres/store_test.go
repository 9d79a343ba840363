package postgres_test

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
	"github.com/zapgate/zapgate/migrations"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestMigrateConcurrentlyAndTwice(t *testing.T) {
	t.Parallel()
	dsn := pgtest.NewDatabase(t)
	ctx := context.Background()
	db, err := postgres.Open(ctx, dsn, 1, quiet)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- postgres.Migrate(ctx, db, migrations.FS, quiet)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := postgres.Migrate(ctx, db, migrations.FS, quiet); err != nil {
		t.Fatalf("second run: %v", err)
	}
	files, _ := fs.Glob(migrations.FS, "*.sql")
	var n int
	if err := db.GetContext(ctx, &n, `SELECT count(*) FROM schema_migrations`); err != nil || n != len(files) {
		t.Fatalf("schema_migrations has %d rows, want %d (%v)", n, len(files), err)
	}
}

func newInstance(t testing.TB, s *postgres.Store) *domain.Instance {
	t.Helper()
	in, _, err := domain.NewInstance("sales", time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.InTx(context.Background(), func(tx app.Tx) error { return tx.InsertInstance(context.Background(), in) }); err != nil {
		t.Fatal(err)
	}
	return in
}

func TestMessageRoundTripAndPaging(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	ctx := context.Background()
	in := newInstance(t, s)
	got, err := s.InstanceByTokenHash(ctx, in.TokenHash)
	if err != nil || got.ID != in.ID || got.Status != domain.InstanceCreated {
		t.Fatalf("by token: %v %+v", err, got)
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	var ids []string
	for i := range 5 {
		d := domain.OutgoingDraft{InstanceID: in.ID, To: "5511999998888", Type: "image", Caption: "c",
			Media: &domain.Media{Key: "media/ab/ab", Mime: "image/png", Filename: "a.png", Size: 3, SHA256: "ab"}}
		m, err := domain.NewOutgoing(d, now.Add(time.Duration(i)*time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.InTx(ctx, func(tx app.Tx) error { _, err := tx.InsertMessage(ctx, m); return err }); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	m, err := s.Message(ctx, in.ID, ids[0])
	if err != nil || m.Media == nil || m.Media.Filename != "a.png" || m.Caption != "c" || !m.CreatedAt.Equal(now) {
		t.Fatalf("round trip: %v %+v", err, m)
	}
	page, next, err := s.ListMessages(ctx, app.MessageFilter{InstanceID: in.ID, Page: app.Page{Limit: 3}})
	if err != nil || len(page) != 3 || page[0].ID != ids[4] || next != ids[2] {
		t.Fatalf("page 1: %v %d next=%s", err, len(page), next)
	}
	page, next, err = s.ListMessages(ctx, app.MessageFilter{InstanceID: in.ID, Page: app.Page{Limit: 3, Cursor: next}})
	if err != nil || len(page) != 2 || page[1].ID != ids[0] || next != "" {
		t.Fatalf("page 2: %v %d next=%s", err, len(page), next)
	}
	// The jsonb column survives lib/pq's binary parameters.
	withExtra := *m
	withExtra.ID, withExtra.WAMessageID, withExtra.Extra = domain.NewID(now), "extra-1", []byte(`{"location":{"latitude":-23.5}}`)
	if err := s.InTx(ctx, func(tx app.Tx) error { _, err := tx.InsertMessage(ctx, &withExtra); return err }); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Message(ctx, in.ID, withExtra.ID); err != nil || string(got.Extra) != `{"location": {"latitude": -23.5}}` {
		t.Fatalf("extra round trip: %v %s", err, got.Extra)
	}
	if _, err := s.Message(ctx, domain.NewID(now), ids[0]); !domain.IsNotFound(err) {
		t.Fatalf("message of another instance: %v", err)
	}
	// Mentions and to_lid come back as stored; none is nil, as built.
	if m.Mentions != nil {
		t.Fatalf("mentions of a message without any: %#v", m.Mentions)
	}
	withMentions := *m
	withMentions.ID, withMentions.WAMessageID, withMentions.ToLID = domain.NewID(now), "mentions-1", "77@lid"
	withMentions.Mentions = []string{"5511999998888@s.whatsapp.net", "77@lid"}
	if err := s.InTx(ctx, func(tx app.Tx) error { _, err := tx.InsertMessage(ctx, &withMentions); return err }); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Message(ctx, in.ID, withMentions.ID); err != nil || got.ToLID != "77@lid" ||
		len(got.Mentions) != 2 || got.Mentions[0] != "5511999998888@s.whatsapp.net" || got.Mentions[1] != "77@lid" {
		t.Fatalf("mentions round trip: %v %+v", err, got)
	}
}

func TestConcurrentIdempotencyKeyInsertsOnce(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	ctx := context.Background()
	in := newInstance(t, s)
	var wg sync.WaitGroup
	inserted := make(chan bool, 10)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, _ := domain.NewOutgoing(domain.OutgoingDraft{InstanceID: in.ID, To: "5511999998888", Type: "text", Text: "x", IdempotencyKey: "k"}, time.Now())
			err := s.InTx(ctx, func(tx app.Tx) error {
				ok, err := tx.InsertMessage(ctx, m)
				inserted <- ok
				return err
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	close(inserted)
	n := 0
	for ok := range inserted {
		if ok {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d inserts won, want 1", n)
	}
}

func TestOutboxRowsCommitWithTheTransactionOnly(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	ctx := context.Background()
	in := newInstance(t, s)
	env, _ := events.New(domain.NewID(time.Now()), events.MessageStatus, in.ID, time.Now(), events.MessageStatusChanged{Status: "sent"})
	boom := errors.New("boom")
	err := s.InTx(ctx, func(tx app.Tx) error {
		if err := tx.Publish(ctx, env); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatal(err)
	}
	var n int
	_ = db.GetContext(ctx, &n, `SELECT count(*) FROM watermill_outbox`)
	if n != 0 {
		t.Fatalf("rolled back transaction left %d outbox rows", n)
	}
	if err := s.InTx(ctx, func(tx app.Tx) error { return tx.Publish(ctx, env) }); err != nil {
		t.Fatal(err)
	}
	var row struct {
		EventID    string `db:"event_id"`
		EventType  string `db:"event_type"`
		InstanceID string `db:"instance_id"`
		Dest       string `db:"destination"`
	}
	if err := db.GetContext(ctx, &row, `SELECT event_id, event_type, instance_id, destination FROM watermill_outbox`); err != nil {
		t.Fatal(err)
	}
	if row.EventID != env.ID || row.EventType != events.MessageStatus || row.InstanceID != in.ID || row.Dest != "events" {
		t.Fatalf("event log columns = %+v", row)
	}
}

func TestBatchedSendReadsAndUpdates(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	ctx := context.Background()
	in, other := newInstance(t, s), newInstance(t, s)
	now := time.Now().UTC().Truncate(time.Microsecond)
	insert := func(instanceID string) *domain.Message {
		m, err := domain.NewOutgoing(domain.OutgoingDraft{InstanceID: instanceID, To: "5511999998888", Type: "text", Text: "hi"}, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.InTx(ctx, func(tx app.Tx) error { _, err := tx.InsertMessage(ctx, m); return err }); err != nil {
			t.Fatal(err)
		}
		return m
	}
	a, b, c, foreign := insert(in.ID), insert(in.ID), insert(in.ID), insert(other.ID)
	ids := []string{a.ID, b.ID, c.ID, foreign.ID, domain.NewID(now)}

	queued, err := s.QueuedMessages(ctx, in.ID, ids)
	if err != nil || len(queued) != 3 {
		t.Fatalf("queued: %v, %d (another instance's message and unknown ids are not)", err, len(queued))
	}
	sentAt := now.Add(time.Second)
	err = s.InTx(ctx, func(tx app.Tx) error {
		locked, err := tx.LockMessages(ctx, in.ID, ids)
		if err != nil || len(locked) != 3 {
			t.Fatalf("locked: %v, %d", err, len(locked))
		}
		var changed []*domain.Message
		for i := range locked {
			m := &locked[i]
			switch m.ID {
			case a.ID:
				m.MarkSent(sentAt)
			case b.ID:
				m.MarkFailed("not on WhatsApp")
			default:
				continue
			}
			changed = append(changed, m)
		}
		return tx.UpdateMessages(ctx, changed)
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		id     string
		status domain.MessageStatus
		errMsg string
		sent   bool
	}{
		{a.ID, domain.StatusSent, "", true},
		{b.ID, domain.StatusFailed, "not on WhatsApp", false},
		{c.ID, domain.StatusQueued, "", false},
	}
	for _, tt := range tests {
		m, err := s.Message(ctx, in.ID, tt.id)
		if err != nil || m.Status != tt.status || m.Error != tt.errMsg || (m.SentAt != nil) != tt.sent {
			t.Fatalf("%s: %v %+v", tt.id, err, m)
		}
		if tt.sent && !m.SentAt.Equal(sentAt) {
			t.Fatalf("sent_at %v, want %v", m.SentAt, sentAt)
		}
	}
	if queued, err := s.QueuedMessages(ctx, in.ID, ids); err != nil || len(queued) != 1 || queued[0].ID != c.ID {
		t.Fatalf("queued after: %v %v", err, queued)
	}
}

package postgres_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
)

// accepted is a send to `to` of instanceID with its cmd.send_message.
func accepted(t *testing.T, instanceID, to, key string) app.Accepted {
	t.Helper()
	now := time.Now().UTC()
	m, err := domain.NewOutgoing(domain.OutgoingDraft{InstanceID: instanceID, To: to, Type: "text", Text: "hi", IdempotencyKey: key}, now)
	if err != nil {
		t.Fatal(err)
	}
	e, err := events.New(domain.NewID(now), events.CmdSendMessage, instanceID, now, events.SendMessage{MessageID: m.ID})
	if err != nil {
		t.Fatal(err)
	}
	return app.Accepted{Message: m, Envelopes: []events.Envelope{e}}
}

type commandRow struct {
	Offset      int64  `db:"offset"`
	EventID     string `db:"event_id"`
	Destination string `db:"destination"`
	Tx          string `db:"tx"`
}

func commandRows(t *testing.T, db *sqlx.DB) []commandRow {
	t.Helper()
	var rows []commandRow
	if err := db.Select(&rows, `SELECT "offset", event_id, destination, transaction_id::text AS tx
		FROM watermill_outbox_commands ORDER BY "offset"`); err != nil {
		t.Fatal(err)
	}
	return rows
}

func TestAcceptMessagesWritesABatchInOneTransaction(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	ctx := context.Background()
	a, b := newInstance(t, s), newInstance(t, s)
	// A key a's earlier send took: its repeat stores nothing.
	taken := accepted(t, a.ID, "5511999990001", "taken")
	if _, err := s.AcceptMessages(ctx, []app.Accepted{taken}); err != nil {
		t.Fatal(err)
	}
	before := len(commandRows(t, db))

	var batch []app.Accepted
	for i := range 10 {
		in := a.ID
		if i%2 == 1 {
			in = b.ID
		}
		batch = append(batch, accepted(t, in, "5511999990002", ""))
	}
	batch[4].Envelopes = nil // scheduled: no command yet
	batch = append(batch, accepted(t, a.ID, "5511999990003", "taken"))
	inserted, err := s.AcceptMessages(ctx, batch)
	if err != nil {
		t.Fatal(err)
	}
	var want []string // event ids in batch order
	for i, acc := range batch {
		if inserted[i] != (i < 10) {
			t.Fatalf("inserted[%d] = %v", i, inserted[i])
		}
		if i < 10 {
			if _, err := s.Message(ctx, acc.Message.InstanceID, acc.Message.ID); err != nil {
				t.Fatalf("message %d: %v", i, err)
			}
			for _, e := range acc.Envelopes {
				want = append(want, e.ID)
			}
		}
	}
	rows := commandRows(t, db)[before:]
	var got []string
	for _, r := range rows {
		got = append(got, r.EventID)
		if r.Tx != rows[0].Tx {
			t.Fatalf("outbox rows of two transactions: %s and %s", rows[0].Tx, r.Tx)
		}
	}
	// Offsets follow the batch: each instance's commands keep the order in
	// which their sends were accepted.
	if !slices.Equal(got, want) {
		t.Fatalf("outbox event ids in offset order\n got %v\nwant %v", got, want)
	}
	if rows[1].Destination != "instance."+b.ID+".send_message" {
		t.Fatalf("destination %q", rows[1].Destination)
	}
	if m, err := s.MessageByIdempotencyKey(ctx, a.ID, "taken"); err != nil || m.ID != taken.Message.ID {
		t.Fatalf("the key's message: %v %+v", err, m)
	}
}

func TestAcceptMessagesRefusesAMissingInstance(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	ctx := context.Background()
	in := newInstance(t, s)
	gone := domain.NewID(time.Now())
	good, bad := accepted(t, in.ID, "5511999990002", ""), accepted(t, gone, "5511999990002", "")
	if _, err := s.AcceptMessages(ctx, []app.Accepted{good, bad}); err == nil {
		t.Fatal("a batch naming a missing instance was stored")
	}
	if _, err := s.Message(ctx, in.ID, good.Message.ID); !domain.IsNotFound(err) {
		t.Fatalf("the failed batch left its good message: %v", err)
	}
	if n := len(commandRows(t, db)); n != 0 {
		t.Fatalf("the failed batch left %d commands", n)
	}
	if _, err := s.AcceptMessages(ctx, []app.Accepted{bad}); !domain.IsNotFound(err) {
		t.Fatalf("alone: %v", err)
	}
}

func TestRecipientContacts(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	ctx := context.Background()
	a, b := newInstance(t, s), newInstance(t, s)
	if err := s.InTx(ctx, func(tx app.Tx) error {
		return tx.RecordContacts(ctx, a.ID, []domain.ContactObservation{
			{JID: "5511999990001@s.whatsapp.net", LID: "777@lid", Phone: "5511999990001"}})
	}); err != nil {
		t.Fatal(err)
	}
	addr := func(s string) domain.Address {
		ad, ok := domain.ParseAddress(s)
		if !ok {
			t.Fatalf("address %q", s)
		}
		return ad
	}
	refs := []app.ContactRef{
		{InstanceID: a.ID, Addr: addr("5511999990001")},
		{InstanceID: b.ID, Addr: addr("5511999990001")}, // another instance's contact
		{InstanceID: a.ID, Addr: addr("777@lid")},
		{InstanceID: a.ID, Addr: addr("5511999990009")},
	}
	cs, err := s.RecipientContacts(ctx, refs)
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 4 || cs[0] == nil || cs[0].LID != "777@lid" || cs[1] != nil || cs[2] == nil || cs[2].Phone != "5511999990001" || cs[3] != nil {
		t.Fatalf("contacts %+v", cs)
	}
}

// gatedAccepts holds the first write until released, so the sends that
// arrive meanwhile make one batch; it records the size of every write.
type gatedAccepts struct {
	*postgres.Store
	entered chan struct{}
	release chan struct{}

	mu    sync.Mutex
	sizes []int
}

func (g *gatedAccepts) AcceptMessages(ctx context.Context, batch []app.Accepted) ([]bool, error) {
	g.mu.Lock()
	first := g.sizes == nil
	g.sizes = append(g.sizes, len(batch))
	g.mu.Unlock()
	if first {
		close(g.entered)
		<-g.release
	}
	return g.Store.AcceptMessages(ctx, batch)
}

func TestCommitterOnPostgres(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan error, 1)
	t.Cleanup(func() {
		cancel()
		if err := <-stopped; err != nil {
			t.Error(err)
		}
	})
	in := newInstance(t, s)
	g := &gatedAccepts{Store: s, entered: make(chan struct{}), release: make(chan struct{})}
	c := app.NewCommitter(g, 64, quiet)
	go func() { stopped <- c.Run(ctx) }()
	a := app.New(app.Deps{Store: s, Contacts: s, Committer: c, Log: quiet})
	send := func(instanceID string) (*domain.Message, error) {
		m, _, err := a.SendMessage(ctx, app.SendMessage{InstanceID: instanceID, To: "5511999990002", Type: "text", Text: "hi"})
		return m, err
	}

	// One bad send fails alone: a batch of good, missing, good.
	type outcome struct {
		m   *domain.Message
		err error
	}
	first := make(chan outcome, 1)
	go func() { m, err := send(in.ID); first <- outcome{m, err} }()
	<-g.entered
	gone := domain.NewID(time.Now())
	outs := make([]chan outcome, 3)
	for i, id := range []string{in.ID, gone, in.ID} {
		outs[i] = make(chan outcome, 1)
		go func() { m, err := send(id); outs[i] <- outcome{m, err} }()
		for j := 0; c.Waiting() != i+1; j++ {
			if j == 5000 {
				t.Fatalf("%d sends wait, want %d", c.Waiting(), i+1)
			}
			time.Sleep(time.Millisecond) // polling for a fact
		}
	}
	close(g.release)
	if o := <-first; o.err != nil {
		t.Fatal(o.err)
	}
	for i, out := range outs {
		o := <-out
		if bad := i == 1; bad != domain.IsNotFound(o.err) || (!bad && o.err != nil) {
			t.Fatalf("send %d: %v", i, o.err)
		}
	}
	g.mu.Lock()
	sizes := slices.Clone(g.sizes)
	g.mu.Unlock()
	if !slices.Equal(sizes, []int{1, 3, 1, 1, 1}) {
		t.Fatalf("writes of %v sends, want the batch of three retried one by one", sizes)
	}

	// Concurrent clients, each sending in turn: a send answered earlier has
	// an earlier command.
	const clients, each = 4, 10
	ids := make([][]string, clients)
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for k := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				m, err := send(in.ID)
				if err != nil {
					errs <- err
					return
				}
				ids[k] = append(ids[k], m.ID)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// The command's message id, inside the forwarder's envelope.
	var order []string
	if err := db.Select(&order, `SELECT convert_from(decode(payload->>'payload', 'base64'), 'UTF8')::jsonb->'data'->>'message_id'
		FROM watermill_outbox_commands ORDER BY "offset"`); err != nil {
		t.Fatal(err)
	}
	at := map[string]int{}
	for i, id := range order {
		at[id] = i
	}
	for k, sent := range ids {
		for i := 1; i < len(sent); i++ {
			prev, ok1 := at[sent[i-1]]
			cur, ok2 := at[sent[i]]
			if !ok1 || !ok2 || prev >= cur {
				t.Fatalf("client %d: send %d has no command after send %d's (%d, %d)", k, i, i-1, prev, cur)
			}
		}
	}
}

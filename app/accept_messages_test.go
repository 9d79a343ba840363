package app

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/zapgate/zapgate/domain"
)

// acceptFake is an AcceptStore that keeps the batches it was given. With a
// gate, each write announces itself on entered and waits for a token.
type acceptFake struct {
	gate    chan struct{}
	entered chan []string

	mu      sync.Mutex
	batches [][]string         // message ids per AcceptMessages call
	keys    map[[2]string]bool // instance + idempotency key stored
	missing map[string]bool    // instances that do not exist
	stored  []string
}

func newAcceptFake(gated bool) *acceptFake {
	f := &acceptFake{keys: map[[2]string]bool{}, missing: map[string]bool{}}
	if gated {
		f.gate, f.entered = make(chan struct{}), make(chan []string, 16)
	}
	return f
}

func (f *acceptFake) RecipientContacts(_ context.Context, refs []ContactRef) ([]*domain.Contact, error) {
	out := make([]*domain.Contact, len(refs))
	for i, r := range refs {
		if r.Addr.Phone() == "5511999990000" {
			out[i] = &domain.Contact{Phone: "5511999990000", LID: "12345@lid"}
		}
	}
	return out, nil
}

func (f *acceptFake) AcceptMessages(_ context.Context, batch []Accepted) ([]bool, error) {
	var ids []string
	for _, a := range batch {
		ids = append(ids, a.Message.ID)
	}
	if f.gate != nil {
		f.entered <- ids
		<-f.gate
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batches = append(f.batches, ids)
	for _, a := range batch {
		if f.missing[a.Message.InstanceID] {
			return nil, domain.NotFound("instance") // the whole transaction fails
		}
	}
	inserted := make([]bool, len(batch))
	for i, a := range batch {
		k := [2]string{a.Message.InstanceID, a.Message.IdempotencyKey}
		if k[1] != "" && f.keys[k] {
			continue
		}
		f.keys[k] = true
		inserted[i] = true
		f.stored = append(f.stored, a.Message.ID)
	}
	return inserted, nil
}

func (f *acceptFake) sizes() []int {
	f.mu.Lock()
	defer f.mu.Unlock()
	var n []int
	for _, b := range f.batches {
		n = append(n, len(b))
	}
	return n
}

func testMessage(t *testing.T, instanceID, to, key string) *domain.Message {
	t.Helper()
	m, err := domain.NewOutgoing(domain.OutgoingDraft{InstanceID: instanceID, To: to, Type: "text", Text: "hi", IdempotencyKey: key},
		time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// startCommitter runs c until the test ends, or until cancel; wait
// returns when Run has.
func startCommitter(t *testing.T, c *Committer) (cancel func(), wait func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	wait = func() {
		once.Do(func() {
			if err := <-done; err != nil {
				t.Errorf("Run: %v", err)
			}
		})
	}
	t.Cleanup(func() { cancel(); wait() })
	return cancel, wait
}

type acceptOutcome struct {
	inserted bool
	err      error
}

// acceptAsync sends m to c from its own goroutine.
func acceptAsync(ctx context.Context, c *Committer, m *domain.Message) <-chan acceptOutcome {
	out := make(chan acceptOutcome, 1)
	go func() {
		ok, err := c.accept(ctx, Accepted{Message: m})
		out <- acceptOutcome{ok, err}
	}()
	return out
}

// waitQueued waits until n sends wait for a batch.
func waitQueued(t *testing.T, c *Committer, n int) {
	t.Helper()
	for i := 0; c.Waiting() != n; i++ {
		if i == 5000 {
			t.Fatalf("%d sends queued, want %d", c.Waiting(), n)
		}
		time.Sleep(time.Millisecond) // polling for a fact, not a timing
	}
}

var discard = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestCommitterIdleSendCommitsAtOnce(t *testing.T) {
	f := newAcceptFake(false)
	c := NewCommitter(f, 64, discard)
	startCommitter(t, c)
	// Nobody else comes: a committer waiting to fill a batch would hang.
	in := domain.NewID(time.Now())
	for i := range 3 {
		ok, err := c.accept(context.Background(), Accepted{Message: testMessage(t, in, "5511999998888", "")})
		if err != nil || !ok {
			t.Fatalf("send %d: inserted %v, err %v", i, ok, err)
		}
	}
	if got := f.sizes(); !slices.Equal(got, []int{1, 1, 1}) {
		t.Fatalf("batches %v, want three of one", got)
	}
}

func TestCommitterBatchesWhatArrivesDuringACommit(t *testing.T) {
	tests := []struct {
		name     string
		max      int
		waiting  int
		want     []int
		wantKeys int // of the waiting sends, how many carry one key (one is stored)
	}{
		{"all waiting share one transaction", 64, 5, []int{1, 5}, 0},
		{"batches are capped", 2, 5, []int{1, 2, 2, 1}, 0},
		{"a repeated key waits for the next batch", 64, 4, []int{1, 3, 1}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newAcceptFake(true)
			c := NewCommitter(f, tt.max, discard)
			startCommitter(t, c)
			in := domain.NewID(time.Now())
			first := acceptAsync(context.Background(), c, testMessage(t, in, "5511999998888", ""))
			<-f.entered // the first send is being written
			var outs []<-chan acceptOutcome
			for i := range tt.waiting {
				key := ""
				if i < tt.wantKeys {
					key = "same"
				}
				outs = append(outs, acceptAsync(context.Background(), c, testMessage(t, in, "5511999998888", key)))
				waitQueued(t, c, i+1) // arrival order is the order of i
			}
			go func() {
				for range f.entered {
					f.gate <- struct{}{}
				}
			}()
			f.gate <- struct{}{}
			if o := <-first; o.err != nil || !o.inserted {
				t.Fatalf("first: %+v", o)
			}
			inserted := 0
			for i, out := range outs {
				o := <-out
				if o.err != nil {
					t.Fatalf("send %d: %v", i, o.err)
				}
				if o.inserted {
					inserted++
				}
			}
			if want := tt.waiting - max(tt.wantKeys-1, 0); inserted != want {
				t.Fatalf("%d inserted, want %d", inserted, want)
			}
			close(f.entered)
			if got := f.sizes(); !slices.Equal(got, tt.want) {
				t.Fatalf("batches %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCommitterOneBadSendFailsAlone(t *testing.T) {
	f := newAcceptFake(true)
	good, gone := domain.NewID(time.Now()), domain.NewID(time.Now())
	f.missing[gone] = true
	c := NewCommitter(f, 64, discard)
	startCommitter(t, c)
	first := acceptAsync(context.Background(), c, testMessage(t, good, "5511999998888", ""))
	<-f.entered
	var outs []<-chan acceptOutcome
	for i, in := range []string{good, gone, good} {
		outs = append(outs, acceptAsync(context.Background(), c, testMessage(t, in, "5511999998888", "")))
		waitQueued(t, c, i+1)
	}
	go func() {
		for range f.entered {
			f.gate <- struct{}{}
		}
	}()
	f.gate <- struct{}{}
	<-first
	for i, out := range outs {
		o := <-out
		if bad := i == 1; bad != domain.IsNotFound(o.err) || (!bad && !o.inserted) {
			t.Fatalf("send %d: %+v", i, o)
		}
	}
	close(f.entered)
	// The batch of three failed, then each was written alone.
	if got := f.sizes(); !slices.Equal(got, []int{1, 3, 1, 1, 1}) {
		t.Fatalf("batches %v", got)
	}
	if len(f.stored) != 3 {
		t.Fatalf("stored %d, want 3", len(f.stored))
	}
}

func TestCommitterDropsCancelledSends(t *testing.T) {
	f := newAcceptFake(true)
	c := NewCommitter(f, 64, discard)
	startCommitter(t, c)
	in := domain.NewID(time.Now())
	first := acceptAsync(context.Background(), c, testMessage(t, in, "5511999998888", ""))
	<-f.entered
	ctx, cancel := context.WithCancel(context.Background())
	gone := testMessage(t, in, "5511999998888", "")
	cancelled := acceptAsync(ctx, c, gone)
	waitQueued(t, c, 1)
	cancel() // before its batch starts
	kept := acceptAsync(context.Background(), c, testMessage(t, in, "5511999998888", ""))
	waitQueued(t, c, 2)
	go func() {
		for range f.entered {
			f.gate <- struct{}{}
		}
	}()
	f.gate <- struct{}{}
	<-first
	if o := <-cancelled; !errors.Is(o.err, context.Canceled) {
		t.Fatalf("cancelled send: %+v", o)
	}
	if o := <-kept; o.err != nil || !o.inserted {
		t.Fatalf("kept send: %+v", o)
	}
	close(f.entered)
	if slices.Contains(f.stored, gone.ID) || !slices.Equal(f.sizes(), []int{1, 1}) {
		t.Fatalf("batches %v, stored %v", f.sizes(), f.stored)
	}
}

func TestCommitterStops(t *testing.T) {
	f := newAcceptFake(true)
	c := NewCommitter(f, 64, discard)
	cancel, wait := startCommitter(t, c)
	in := domain.NewID(time.Now())
	inFlight := acceptAsync(context.Background(), c, testMessage(t, in, "5511999998888", ""))
	<-f.entered
	waiting := acceptAsync(context.Background(), c, testMessage(t, in, "5511999998888", ""))
	waitQueued(t, c, 1)
	cancel()
	f.gate <- struct{}{} // the batch in flight finishes
	wait()
	if o := <-inFlight; o.err != nil || !o.inserted {
		t.Fatalf("the batch in flight: %+v", o)
	}
	if o := <-waiting; domain.KindOf(o.err) != domain.KindUnavailable {
		t.Fatalf("a waiting send: %+v", o)
	}
	if _, err := c.accept(context.Background(), Accepted{Message: testMessage(t, in, "5511999998888", "")}); domain.KindOf(err) != domain.KindUnavailable {
		t.Fatalf("a send after the stop: %v", err)
	}
}

func TestCommitterFillsRecipientsFromContacts(t *testing.T) {
	f := newAcceptFake(false)
	c := NewCommitter(f, 64, discard)
	startCommitter(t, c)
	in := domain.NewID(time.Now())
	known, unknown := testMessage(t, in, "5511999990000", ""), testMessage(t, in, "5511999998888", "")
	for _, m := range []*domain.Message{known, unknown} {
		if _, err := c.accept(context.Background(), Accepted{Message: m}); err != nil {
			t.Fatal(err)
		}
	}
	if known.ToLID != "12345@lid" || unknown.ToLID != "" {
		t.Fatalf("to_lid %q and %q", known.ToLID, unknown.ToLID)
	}
}

func TestPlanBatch(t *testing.T) {
	live, cancelled := context.Background(), func() context.Context {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		return ctx
	}()
	req := func(ctx context.Context, instance, key string) *acceptRequest {
		return &acceptRequest{ctx: ctx, item: Accepted{Message: &domain.Message{InstanceID: instance, IdempotencyKey: key}}}
	}
	a1, a2, b1 := req(live, "a", "k1"), req(live, "a", "k1"), req(live, "b", "k1")
	n1, n2, n3 := req(live, "a", ""), req(live, "a", ""), req(live, "a", "")
	gone := req(cancelled, "a", "")
	tests := []struct {
		name                  string
		pending               []*acceptRequest
		max                   int
		batch, later, dropped []*acceptRequest
	}{
		{"all fit", []*acceptRequest{n1, n2, n3}, 64, []*acceptRequest{n1, n2, n3}, nil, nil},
		{"capped, the rest later in order", []*acceptRequest{n1, n2, n3}, 2, []*acceptRequest{n1, n2}, []*acceptRequest{n3}, nil},
		{"a key repeated for one instance waits", []*acceptRequest{a1, n1, a2, b1}, 64, []*acceptRequest{a1, n1, b1}, []*acceptRequest{a2}, nil},
		{"cancelled are dropped", []*acceptRequest{n1, gone, n2}, 64, []*acceptRequest{n1, n2}, nil, []*acceptRequest{gone}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := planBatch(tt.pending, tt.max)
			if !slices.Equal(p.batch, tt.batch) || !slices.Equal(p.later, tt.later) || !slices.Equal(p.dropped, tt.dropped) {
				t.Fatalf("got %d/%d/%d", len(p.batch), len(p.later), len(p.dropped))
			}
		})
	}
}

// AcceptMessages lets the fake store stand behind a Committer: the batch in
// one fake transaction, refused whole when an instance is missing.
func (s *fakeStore) AcceptMessages(ctx context.Context, batch []Accepted) ([]bool, error) {
	inserted := make([]bool, len(batch))
	err := s.InTx(ctx, func(tx Tx) error {
		for i, a := range batch {
			if _, ok := tx.(*fakeTx).instances[a.Message.InstanceID]; !ok {
				return domain.NotFound("instance")
			}
			ok, err := tx.InsertMessage(ctx, a.Message)
			if err != nil {
				return err
			}
			if inserted[i] = ok; ok {
				if err := tx.Publish(ctx, a.Envelopes...); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return inserted, err
}

func (s *fakeStore) RecipientContacts(ctx context.Context, refs []ContactRef) ([]*domain.Contact, error) {
	return make([]*domain.Contact, len(refs)), nil
}

func TestSendMessageThroughTheCommitter(t *testing.T) {
	at := time.Date(2026, 11, 24, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name        string
		first, then func(instanceID string) SendMessage // then: nil, or a second send
		wantKind    domain.Kind
		wantCreated bool
		wantCmds    int
	}{
		{"text is queued with its command", func(id string) SendMessage {
			return SendMessage{InstanceID: id, To: "5511999998888", Type: "text", Text: "hi"}
		}, nil, 0, true, 1},
		{"scheduled waits without a command", func(id string) SendMessage {
			return SendMessage{InstanceID: id, To: "5511999998888", Type: "text", Text: "later", SendAt: &at}
		}, nil, 0, true, 0},
		{"unknown instance", func(string) SendMessage {
			return SendMessage{InstanceID: domain.NewID(time.Now()), To: "5511999998888", Type: "text", Text: "x"}
		}, nil, domain.KindNotFound, false, 0},
		{"malformed instance id", func(string) SendMessage {
			return SendMessage{InstanceID: "nope", To: "5511999998888", Type: "text", Text: "x"}
		}, nil, domain.KindNotFound, false, 0},
		{"a key repeated with the same body answers the first", func(id string) SendMessage {
			return SendMessage{InstanceID: id, To: "5511999998888", Type: "text", Text: "x", IdempotencyKey: "k"}
		}, func(id string) SendMessage {
			return SendMessage{InstanceID: id, To: "5511999998888", Type: "text", Text: "x", IdempotencyKey: "k"}
		}, 0, false, 1},
		{"a key reused for another body is refused", func(id string) SendMessage {
			return SendMessage{InstanceID: id, To: "5511999998888", Type: "text", Text: "x", IdempotencyKey: "k"}
		}, func(id string) SendMessage {
			return SendMessage{InstanceID: id, To: "5511999998888", Type: "text", Text: "y", IdempotencyKey: "k"}
		}, domain.KindOf(domain.ErrIdempotencyKeyReused), false, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := newFakeStore()
			c := NewCommitter(store, 64, discard)
			startCommitter(t, c)
			clock := func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }
			a := New(Deps{Store: store, Storage: &fakeStorage{}, Committer: c, Clock: clock, Log: discard})
			in, _, err := a.CreateInstance(context.Background(), "sales")
			if err != nil {
				t.Fatal(err)
			}
			store.published = nil
			m, created, err := a.SendMessage(context.Background(), tt.first(in.ID))
			if tt.then != nil {
				if err != nil {
					t.Fatal(err)
				}
				var again *domain.Message
				again, created, err = a.SendMessage(context.Background(), tt.then(in.ID))
				if err == nil && again.ID != m.ID {
					t.Fatalf("the repeat answered %s, not the first %s", again.ID, m.ID)
				}
			}
			if domain.KindOf(err) != tt.wantKind || (tt.wantKind != 0) != (err != nil) || created != tt.wantCreated {
				t.Fatalf("created %v, err %v", created, err)
			}
			if len(store.published) != tt.wantCmds {
				t.Fatalf("%d commands queued, want %d", len(store.published), tt.wantCmds)
			}
		})
	}
}

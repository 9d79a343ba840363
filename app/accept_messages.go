package app

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// Accepted is a send ready to be stored: the message and the envelopes
// committed with it (its cmd.send_message; none when it is scheduled).
type Accepted struct {
	Message   *domain.Message
	Envelopes []events.Envelope
}

// ContactRef names a person an instance writes to.
type ContactRef struct {
	InstanceID string
	Addr       domain.Address
}

// AcceptStore writes accepted sends many at a time (the Committer).
type AcceptStore interface {
	// RecipientContacts reads, in one statement, the contact whose phone
	// JID or LID is each ref's address: cs[i] is nil when refs[i] is not a
	// known contact.
	RecipientContacts(ctx context.Context, refs []ContactRef) (cs []*domain.Contact, err error)
	// AcceptMessages stores the batch in one transaction, with multi-row
	// statements, writing the envelopes of the messages it inserts in the
	// batch's order. inserted[i] is false when batch[i]'s idempotency key
	// was already taken: nothing of it is stored. A batch of one whose
	// instance does not exist fails with not_found "instance".
	AcceptMessages(ctx context.Context, batch []Accepted) (inserted []bool, err error)
}

// DefaultAcceptBatch is how many sends one transaction takes at most.
const DefaultAcceptBatch = 64

// errCommitterStopped answers the sends that arrive while zapgate stops.
var errCommitterStopped = &domain.Error{Kind: domain.KindUnavailable, Code: "unavailable",
	Message: "zapgate is stopping: the message was not accepted; retry shortly"}

// Committer is the group commit of accepted sends (DESIGN.md "Accepting at
// the speed of the database"): sends that arrive while a transaction is in
// flight wait for it and then share the next one, so under load the cost of
// a commit (and its fsync) is paid once per batch, and an idle system
// commits each send at once, waiting for nobody.
type Committer struct {
	store AcceptStore
	max   int
	log   *slog.Logger
	wake  chan struct{} // one token: something was queued

	mu      sync.Mutex
	queue   []*acceptRequest // in arrival order
	stopped bool
}

type acceptRequest struct {
	ctx    context.Context
	item   Accepted
	answer chan acceptResult // buffered: Run never blocks on a reply
}

type acceptResult struct {
	inserted bool
	err      error
}

// NewCommitter returns a Committer writing batches of at most max sends
// (0: DefaultAcceptBatch). Run must be running for sends to be accepted.
func NewCommitter(store AcceptStore, max int, log *slog.Logger) *Committer {
	if max <= 0 {
		max = DefaultAcceptBatch
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Committer{store: store, max: max, log: log, wake: make(chan struct{}, 1)}
}

// accept queues item for the next batch and waits until it is answered.
// It reports false when the message's idempotency key was already taken.
func (c *Committer) accept(ctx context.Context, item Accepted) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	r := &acceptRequest{ctx: ctx, item: item, answer: make(chan acceptResult, 1)}
	c.mu.Lock()
	if c.stopped {
		c.mu.Unlock()
		return false, errCommitterStopped
	}
	c.queue = append(c.queue, r)
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default: // Run is already woken
	}
	// Everything queued is answered (written, dropped or refused on stop),
	// so this wait is bounded by the write of the batch it is in.
	res := <-r.answer
	return res.inserted, res.err
}

// Waiting is how many sends wait for a batch (for gauges and tests).
func (c *Committer) Waiting() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.queue)
}

// Run commits batches until ctx ends; then it refuses what waits and what
// comes. The batch being written when ctx ends is finished, so its answers
// are the truth.
func (c *Committer) Run(ctx context.Context) error {
	defer c.stop()
	write := context.WithoutCancel(ctx)
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-c.wake:
		}
		// Whoever queued while the last batch was written goes in the
		// next one: no deliberate waiting, an idle system commits at once.
		for ctx.Err() == nil {
			c.mu.Lock()
			plan := planBatch(c.queue, c.max)
			c.queue = plan.later
			c.mu.Unlock()
			for _, r := range plan.dropped {
				r.answer <- acceptResult{err: r.ctx.Err()}
			}
			if len(plan.batch) == 0 {
				break
			}
			c.commit(write, plan.batch)
		}
	}
}

// stop refuses the sends that wait and those that come.
func (c *Committer) stop() {
	c.mu.Lock()
	c.stopped = true
	queue := c.queue
	c.queue = nil
	c.mu.Unlock()
	for _, r := range queue {
		r.answer <- acceptResult{err: errCommitterStopped}
	}
}

// batchPlan is what one turn of the committer does with the waiting sends.
type batchPlan struct {
	batch   []*acceptRequest // written now, in arrival order
	later   []*acceptRequest // left for the next batch, in arrival order
	dropped []*acceptRequest // their requests were cancelled: not written
}

// planBatch takes up to max waiting sends in arrival order. A send whose
// idempotency key an earlier one of the batch carries for the same instance
// waits for the next batch: there it finds the first one stored and answers
// with it, as if the two had come one after the other.
func planBatch(pending []*acceptRequest, max int) batchPlan {
	type key struct{ instance, key string }
	var p batchPlan
	keys := map[key]bool{}
	for _, r := range pending {
		if r.ctx.Err() != nil {
			p.dropped = append(p.dropped, r)
			continue
		}
		m := r.item.Message
		k := key{m.InstanceID, m.IdempotencyKey}
		if len(p.batch) == max || (k.key != "" && keys[k]) {
			p.later = append(p.later, r)
			continue
		}
		if k.key != "" {
			keys[k] = true
		}
		p.batch = append(p.batch, r)
	}
	return p
}

// commit writes one batch and answers its members. When the batch fails,
// its members are written one by one, so one bad send (an instance deleted
// meanwhile, a row the database refuses) fails alone.
func (c *Committer) commit(ctx context.Context, batch []*acceptRequest) {
	items := make([]Accepted, len(batch))
	for i, r := range batch {
		items[i] = r.item
	}
	if err := c.knowRecipients(ctx, items); err != nil {
		for _, r := range batch {
			r.answer <- acceptResult{err: err}
		}
		return
	}
	inserted, err := c.store.AcceptMessages(ctx, items)
	if err == nil {
		for i, r := range batch {
			r.answer <- acceptResult{inserted: inserted[i]}
		}
		return
	}
	if len(batch) > 1 {
		c.log.Warn("a batch of sends failed: writing them one by one", "sends", len(batch), "err", err)
	}
	for _, r := range batch {
		inserted, err := c.store.AcceptMessages(ctx, []Accepted{r.item})
		res := acceptResult{err: err}
		if err == nil {
			res.inserted = inserted[0]
		}
		r.answer <- res
	}
}

// knowRecipients fills the recipients' phones and LIDs from the contacts
// (see knowRecipient), reading them for the whole batch at once.
func (c *Committer) knowRecipients(ctx context.Context, items []Accepted) error {
	var refs []ContactRef
	var to []*domain.Message
	for _, it := range items {
		m := it.Message
		if m.IsGroup {
			continue
		}
		if addr, ok := domain.ParseAddress(m.Chat); ok {
			refs = append(refs, ContactRef{InstanceID: m.InstanceID, Addr: addr})
			to = append(to, m)
		}
	}
	if len(refs) == 0 {
		return nil
	}
	cs, err := c.store.RecipientContacts(ctx, refs)
	if err != nil {
		return fmt.Errorf("read the recipients' contacts: %w", err)
	}
	for i, ct := range cs {
		if ct != nil {
			to[i].KnowRecipient(*ct)
		}
	}
	return nil
}

package messaging

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// Batching one instance's queue: the consumer takes whatever commands are
// ready (up to maxBatch), reads which of their messages are still queued in
// one statement, sends those to WhatsApp one after another in queue order,
// and hands each outcome to the instance's recorder. The recorder stores
// the outcomes that piled up while it was busy in one transaction and only
// then acknowledges their commands.
//
// Order holds because sends are serial. Exactly-once holds because:
//   - a command is acknowledged only after its outcome is stored;
//   - a command delivered again finds its message no longer queued, or, if
//     the earlier consumer died between send and record, carries the
//     broker's redelivered flag, and the driver's SendChecker looks before
//     sending again;
//   - a second copy of a command (the forwarder is at least once) whose
//     first copy's outcome is still with the recorder is skipped.
const (
	maxBatch    = 64
	maxRecorded = 64
	// recordGrace is how long the recorder keeps trying to store outcomes
	// after shutdown began; the commands of outcomes it could not store go
	// back to the queue and are checked before any resend.
	recordGrace = 30 * time.Second
)

// consumeQueue runs one instance's consumer until msgs closes. A command
// that could not be handled before shutdown is nacked, and so is every
// command after it, which keeps the queue's order.
func (b *Bot) consumeQueue(ctx context.Context, instanceID string, msgs <-chan *message.Message, c *consumer, handle message.NoPublishHandlerFunc) {
	rec := newRecorder(b, instanceID)
	recorded := make(chan struct{})
	go func() {
		defer close(recorded)
		rec.run(ctx)
	}()
	defer func() {
		close(rec.in)
		<-recorded
	}()
	if c.holds == nil {
		c.holds = newHolds(0)
	}
	batch := make([]*message.Message, 0, maxBatch)
	for {
		var ok bool
		batch, ok = b.nextSendBatch(ctx, instanceID, msgs, batch[:0], c, rec)
		if !ok {
			// Stopped while releasing held messages: they stay held.
			c.cancel()
			for msg := range msgs {
				msg.Nack()
			}
			return
		}
		if len(batch) == 0 {
			return
		}
		if n := b.process(ctx, instanceID, batch, c, rec, handle); n < len(batch) {
			for _, msg := range batch[n:] {
				msg.Nack()
			}
			// Stop the subscription and hand back whatever else arrives.
			c.cancel()
			for msg := range msgs {
				msg.Nack()
			}
			return
		}
	}
}

// sendCommand is a decoded cmd.send_message, or a held message released
// (msg nil: its command was acknowledged when it was held).
type sendCommand struct {
	msg        *message.Message
	messageID  string
	occurredAt time.Time
}

func decodeSend(msg *message.Message) (sendCommand, bool) {
	env, err := events.FromMessage(msg)
	if err != nil || env.Type != events.CmdSendMessage {
		return sendCommand{}, false
	}
	var cmd events.SendMessage
	if err := json.Unmarshal(env.Data, &cmd); err != nil || !domain.ValidID(cmd.MessageID) {
		return sendCommand{}, false
	}
	return sendCommand{msg: msg, messageID: cmd.MessageID, occurredAt: env.OccurredAt}, true
}

// process handles a batch in order and returns how many of its messages it
// settled (acked, or passed to the recorder); fewer than all means it was
// stopped.
func (b *Bot) process(ctx context.Context, instanceID string, batch []*message.Message, c *consumer, rec *recorder, handle message.NoPublishHandlerFunc) int {
	for i := 0; i < len(batch); {
		var run []sendCommand
		for j := i; j < len(batch); j++ {
			cmd, ok := decodeSend(batch[j])
			if !ok {
				break
			}
			run = append(run, cmd)
		}
		if len(run) > 0 {
			n := b.sendRun(ctx, instanceID, run, c, rec)
			i += n
			if n < len(run) {
				return i
			}
			continue
		}
		// Anything else (logout, undecodable, unknown) goes through the
		// middleware chain once every earlier send is recorded.
		if !rec.wait(ctx) || !b.awaitHealth(ctx, instanceID) {
			return i
		}
		if err := handle(batch[i]); err != nil {
			return i
		}
		batch[i].Ack()
		i++
	}
	return len(batch)
}

// sendRun sends a run of send commands in order and returns how many it
// passed to the recorder.
func (b *Bot) sendRun(ctx context.Context, instanceID string, run []sendCommand, cons *consumer, rec *recorder) int {
	ids := make([]string, len(run))
	for i, c := range run {
		ids[i] = c.messageID
	}
	// Outcomes still with the recorder are taken before the read: one
	// recorded in between shows up as no longer queued.
	done := rec.pendingAmong(ids)
	var queued map[string]domain.Message
	if err := retry(ctx, b.log, func() (err error) {
		queued, err = b.app.QueuedSends(ctx, instanceID, ids)
		return err
	}); err != nil {
		return 0
	}
	// The new-contact cap (holds.go): held messages are acked like sent ones.
	hold, ok := b.admit(ctx, instanceID, run, queued, cons, rec)
	if !ok {
		return 0
	}
	for i, c := range run {
		m, ok := queued[c.messageID]
		if !ok || done[c.messageID] || hold[c.messageID] {
			rec.add(recordItem{msg: c.msg}) // nothing to send: acked in turn
			continue
		}
		done[c.messageID] = true
		ps := app.PreparedSend{Message: m, MaybeSent: c.msg.Metadata.Get(events.MetaRedelivered) == "true"}
		if !b.sendUntilDone(ctx, c, ps, cons.pacer, rec) {
			return i
		}
	}
	return len(run)
}

// sendUntilDone sends one message, retrying transient failures, and hands
// the command to the recorder; false if ctx ended first.
func (b *Bot) sendUntilDone(ctx context.Context, c sendCommand, ps app.PreparedSend, p *pacer, rec *recorder) bool {
	instanceID := ps.Message.InstanceID
	for tries := 1; ; tries++ {
		// A paused instance waits here: no retry storm (health.go).
		if !b.awaitHealth(ctx, instanceID) {
			return false
		}
		if err := p.wait(ctx); err != nil {
			return false
		}
		out, err := b.sendOne(ctx, ps)
		if err == nil {
			if out.Err == nil {
				p.sent(out.At)
			}
			rec.add(recordItem{msg: c.msg, out: &out, occurredAt: c.occurredAt})
			return true
		}
		if b.pauseOn(ctx, instanceID, err) {
			tries = 0 // the gate waits now, not the backoff
		} else {
			b.log.Warn("send failed, will retry", "instance", instanceID, "message", c.messageID, "err", err)
			if !sleep(ctx, backoff(tries)) {
				return false
			}
		}
		// The failed attempt may have reached WhatsApp (a timeout): check
		// before sending again. The message may have changed meanwhile.
		var queued bool
		if err := retry(ctx, b.log, func() error {
			again, err := b.app.QueuedSends(ctx, instanceID, []string{c.messageID})
			ps.Message, queued = again[c.messageID]
			return err
		}); err != nil {
			return false
		}
		if !queued {
			rec.add(recordItem{msg: c.msg})
			return true
		}
		ps.MaybeSent = true
	}
}

// sendOne sends one message. A send that has begun runs to its end even
// when the bot is stopping, so its outcome can be recorded.
func (b *Bot) sendOne(ctx context.Context, p app.PreparedSend) (app.SendOutcome, error) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	start := time.Now()
	out, err := b.app.SendOne(sctx, p)
	if err == nil {
		b.metrics.SendDuration.Observe(time.Since(start).Seconds())
	}
	return out, err
}

// recordItem is one command for the recorder: an outcome to store, or
// nothing (the message was no longer queued), or a barrier.
type recordItem struct {
	msg        *message.Message
	out        *app.SendOutcome
	occurredAt time.Time
	barrier    chan struct{}
}

// recorder stores one instance's send outcomes in batches and acknowledges
// their commands, in order.
type recorder struct {
	bot        *Bot
	instanceID string
	in         chan recordItem

	mu      sync.Mutex
	pending map[string]bool // messages whose outcome is not stored yet
}

func newRecorder(b *Bot, instanceID string) *recorder {
	return &recorder{bot: b, instanceID: instanceID, in: make(chan recordItem, maxRecorded), pending: map[string]bool{}}
}

func (r *recorder) add(it recordItem) {
	if it.msg == nil && it.out == nil {
		return // a released held message no longer queued: no command to ack
	}
	if it.out != nil {
		r.mu.Lock()
		r.pending[it.out.MessageID] = true
		r.mu.Unlock()
	}
	r.in <- it
}

// pendingAmong returns the messages among ids whose outcome waits to be
// stored.
func (r *recorder) pendingAmong(ids []string) map[string]bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]bool, len(ids))
	for _, id := range ids {
		if r.pending[id] {
			out[id] = true
		}
	}
	return out
}

// wait returns once everything added so far is recorded; false if ctx
// ended first.
func (r *recorder) wait(ctx context.Context) bool {
	done := make(chan struct{})
	r.in <- recordItem{barrier: done}
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}

func (r *recorder) run(ctx context.Context) {
	items := make([]recordItem, 0, maxRecorded)
	for {
		// A barrier may be followed by more items in the same batch: its
		// waiter only needs what came before recorded.
		if items = nextBatch(r.in, items[:0], maxRecorded); len(items) == 0 {
			return
		}
		r.record(ctx, items)
	}
}

// record stores the outcomes among items in one transaction, retrying
// until it works or recordGrace after shutdown began, then acks (or, given
// up, nacks) every item's command.
func (r *recorder) record(ctx context.Context, items []recordItem) {
	var outs []app.SendOutcome
	for _, it := range items {
		if it.out != nil {
			outs = append(outs, *it.out)
		}
	}
	var statuses []domain.MessageStatus
	stored := len(outs) == 0
	var giveUp <-chan time.Time
	for attempt := 1; !stored; attempt++ {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), recordGrace)
		var err error
		statuses, err = r.bot.app.RecordSends(rctx, r.instanceID, outs)
		cancel()
		if err == nil {
			stored = true
			break
		}
		r.bot.log.Warn("record sends, will retry", "instance", r.instanceID, "count", len(outs), "err", err)
		if giveUp == nil && ctx.Err() != nil {
			giveUp = time.After(recordGrace)
		}
		select {
		case <-giveUp:
			r.bot.log.Error("sends not recorded; their commands go back to the queue", "instance", r.instanceID, "count", len(outs))
		case <-time.After(backoff(attempt)):
			continue
		}
		break
	}
	r.mu.Lock()
	for _, o := range outs {
		delete(r.pending, o.MessageID)
	}
	r.mu.Unlock()
	k := 0
	for _, it := range items {
		switch {
		case it.barrier != nil:
			close(it.barrier)
			continue
		case !stored:
			if it.msg != nil {
				it.msg.Nack()
			}
			continue
		case it.out != nil:
			r.observe(it, statuses[k])
			k++
		}
		if it.msg != nil { // nil: a released held message, acked when it was held
			it.msg.Ack()
		}
	}
}

func (r *recorder) observe(it recordItem, status domain.MessageStatus) {
	m := r.bot.metrics
	switch status {
	case domain.StatusSent:
		m.MessagesSent.Inc()
		m.SendLatency.Observe(time.Since(it.occurredAt).Seconds())
	case domain.StatusFailed:
		m.MessagesFailed.Inc()
	}
}

package messaging

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
)

// The new-contact cap in one instance's consumer (API.md "Sending
// safely"). Before a run of sends, the consumer asks which messages wait
// (app.AdmitSends: one read, one write); those are marked held in Postgres
// and their commands acknowledged, so the queue moves on to messages for
// people already known. Per-chat order: a message to a chat with held
// messages is held too, behind them; a chat is released whole, its
// messages in created order, and anything newer to it that came meanwhile
// was held behind them and goes in a later round. The consumer releases
// held chats itself, between batches, when the cap changes and every
// holdRecheck while messages wait; a released message goes through the
// same send and recorder as a queued one, and stays marked held until its
// send is recorded, so a restart finds it again.

// holdRecheck is how often a consumer with held messages looks whether the
// window lets some go, when nothing else wakes it.
const holdRecheck = 30 * time.Second

// holds is one consumer's state of the cap.
type holds struct {
	cap  atomic.Int64  // new contacts per day in force (warm-up applied); 0 = none
	wake chan struct{} // poked when cap changes; nil never wakes
	// pending is owned by the consumer's goroutine: messages may wait held
	// (true at start, so a restart looks).
	pending bool
}

func newHolds(capNow int) *holds {
	h := &holds{wake: make(chan struct{}, 1), pending: true}
	h.cap.Store(int64(capNow))
	return h
}

// setCap changes the cap in force; a change wakes the consumer, which may
// release at once.
func (h *holds) setCap(n int) {
	if h.cap.Swap(int64(n)) != int64(n) {
		select {
		case h.wake <- struct{}{}:
		default:
		}
	}
}

func (h *holds) capNow() int { return int(h.cap.Load()) }

// nextSendBatch waits for the next batch of commands, releasing held
// messages the window allows first and whenever it wakes while some wait.
// It returns the batch, empty once msgs closed, and false if ctx ended.
func (b *Bot) nextSendBatch(ctx context.Context, instanceID string, msgs <-chan *message.Message, batch []*message.Message,
	c *consumer, rec *recorder) ([]*message.Message, bool) {
	h := c.holds
	for {
		if h.pending && !b.releaseHeld(ctx, instanceID, c, rec) {
			return batch, false
		}
		var recheck <-chan time.Time
		var t *time.Timer
		if h.pending {
			t = time.NewTimer(holdRecheck)
			recheck = t.C
		}
		select {
		case msg, ok := <-msgs:
			if t != nil {
				t.Stop()
			}
			if !ok {
				return batch, true
			}
			// The rest of the batch: whatever is already waiting behind it.
			return nextBatchAfter(msgs, append(batch, msg), maxBatch), true
		case <-h.wake:
		case <-recheck:
		}
		if t != nil {
			t.Stop()
		}
	}
}

// releaseHeld sends the held messages the window allows now; false if ctx
// ended first.
func (b *Bot) releaseHeld(ctx context.Context, instanceID string, c *consumer, rec *recorder) bool {
	// Held rows change when their sends are recorded: wait for those, so
	// a message released and sent is never released again.
	if !rec.wait(ctx) {
		return false
	}
	var ms []domain.Message
	var waiting int
	if err := retry(ctx, b.log, func() (err error) {
		ms, waiting, err = b.app.ReleaseHeld(ctx, instanceID, c.holds.capNow())
		return err
	}); err != nil {
		return false
	}
	// Once those are recorded, a second look finds whether more may go.
	c.holds.pending = waiting > 0 || len(ms) > 0
	if len(ms) > 0 {
		b.log.Info("releasing held messages", "instance", instanceID, "count", len(ms), "chats_waiting", waiting)
	}
	for _, m := range ms {
		// MaybeSent: a crash after a send and before its record leaves
		// the message held; the driver looks before sending it again.
		ps := app.PreparedSend{Message: m, MaybeSent: true}
		if !b.sendUntilDone(ctx, sendCommand{messageID: m.ID, occurredAt: m.CreatedAt}, ps, c.pacer, rec) {
			return false
		}
	}
	return true
}

// admit returns which queued messages of a run wait for the cap, now
// marked held; nil when none. With no cap and nothing held, it costs
// nothing.
func (b *Bot) admit(ctx context.Context, instanceID string, run []sendCommand, queued map[string]domain.Message,
	c *consumer, rec *recorder) (map[string]bool, bool) {
	h := c.holds
	capNow := h.capNow()
	if capNow == 0 && !h.pending {
		return nil, true
	}
	// Who is known and how many were reached depend on sends still with
	// the recorder.
	if !rec.wait(ctx) {
		return nil, false
	}
	ms := make([]domain.Message, 0, len(run))
	for _, cmd := range run {
		if m, ok := queued[cmd.messageID]; ok {
			ms = append(ms, m)
		}
	}
	var hold map[string]bool
	if err := retry(ctx, b.log, func() (err error) {
		hold, err = b.app.AdmitSends(ctx, instanceID, capNow, ms)
		return err
	}); err != nil {
		return nil, false
	}
	if len(hold) > 0 {
		h.pending = true
	}
	return hold, true
}

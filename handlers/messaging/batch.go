package messaging

import (
	"context"
	"log/slog"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// nextBatch waits for one item and adds those already waiting behind it,
// up to max; it returns batch empty once ch is closed and drained.
func nextBatch[T any](ch <-chan T, batch []T, max int) []T {
	it, ok := <-ch
	if !ok {
		return batch
	}
	return nextBatchAfter(ch, append(batch, it), max)
}

// nextBatchAfter adds to batch the items already waiting in ch, up to max.
func nextBatchAfter[T any](ch <-chan T, batch []T, max int) []T {
	for len(batch) < max {
		select {
		case it, ok := <-ch:
			if !ok {
				return batch
			}
			batch = append(batch, it)
		default:
			return batch
		}
	}
	return batch
}

// consumeBatches hands each batch of events to handle and acks it, or, when
// handle fails, nacks it after a short pause: it comes back, so handle
// must be idempotent. It returns when msgs closes.
func consumeBatches(ctx context.Context, msgs <-chan *message.Message, log *slog.Logger, what string,
	handle func(batch []*message.Message) error) {
	batch := make([]*message.Message, 0, maxBatch)
	for {
		batch = nextBatch(msgs, batch[:0], maxBatch)
		if len(batch) == 0 {
			return
		}
		if err := handle(batch); err != nil {
			if ctx.Err() == nil {
				log.Warn(what, "count", len(batch), "err", err)
				sleep(ctx, 200*time.Millisecond)
			}
			for _, msg := range batch {
				msg.Nack()
			}
			continue
		}
		for _, msg := range batch {
			msg.Ack()
		}
	}
}

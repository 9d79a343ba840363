package rabbitmq

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	wamqp "github.com/ThreeDotsLabs/watermill-amqp/v2/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill/message"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/zapgate/zapgate/domain"
)

// CommandSubscriber consumes instance command queues (the Subscribe topic is
// the instance id) and hands each message over as soon as it arrives,
// without waiting for the previous one to be acknowledged: up to prefetch
// messages are in the consumer's hands at once. Acks and nacks reach the
// broker in the order the messages were handed over, consecutive acks as
// one.
//
// Watermill's AMQP subscriber waits for each ack before it hands over the
// next message. For an instance queue, consumed in order by one consumer,
// that caps an instance at one send per database commit; this subscriber
// lets the bot send in order while it records outcomes in batches.
type CommandSubscriber struct {
	conn     *wamqp.ConnectionWrapper
	prefetch int
	settle   time.Duration
	log      *slog.Logger
}

// NewCommandSubscriber returns a subscriber on conn. On shutdown it waits up
// to settle for the consumer to ack or nack what it holds; anything still
// unsettled then goes back to the queue.
func NewCommandSubscriber(conn *wamqp.ConnectionWrapper, prefetch int, settle time.Duration, log *slog.Logger) *CommandSubscriber {
	return &CommandSubscriber{conn: conn, prefetch: prefetch, settle: settle, log: log.With("component", "command-subscriber")}
}

// Subscribe consumes the instance's queue until ctx ends, reconnecting when
// the connection is lost; the channel closes once every message handed
// over is settled (or settle has passed).
func (s *CommandSubscriber) Subscribe(ctx context.Context, instanceID string) (<-chan *message.Message, error) {
	// Buffered, so that a consumer that comes back for more finds a backlog
	// ready to take as one batch.
	out := make(chan *message.Message, s.prefetch)
	go func() {
		defer close(out)
		for {
			err := s.consume(ctx, instanceID, out)
			if ctx.Err() != nil {
				return
			}
			s.log.Warn("instance queue consumer stopped; resubscribing", "instance", instanceID, "err", err)
			select {
			case <-ctx.Done():
				return
			case <-time.After(250 * time.Millisecond):
			}
			select {
			case <-ctx.Done():
				return
			case <-s.conn.Connected():
			}
		}
	}()
	return out, nil
}

// MetaRedelivered is set ("true") on a message the broker delivered before:
// an earlier consumer may have acted on it without acknowledging it.
const MetaRedelivered = "redelivered"

// handed is a message given to the consumer and the delivery it came from.
type handed struct {
	msg *message.Message
	d   amqp.Delivery
}

func (s *CommandSubscriber) consume(ctx context.Context, instanceID string, out chan<- *message.Message) error {
	if !s.conn.IsConnected() {
		return errors.New("not connected")
	}
	ch, err := s.conn.Connection().Channel()
	if err != nil {
		return fmt.Errorf("open channel: %w", err)
	}
	// Closing the channel returns anything unacknowledged to the queue.
	defer ch.Close()
	if err := DeclareInstanceQueue(ch, instanceID); err != nil {
		return err
	}
	if err := ch.Qos(s.prefetch, 0, false); err != nil {
		return fmt.Errorf("qos: %w", err)
	}
	tag := "bot-" + domain.NewID(time.Now())
	deliveries, err := ch.Consume(InstanceQueue(instanceID), tag, false, false, false, false, nil)
	if err != nil {
		return fmt.Errorf("consume: %w", err)
	}

	// At most prefetch deliveries are unacknowledged, so this never blocks.
	pending := make(chan handed, s.prefetch+1)
	settled := make(chan struct{})
	go func() {
		defer close(settled)
		s.settleInOrder(pending)
	}()
	defer func() {
		close(pending)
		<-settled
	}()

	marshaler := wamqp.DefaultMarshaler{}
	for {
		select {
		case <-ctx.Done():
			// No more deliveries; the held ones settle (deferred) before
			// the channel closes.
			_ = ch.Cancel(tag, false)
			return nil
		case d, ok := <-deliveries:
			if !ok {
				return errors.New("channel closed")
			}
			msg, err := marshaler.Unmarshal(d)
			if err != nil {
				// The bot parks what it cannot decode in the poison queue.
				msg = message.NewMessage(d.MessageId, d.Body)
			}
			if d.Redelivered {
				msg.Metadata.Set(MetaRedelivered, "true")
			}
			msg.SetContext(ctx)
			select {
			case out <- msg:
				pending <- handed{msg: msg, d: d}
			case <-ctx.Done():
				_ = ch.Cancel(tag, false)
				return nil
			}
		}
	}
}

// settleInOrder passes each handed message's ack or nack to the broker, in
// order, acknowledging a run of acked messages with one multiple-ack. Once
// the subscription's context ends it waits at most s.settle for the rest;
// closing the channel then requeues whatever is left.
func (s *CommandSubscriber) settleInOrder(pending <-chan handed) {
	var acked *amqp.Delivery // acked by the consumer, not yet to the broker
	flush := func() {
		if acked != nil {
			_ = acked.Ack(true) // on a dead channel they are requeued anyway
			acked = nil
		}
	}
	defer flush()
	var deadline <-chan time.Time
	for {
		var h handed
		var ok bool
		select {
		case h, ok = <-pending:
		default:
			flush() // nothing else ready: do not sit on acks
			h, ok = <-pending
		}
		if !ok {
			return
		}
		stopping := h.msg.Context().Done()
		for waiting := true; waiting; {
			select {
			case <-h.msg.Acked():
				acked, waiting = &h.d, false
				continue
			case <-h.msg.Nacked():
				flush()
				_ = h.d.Nack(false, true)
				waiting = false
				continue
			default:
			}
			flush()
			select {
			case <-h.msg.Acked():
			case <-h.msg.Nacked():
			case <-stopping:
				stopping = nil
				if deadline == nil {
					deadline = time.After(s.settle)
				}
			case <-deadline:
				return
			}
		}
	}
}

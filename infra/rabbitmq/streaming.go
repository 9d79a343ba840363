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
	"github.com/zapgate/zapgate/events"
)

// StreamingSubscriber consumes a queue and hands each message over as soon
// as it arrives, without waiting for the previous one to be acknowledged:
// up to prefetch messages are in the consumer's hands at once, so it can
// work on them in batches. Acks and nacks reach the broker in the order the
// messages were handed over, consecutive acks as one.
//
// Watermill's AMQP subscriber waits for each ack before it hands over the
// next message, which caps a consumer at one database round trip per
// message. The bot needs batches to send an instance's queue in order while
// it records outcomes together; the webhook notifier to fan out many
// events with one read and one write.
type StreamingSubscriber struct {
	conn     *wamqp.ConnectionWrapper
	prefetch int
	settle   time.Duration
	declare  func(ch *amqp.Channel, topic string) (queue string, err error)
	log      *slog.Logger
}

// NewCommandSubscriber consumes instance command queues; the Subscribe
// topic is the instance id. On shutdown it waits up to settle for the
// consumer to ack or nack what it holds; anything still unsettled then goes
// back to the queue.
func NewCommandSubscriber(conn *wamqp.ConnectionWrapper, n Names, prefetch int, settle time.Duration, log *slog.Logger) *StreamingSubscriber {
	return &StreamingSubscriber{conn: conn, prefetch: prefetch, settle: settle, log: log.With("component", "command-subscriber"),
		declare: func(ch *amqp.Channel, instanceID string) (string, error) {
			return n.InstanceQueue(instanceID), DeclareInstanceQueue(ch, n, instanceID)
		}}
}

// NewEventSubscriber consumes the events fanout through a durable queue per
// consumer group (the Subscribe topic is the group); replicas compete.
func NewEventSubscriber(conn *wamqp.ConnectionWrapper, n Names, prefetch int, settle time.Duration, log *slog.Logger) *StreamingSubscriber {
	return &StreamingSubscriber{conn: conn, prefetch: prefetch, settle: settle, log: log.With("component", "event-subscriber"),
		declare: func(ch *amqp.Channel, group string) (string, error) {
			q := n.EventsQueue(group)
			if _, err := ch.QueueDeclare(q, true, false, false, false, nil); err != nil {
				return "", fmt.Errorf("declare %s: %w", q, err)
			}
			if err := ch.QueueBind(q, "", n.EventsExchange(), false, nil); err != nil {
				return "", fmt.Errorf("bind %s: %w", q, err)
			}
			return q, nil
		}}
}

// Subscribe consumes the topic's queue until ctx ends, reconnecting when
// the connection is lost; the channel closes once every message handed
// over is settled (or settle has passed).
func (s *StreamingSubscriber) Subscribe(ctx context.Context, topic string) (<-chan *message.Message, error) {
	// Buffered, so that a consumer that comes back for more finds a backlog
	// ready to take as one batch.
	out := make(chan *message.Message, s.prefetch)
	go func() {
		defer close(out)
		for {
			err := s.consume(ctx, topic, out)
			if ctx.Err() != nil {
				return
			}
			s.log.Warn("consumer stopped; resubscribing", "topic", topic, "err", err)
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

// handed is a message given to the consumer and the delivery it came from.
type handed struct {
	msg *message.Message
	d   amqp.Delivery
}

func (s *StreamingSubscriber) consume(ctx context.Context, topic string, out chan<- *message.Message) error {
	if !s.conn.IsConnected() {
		return errors.New("not connected")
	}
	ch, err := s.conn.Connection().Channel()
	if err != nil {
		return fmt.Errorf("open channel: %w", err)
	}
	// Closing the channel returns anything unacknowledged to the queue.
	defer ch.Close()
	queue, err := s.declare(ch, topic)
	if err != nil {
		return err
	}
	if err := ch.Qos(s.prefetch, 0, false); err != nil {
		return fmt.Errorf("qos: %w", err)
	}
	tag := "zapgate-" + domain.NewID(time.Now())
	deliveries, err := ch.Consume(queue, tag, false, false, false, false, nil)
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
				msg.Metadata.Set(events.MetaRedelivered, "true")
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
func (s *StreamingSubscriber) settleInOrder(pending <-chan handed) {
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

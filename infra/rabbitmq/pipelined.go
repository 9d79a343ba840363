package rabbitmq

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	wamqp "github.com/ThreeDotsLabs/watermill-amqp/v2/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill/message"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/zapgate/zapgate/domain"
)

// PipelinedPublisher publishes without waiting for each broker confirm, on
// one confirm-mode channel; Flush waits until RabbitMQ confirmed everything
// published so far. The forwarder flushes right before it records a batch
// of outbox rows as forwarded, so a row is marked done only once RabbitMQ
// holds its message, while the confirms of a whole batch travel together.
// Not for concurrent use by several forwarders: give each its own.
type PipelinedPublisher struct {
	conn      *wamqp.ConnectionWrapper
	names     Names
	marshaler wamqp.DefaultMarshaler

	mu       sync.Mutex
	ch       *amqp.Channel
	pending  []*amqp.DeferredConfirmation
	declared map[string]bool
}

// NewPipelinedPublisher returns a publisher on conn to the exchanges of n.
func NewPipelinedPublisher(conn *wamqp.ConnectionWrapper, n Names) *PipelinedPublisher {
	return &PipelinedPublisher{conn: conn, names: n, declared: map[string]bool{}}
}

// channel opens the confirm-mode channel when there is none (or it closed).
func (p *PipelinedPublisher) channel() (*amqp.Channel, error) {
	if p.ch != nil && !p.ch.IsClosed() {
		return p.ch, nil
	}
	if !p.conn.IsConnected() {
		return nil, errors.New("rabbitmq: not connected")
	}
	ch, err := p.conn.Connection().Channel()
	if err != nil {
		return nil, fmt.Errorf("rabbitmq: channel: %w", err)
	}
	if err := ch.Confirm(false); err != nil {
		_ = ch.Close()
		return nil, fmt.Errorf("rabbitmq: confirm mode: %w", err)
	}
	p.ch, p.declared = ch, map[string]bool{}
	return ch, nil
}

// route maps a forwarded topic to its exchange and routing key: commands
// ("instance.<id>.<command>") to the topic exchange, events to the fanout.
func (n Names) route(topic string) (exchange, key string) {
	if strings.HasPrefix(topic, "instance.") {
		return n.CommandsExchange(), topic
	}
	return n.EventsExchange(), ""
}

// Publish implements message.Publisher; it returns once the messages are
// handed to RabbitMQ, before they are confirmed.
func (p *PipelinedPublisher) Publish(topic string, msgs ...*message.Message) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	ch, err := p.channel()
	if err != nil {
		return domain.Unavailable("broker", err)
	}
	exchange, key := p.names.route(topic)
	if exchange == p.names.CommandsExchange() {
		id, _, _ := strings.Cut(strings.TrimPrefix(topic, "instance."), ".")
		if !p.declared[id] {
			if err := DeclareInstanceQueue(ch, p.names, id); err != nil {
				p.ch = nil
				return domain.Unavailable("broker", err)
			}
			p.declared[id] = true
		}
	}
	for _, msg := range msgs {
		pub, err := p.marshaler.Marshal(msg)
		if err != nil {
			return fmt.Errorf("rabbitmq: marshal %s: %w", msg.UUID, err)
		}
		dc, err := ch.PublishWithDeferredConfirmWithContext(context.Background(), exchange, key, false, false, pub)
		if err != nil {
			p.ch = nil
			return domain.Unavailable("broker", fmt.Errorf("rabbitmq: publish %s: %w", msg.UUID, err))
		}
		p.pending = append(p.pending, dc)
	}
	return nil
}

// Flush waits for every outstanding confirm; an error means some message
// may not have reached RabbitMQ, and its batch must be forwarded again.
func (p *PipelinedPublisher) Flush(ctx context.Context) error {
	p.mu.Lock()
	pending := p.pending
	p.pending = nil
	p.mu.Unlock()
	for _, dc := range pending {
		ok, err := dc.WaitContext(ctx)
		if err != nil && ctx.Err() != nil {
			return fmt.Errorf("rabbitmq: waiting for confirms: %w", err)
		}
		if err != nil {
			return domain.Unavailable("broker", fmt.Errorf("rabbitmq: waiting for confirms: %w", err))
		}
		if !ok {
			return errors.New("rabbitmq: a publish was not confirmed")
		}
	}
	return nil
}

// Close closes the channel; the connection belongs to its owner.
func (p *PipelinedPublisher) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ch != nil {
		_ = p.ch.Close()
		p.ch = nil
	}
	return nil
}

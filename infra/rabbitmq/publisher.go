package rabbitmq

import (
	"fmt"
	"strings"
	"sync"

	"github.com/ThreeDotsLabs/watermill"
	wamqp "github.com/ThreeDotsLabs/watermill-amqp/v2/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill/message"
	amqp "github.com/rabbitmq/amqp091-go"
)

// Publisher routes by topic: "instance.<id>.<command>" to the commands
// exchange (declaring the instance queue first), "poison" to the poison
// exchange, anything else to the events fanout. Deliveries are confirmed by
// the broker before Publish returns, so the forwarder acks an outbox row only
// once RabbitMQ holds the message.
type Publisher struct {
	conn     *wamqp.ConnectionWrapper
	commands *wamqp.Publisher
	events   *wamqp.Publisher
	poison   *wamqp.Publisher

	mu       sync.Mutex
	declared map[string]bool
}

// NewPublisher builds the three publishers on one connection.
func NewPublisher(conn *wamqp.ConnectionWrapper, logger watermill.LoggerAdapter) (*Publisher, error) {
	mk := func(exchange, kind string, key func(string) string) (*wamqp.Publisher, error) {
		cfg := wamqp.Config{
			Marshaler: wamqp.DefaultMarshaler{},
			Exchange: wamqp.ExchangeConfig{
				GenerateName: func(string) string { return exchange },
				Type:         kind,
				Durable:      true,
			},
			Publish: wamqp.PublishConfig{
				GenerateRoutingKey: key,
				ConfirmDelivery:    true,
				ChannelPoolSize:    4,
			},
			TopologyBuilder: &wamqp.DefaultTopologyBuilder{},
		}
		return wamqp.NewPublisherWithConnection(cfg, logger, conn)
	}
	same := func(t string) string { return t }
	none := func(string) string { return "" }
	p := &Publisher{conn: conn, declared: map[string]bool{}}
	var err error
	if p.commands, err = mk(CommandsExchange, amqp.ExchangeTopic, same); err != nil {
		return nil, fmt.Errorf("commands publisher: %w", err)
	}
	if p.events, err = mk(EventsExchange, amqp.ExchangeFanout, none); err != nil {
		return nil, fmt.Errorf("events publisher: %w", err)
	}
	if p.poison, err = mk(PoisonExchange, amqp.ExchangeFanout, none); err != nil {
		return nil, fmt.Errorf("poison publisher: %w", err)
	}
	return p, nil
}

// Publish implements message.Publisher.
func (p *Publisher) Publish(topic string, msgs ...*message.Message) error {
	switch {
	case strings.HasPrefix(topic, "instance."):
		if err := p.ensureInstanceQueue(topic); err != nil {
			return err
		}
		return p.commands.Publish(topic, msgs...)
	case topic == PoisonTopic:
		return p.poison.Publish(topic, msgs...)
	default:
		return p.events.Publish(topic, msgs...)
	}
}

func (p *Publisher) ensureInstanceQueue(topic string) error {
	id, _, _ := strings.Cut(strings.TrimPrefix(topic, "instance."), ".")
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.declared[id] {
		return nil
	}
	ch, err := p.conn.Connection().Channel()
	if err != nil {
		return fmt.Errorf("declare instance queue: %w", err)
	}
	defer ch.Close()
	if err := DeclareInstanceQueue(ch, id); err != nil {
		return err
	}
	p.declared[id] = true
	return nil
}

// Forget drops the cached declaration of an instance's queue (after it was
// deleted), so a later command declares it again.
func (p *Publisher) Forget(instanceID string) {
	p.mu.Lock()
	delete(p.declared, instanceID)
	p.mu.Unlock()
}

// Close closes the publishers; the connection is closed by its owner.
func (p *Publisher) Close() error {
	return nil
}

// Package rabbitmq declares zapgate's RabbitMQ topology and configures the
// Watermill AMQP publishers and subscribers on it. Every name carries the
// deployment's namespace NS (see Names), so deployments sharing a vhost
// never meet:
//
//	zapgate.NS.commands (topic)  routing key instance.<id>.<command>
//	    └─ queue zapgate.NS.instance.<id>, bound instance.<id>.#, single active consumer
//	zapgate.NS.events (fanout)
//	    └─ one queue per consumer group (zapgate.NS.events.<group>), or a
//	       transient queue per process for the websocket feed
//	zapgate.NS.poison (fanout) └─ queue zapgate.NS.poison
package rabbitmq

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wamqp "github.com/ThreeDotsLabs/watermill-amqp/v2/pkg/amqp"
	amqp "github.com/rabbitmq/amqp091-go"
)

// validNamespace keeps names readable and free of the dots and wildcards
// that mean something in routing patterns.
var validNamespace = regexp.MustCompile(`^[a-z0-9_-]{1,32}$`)

// Names are one deployment's exchange and queue names. The empty namespace
// gives the names zapgate used before namespaces existed (zapgate.commands,
// …), which a database migrated before then keeps, so an upgrade orphans
// no queued message.
type Names struct{ prefix string }

// NewNames returns the names of namespace ns: "" (legacy) or 1 to 32 of
// [a-z0-9_-].
func NewNames(ns string) (Names, error) {
	if ns == "" {
		return Names{prefix: "zapgate."}, nil
	}
	if !validNamespace.MatchString(ns) {
		return Names{}, fmt.Errorf("rabbitmq: namespace %q must be 1 to 32 of a-z, 0-9, _ and -", ns)
	}
	return Names{prefix: "zapgate." + ns + "."}, nil
}

// CommandsExchange is the topic exchange of instance commands.
func (n Names) CommandsExchange() string { return n.prefix + "commands" }

// EventsExchange is the fanout every event goes through.
func (n Names) EventsExchange() string { return n.prefix + "events" }

// PoisonExchange takes the commands a bot can never handle.
func (n Names) PoisonExchange() string { return n.prefix + "poison" }

// PoisonQueue holds the poison exchange's messages for an operator.
func (n Names) PoisonQueue() string { return n.prefix + "poison" }

// InstanceQueue is the queue holding one instance's commands.
func (n Names) InstanceQueue(instanceID string) string { return n.instanceQueuePrefix() + instanceID }

// EventsQueue is a consumer group's queue on the events fanout.
func (n Names) EventsQueue(group string) string { return n.prefix + "events." + group }

func (n Names) instanceQueuePrefix() string { return n.prefix + "instance." }

// instanceRoutingPattern derives the binding from the queue name: Watermill
// passes the queue name, not the topic, to QueueBind.GenerateRoutingKey.
func (n Names) instanceRoutingPattern(queue string) string {
	return "instance." + strings.TrimPrefix(queue, n.instanceQueuePrefix()) + ".#"
}

// instanceQueueArgs must be identical wherever the queue is declared.
func instanceQueueArgs() amqp.Table {
	// Only one consumer gets messages at a time: commands stay in order even
	// if two bot processes briefly both subscribe during a lease hand-over.
	return amqp.Table{"x-single-active-consumer": true}
}

// Dial connects, retrying with backoff: Watermill reconnects a lost
// connection but does not retry the first dial.
func Dial(ctx context.Context, url string, attempts int, log *slog.Logger) (*wamqp.ConnectionWrapper, error) {
	wait := 250 * time.Millisecond
	for i := 1; ; i++ {
		conn, err := wamqp.NewConnection(wamqp.ConnectionConfig{
			AmqpURI:   url,
			Reconnect: wamqp.DefaultReconnectConfig(),
		}, watermill.NewSlogLogger(log))
		if err == nil {
			return conn, nil
		}
		if i >= attempts || ctx.Err() != nil {
			return nil, fmt.Errorf("rabbitmq unreachable after %d attempts: %w", i, err)
		}
		log.Warn("rabbitmq not reachable yet", "attempt", i, "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(wait*2, 5*time.Second)
	}
}

// DeclareTopology declares the exchanges and the poison queue.
func DeclareTopology(conn *wamqp.ConnectionWrapper, n Names) error {
	ch, err := conn.Connection().Channel()
	if err != nil {
		return fmt.Errorf("topology: %w", err)
	}
	defer ch.Close()
	for _, ex := range []struct{ name, kind string }{
		{n.CommandsExchange(), amqp.ExchangeTopic},
		{n.EventsExchange(), amqp.ExchangeFanout},
		{n.PoisonExchange(), amqp.ExchangeFanout},
	} {
		if err := ch.ExchangeDeclare(ex.name, ex.kind, true, false, false, false, nil); err != nil {
			return fmt.Errorf("topology: exchange %s: %w", ex.name, err)
		}
	}
	if _, err := ch.QueueDeclare(n.PoisonQueue(), true, false, false, false, nil); err != nil {
		return fmt.Errorf("topology: %w", err)
	}
	if err := ch.QueueBind(n.PoisonQueue(), "", n.PoisonExchange(), false, nil); err != nil {
		return fmt.Errorf("topology: %w", err)
	}
	return nil
}

// DeclareInstanceQueue declares and binds an instance's command queue. It is
// called before the first command is published to the instance, so a
// command is never unroutable even before any bot has subscribed.
func DeclareInstanceQueue(ch *amqp.Channel, n Names, instanceID string) error {
	q := n.InstanceQueue(instanceID)
	if _, err := ch.QueueDeclare(q, true, false, false, false, instanceQueueArgs()); err != nil {
		return fmt.Errorf("declare %s: %w", q, err)
	}
	if err := ch.QueueBind(q, n.instanceRoutingPattern(q), n.CommandsExchange(), false, nil); err != nil {
		return fmt.Errorf("bind %s: %w", q, err)
	}
	return nil
}

// DeleteInstanceQueue removes an instance's queue once the instance is gone.
func DeleteInstanceQueue(conn *wamqp.ConnectionWrapper, n Names, instanceID string) error {
	ch, err := conn.Connection().Channel()
	if err != nil {
		return fmt.Errorf("delete queue: %w", err)
	}
	defer ch.Close()
	if _, err := ch.QueueDelete(n.InstanceQueue(instanceID), false, false, false); err != nil {
		return fmt.Errorf("delete queue: %w", err)
	}
	return nil
}

// EventsSubscriberConfig consumes every event through a durable queue per
// consumer group (the Subscribe topic is the group): replicas compete.
func EventsSubscriberConfig(url string, n Names, prefetch int) wamqp.Config {
	return wamqp.Config{
		Connection: wamqp.ConnectionConfig{AmqpURI: url, Reconnect: wamqp.DefaultReconnectConfig()},
		Marshaler:  wamqp.DefaultMarshaler{},
		Exchange: wamqp.ExchangeConfig{
			GenerateName: func(string) string { return n.EventsExchange() },
			Type:         amqp.ExchangeFanout,
			Durable:      true,
		},
		Queue: wamqp.QueueConfig{
			GenerateName: n.EventsQueue,
			Durable:      true,
		},
		QueueBind:       wamqp.QueueBindConfig{GenerateRoutingKey: func(string) string { return "" }},
		Consume:         wamqp.ConsumeConfig{Qos: wamqp.QosConfig{PrefetchCount: prefetch}},
		TopologyBuilder: &wamqp.DefaultTopologyBuilder{},
	}
}

// TransientEventsSubscriberConfig gives each process its own auto-deleted
// queue on the events fanout (the websocket feed: every replica sees all).
func TransientEventsSubscriberConfig(url string, n Names, prefetch int) wamqp.Config {
	c := EventsSubscriberConfig(url, n, prefetch)
	c.Queue = wamqp.QueueConfig{
		GenerateName: n.EventsQueue,
		AutoDelete:   true,
		Exclusive:    true,
	}
	return c
}

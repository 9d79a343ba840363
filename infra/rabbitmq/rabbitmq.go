// Package rabbitmq declares zapgate's RabbitMQ topology and configures the
// Watermill AMQP publishers and subscribers on it.
//
//	zapgate.commands (topic)  routing key instance.<id>.<command>
//	    └─ queue zapgate.instance.<id>, bound instance.<id>.#, single active consumer
//	zapgate.events (fanout)
//	    └─ one queue per consumer group (zapgate.events.<group>), or a
//	       transient queue per process for the websocket feed
//	zapgate.poison (fanout) └─ queue zapgate.poison
package rabbitmq

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wamqp "github.com/ThreeDotsLabs/watermill-amqp/v2/pkg/amqp"
	amqp "github.com/rabbitmq/amqp091-go"
)

// Names of the topology.
const (
	CommandsExchange = "zapgate.commands"
	EventsExchange   = "zapgate.events"
	PoisonExchange   = "zapgate.poison"
	PoisonQueue      = "zapgate.poison"

	instanceQueuePrefix = "zapgate.instance."
	eventsQueuePrefix   = "zapgate.events."
)

// InstanceQueue is the queue holding one instance's commands.
func InstanceQueue(instanceID string) string { return instanceQueuePrefix + instanceID }

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
func DeclareTopology(conn *wamqp.ConnectionWrapper) error {
	ch, err := conn.Connection().Channel()
	if err != nil {
		return fmt.Errorf("topology: %w", err)
	}
	defer ch.Close()
	for _, ex := range []struct{ name, kind string }{
		{CommandsExchange, amqp.ExchangeTopic},
		{EventsExchange, amqp.ExchangeFanout},
		{PoisonExchange, amqp.ExchangeFanout},
	} {
		if err := ch.ExchangeDeclare(ex.name, ex.kind, true, false, false, false, nil); err != nil {
			return fmt.Errorf("topology: exchange %s: %w", ex.name, err)
		}
	}
	if _, err := ch.QueueDeclare(PoisonQueue, true, false, false, false, nil); err != nil {
		return fmt.Errorf("topology: %w", err)
	}
	if err := ch.QueueBind(PoisonQueue, "", PoisonExchange, false, nil); err != nil {
		return fmt.Errorf("topology: %w", err)
	}
	return nil
}

// DeclareInstanceQueue declares and binds an instance's command queue. It is
// called before the first command is published to the instance, so a
// command is never unroutable even before any bot has subscribed.
func DeclareInstanceQueue(ch *amqp.Channel, instanceID string) error {
	q := InstanceQueue(instanceID)
	if _, err := ch.QueueDeclare(q, true, false, false, false, instanceQueueArgs()); err != nil {
		return fmt.Errorf("declare %s: %w", q, err)
	}
	if err := ch.QueueBind(q, instanceRoutingPattern(q), CommandsExchange, false, nil); err != nil {
		return fmt.Errorf("bind %s: %w", q, err)
	}
	return nil
}

// DeleteInstanceQueue removes an instance's queue once the instance is gone.
func DeleteInstanceQueue(conn *wamqp.ConnectionWrapper, instanceID string) error {
	ch, err := conn.Connection().Channel()
	if err != nil {
		return fmt.Errorf("delete queue: %w", err)
	}
	defer ch.Close()
	if _, err := ch.QueueDelete(InstanceQueue(instanceID), false, false, false); err != nil {
		return fmt.Errorf("delete queue: %w", err)
	}
	return nil
}

// instanceRoutingPattern derives the binding from the queue name: Watermill
// passes the queue name, not the topic, to QueueBind.GenerateRoutingKey.
func instanceRoutingPattern(queue string) string {
	return "instance." + strings.TrimPrefix(queue, instanceQueuePrefix) + ".#"
}

// EventsSubscriberConfig consumes every event through a durable queue per
// consumer group (the Subscribe topic is the group): replicas compete.
func EventsSubscriberConfig(url string, prefetch int) wamqp.Config {
	return wamqp.Config{
		Connection: wamqp.ConnectionConfig{AmqpURI: url, Reconnect: wamqp.DefaultReconnectConfig()},
		Marshaler:  wamqp.DefaultMarshaler{},
		Exchange: wamqp.ExchangeConfig{
			GenerateName: func(string) string { return EventsExchange },
			Type:         amqp.ExchangeFanout,
			Durable:      true,
		},
		Queue: wamqp.QueueConfig{
			GenerateName: func(group string) string { return eventsQueuePrefix + group },
			Durable:      true,
		},
		QueueBind:       wamqp.QueueBindConfig{GenerateRoutingKey: func(string) string { return "" }},
		Consume:         wamqp.ConsumeConfig{Qos: wamqp.QosConfig{PrefetchCount: prefetch}},
		TopologyBuilder: &wamqp.DefaultTopologyBuilder{},
	}
}

// TransientEventsSubscriberConfig gives each process its own auto-deleted
// queue on the events fanout (the websocket feed: every replica sees all).
func TransientEventsSubscriberConfig(url string, prefetch int) wamqp.Config {
	c := EventsSubscriberConfig(url, prefetch)
	c.Queue = wamqp.QueueConfig{
		GenerateName: func(name string) string { return eventsQueuePrefix + name },
		AutoDelete:   true,
		Exclusive:    true,
	}
	return c
}

// Package outbox writes commands and events into the Postgres outbox inside
// the caller's transaction, and forwards them from there to RabbitMQ.
package outbox

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v3/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/components/forwarder"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/zapgate/zapgate/events"
)

// The outbox topics: events in watermill_outbox (the event log), commands
// in watermill_outbox_commands (see migrations). Each has its forwarder.
const (
	Topic         = "outbox"
	CommandsTopic = "outbox_commands"
)

// Topics lists every outbox topic.
var Topics = []string{Topic, CommandsTopic}

// topicOf is the outbox an envelope is written to.
func topicOf(e events.Envelope) string {
	if events.IsCommand(e.Type) {
		return CommandsTopic
	}
	return Topic
}

// Destination is the RabbitMQ topic an envelope is forwarded to: commands go
// to their instance ("instance.<id>.<command>"), events to the fanout.
func Destination(e events.Envelope) string {
	if events.IsCommand(e.Type) {
		return "instance." + e.InstanceID + "." + strings.TrimPrefix(e.Type, "cmd.")
	}
	return EventsTopic
}

// EventsTopic is the destination of every event.
const EventsTopic = "events"

// Publish writes envs to the outbox within tx: they are forwarded only if
// tx commits.
func Publish(ctx context.Context, tx *sql.Tx, logger watermill.LoggerAdapter, envs ...events.Envelope) error {
	if len(envs) == 0 {
		return nil
	}
	pub, err := wsql.NewPublisher(tx, wsql.PublisherConfig{SchemaAdapter: wsql.DefaultPostgreSQLSchema{}}, logger)
	if err != nil {
		return fmt.Errorf("outbox publisher: %w", err)
	}
	// One INSERT per outbox, whatever the destinations: the forwarder's
	// publisher wraps each message for its destination into a collector,
	// and the real publisher writes each outbox's collection at once, in
	// the order of envs (so a batch of sends to many instances costs one
	// statement, and each instance's commands keep their order).
	var col collector
	for _, e := range envs {
		msg, err := events.ToMessage(ctx, e)
		if err != nil {
			return err
		}
		fwd := forwarder.NewPublisher(&col, forwarder.PublisherConfig{ForwarderTopic: topicOf(e)})
		if err := fwd.Publish(Destination(e), msg); err != nil {
			return fmt.Errorf("outbox publish: %w", err)
		}
	}
	for _, topic := range col.order {
		if err := pub.Publish(topic, col.byTopic[topic]...); err != nil {
			return fmt.Errorf("outbox publish: %w", err)
		}
	}
	return nil
}

// collector is a message.Publisher that only remembers what it was given,
// by topic in first-seen order.
type collector struct {
	byTopic map[string][]*message.Message
	order   []string
}

func (c *collector) Publish(topic string, msgs ...*message.Message) error {
	if c.byTopic == nil {
		c.byTopic = map[string][]*message.Message{}
	}
	if _, ok := c.byTopic[topic]; !ok {
		c.order = append(c.order, topic)
	}
	c.byTopic[topic] = append(c.byTopic[topic], msgs...)
	return nil
}

func (c *collector) Close() error { return nil }

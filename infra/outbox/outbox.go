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
	// One INSERT per outbox and destination keeps the round trips down.
	type key struct{ topic, dest string }
	byKey := map[key][]*message.Message{}
	var order []key
	for _, e := range envs {
		msg, err := events.ToMessage(ctx, e)
		if err != nil {
			return err
		}
		k := key{topicOf(e), Destination(e)}
		if _, ok := byKey[k]; !ok {
			order = append(order, k)
		}
		byKey[k] = append(byKey[k], msg)
	}
	for _, k := range order {
		fwd := forwarder.NewPublisher(pub, forwarder.PublisherConfig{ForwarderTopic: k.topic})
		if err := fwd.Publish(k.dest, byKey[k]...); err != nil {
			return fmt.Errorf("outbox publish: %w", err)
		}
	}
	return nil
}

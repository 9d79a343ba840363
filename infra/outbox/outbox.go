// Package outbox writes commands and events into the Postgres outbox inside
// the caller's transaction, and forwards them from there to RabbitMQ.
package outbox

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

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

// Metadata keys every outbox message carries; the event log indexes them.
const (
	MetaEventType  = "event_type"
	MetaInstanceID = "instance_id"
	MetaOccurredAt = "occurred_at"
	MetaReplayed   = "replayed"
)

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

// ToMessage turns an envelope into a Watermill message whose UUID is the
// envelope id, so consumers and webhook receivers see one stable id.
func ToMessage(ctx context.Context, e events.Envelope) (*message.Message, error) {
	payload, err := json.Marshal(e)
	if err != nil {
		return nil, fmt.Errorf("marshal %s: %w", e.Type, err)
	}
	msg := message.NewMessage(e.ID, payload)
	msg.Metadata.Set(MetaEventType, e.Type)
	msg.Metadata.Set(MetaInstanceID, e.InstanceID)
	msg.Metadata.Set(MetaOccurredAt, e.OccurredAt.UTC().Format(time.RFC3339Nano))
	if e.Replayed {
		msg.Metadata.Set(MetaReplayed, "true")
	}
	msg.SetContext(ctx)
	return msg, nil
}

// FromMessage decodes the envelope a message carries.
func FromMessage(msg *message.Message) (events.Envelope, error) {
	var e events.Envelope
	if err := json.Unmarshal(msg.Payload, &e); err != nil {
		return e, fmt.Errorf("decode envelope %s: %w", msg.UUID, err)
	}
	if e.ID == "" || e.Type == "" {
		return e, fmt.Errorf("decode envelope %s: missing id or type", msg.UUID)
	}
	return e, nil
}

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
		msg, err := ToMessage(ctx, e)
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

package events

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
)

// Metadata keys every outbox message carries; the event log indexes them.
// They are part of the wire contract, like the envelope itself.
const (
	MetaEventType  = "event_type"
	MetaInstanceID = "instance_id"
	MetaOccurredAt = "occurred_at"
	MetaReplayed   = "replayed"
	// MetaRedelivered is set ("true") by the broker adapter on a message
	// delivered before: an earlier consumer may have acted on it without
	// acknowledging it.
	MetaRedelivered = "redelivered"
)

// ToMessage turns an envelope into a Watermill message whose UUID is the
// envelope id, so consumers and webhook receivers see one stable id.
func ToMessage(ctx context.Context, e Envelope) (*message.Message, error) {
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
func FromMessage(msg *message.Message) (Envelope, error) {
	var e Envelope
	if err := json.Unmarshal(msg.Payload, &e); err != nil {
		return e, fmt.Errorf("decode envelope %s: %w", msg.UUID, err)
	}
	if e.ID == "" || e.Type == "" {
		return e, fmt.Errorf("decode envelope %s: missing id or type", msg.UUID)
	}
	return e, nil
}

package outbox

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wsql "github.com/ThreeDotsLabs/watermill-sql/v3/pkg/sql"
	"github.com/ThreeDotsLabs/watermill/components/forwarder"
	"github.com/ThreeDotsLabs/watermill/message"
)

// ConsumerGroup is the forwarder's offset row in watermill_offsets_outbox.
const ConsumerGroup = "forwarder"

// Forwarder moves outbox rows to the broker, in commit order, at least once.
type Forwarder struct {
	fwd *forwarder.Forwarder
	sub *wsql.Subscriber
}

// NewForwarder reads the outbox from db and publishes each message to pub
// under its destination topic.
func NewForwarder(db *sql.DB, pub message.Publisher, pollInterval time.Duration, logger watermill.LoggerAdapter) (*Forwarder, error) {
	ack := 30 * time.Second
	sub, err := wsql.NewSubscriber(db, wsql.SubscriberConfig{
		ConsumerGroup: ConsumerGroup,
		// A short poll keeps the accept → send latency low; an idle poll is
		// one indexed query.
		PollInterval:   pollInterval,
		ResendInterval: 200 * time.Millisecond,
		RetryInterval:  500 * time.Millisecond,
		AckDeadline:    &ack,
		SchemaAdapter:  wsql.DefaultPostgreSQLSchema{SubscribeBatchSize: 200},
		OffsetsAdapter: wsql.DefaultPostgreSQLOffsetsAdapter{},
	}, logger)
	if err != nil {
		return nil, fmt.Errorf("outbox subscriber: %w", err)
	}
	fwd, err := forwarder.NewForwarder(sub, pub, logger, forwarder.Config{
		ForwarderTopic: Topic,
		CloseTimeout:   10 * time.Second,
	})
	if err != nil {
		return nil, fmt.Errorf("forwarder: %w", err)
	}
	return &Forwarder{fwd: fwd, sub: sub}, nil
}

// Run forwards until ctx ends.
func (f *Forwarder) Run(ctx context.Context) error {
	go func() {
		<-ctx.Done()
		_ = f.fwd.Close()
	}()
	if err := f.fwd.Run(ctx); err != nil {
		return fmt.Errorf("forwarder: %w", err)
	}
	return nil
}

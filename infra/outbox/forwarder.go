package outbox

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
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
	fwd  *forwarder.Forwarder
	sub  *wsql.Subscriber
	stop chan struct{}
}

// Flusher is a publisher that confirms asynchronously: Flush returns once
// everything published so far is safely with the broker.
type Flusher interface {
	message.Publisher
	Flush(ctx context.Context) error
}

// flushingOffsets records a batch as forwarded only after the publisher's
// confirms are in. watermill-sql asks for the ack query once per batch,
// right before committing it, which is exactly where to wait; if a confirm
// failed, the query it returns fails, the batch is rolled back and
// forwarded again (at least once).
type flushingOffsets struct {
	wsql.DefaultPostgreSQLOffsetsAdapter
	pub Flusher
	log watermill.LoggerAdapter
}

func (o flushingOffsets) AckMessageQuery(topic string, row wsql.Row, group string) wsql.Query {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := o.pub.Flush(ctx); err != nil {
		o.log.Error("broker did not confirm a batch; forwarding it again", err, watermill.LogFields{"topic": topic})
		return wsql.Query{Query: "SELECT zapgate_batch_not_confirmed()"}
	}
	return o.DefaultPostgreSQLOffsetsAdapter.AckMessageQuery(topic, row, group)
}

// NewForwarder reads one outbox topic from db and publishes each message to
// pub under its destination topic. With a Flusher, confirms are pipelined
// per batch. observe, when set, gets the time each forward took.
func NewForwarder(db *sql.DB, topic string, pub message.Publisher, poll Polling,
	observe func(time.Duration), logger watermill.LoggerAdapter) (*Forwarder, error) {
	ack := 30 * time.Second
	retry := 500 * time.Millisecond
	stop := make(chan struct{})
	var backoff wsql.BackoffManager
	if poll.Wake != nil {
		var id [8]byte
		_, _ = rand.Read(id[:])
		backoff = &wakingBackoff{wake: poll.Wake, stop: stop,
			plan:     &idleWait{interval: poll.Interval, hot: poll.Hot, fallback: poll.Fallback},
			waiter:   waiterRow{db: db, outbox: "watermill_" + topic, id: hex.EncodeToString(id[:])},
			onErrors: wsql.NewDefaultBackoffManager(poll.Interval, retry)}
	}
	var offsets wsql.OffsetsAdapter = wsql.DefaultPostgreSQLOffsetsAdapter{}
	if f, ok := pub.(Flusher); ok {
		offsets = flushingOffsets{pub: f, log: logger}
	}
	sub, err := wsql.NewSubscriber(db, wsql.SubscriberConfig{
		ConsumerGroup: ConsumerGroup,
		// Without wake-ups, a short poll keeps the accept → send latency
		// low; an idle poll is one indexed query (and a row lock).
		PollInterval:   poll.Interval,
		BackoffManager: backoff,
		ResendInterval: 200 * time.Millisecond,
		RetryInterval:  retry,
		AckDeadline:    &ack,
		SchemaAdapter:  wsql.DefaultPostgreSQLSchema{SubscribeBatchSize: 200},
		OffsetsAdapter: offsets,
	}, logger)
	if err != nil {
		return nil, fmt.Errorf("outbox subscriber: %w", err)
	}
	var mw []message.HandlerMiddleware
	if observe != nil {
		mw = append(mw, func(h message.HandlerFunc) message.HandlerFunc {
			return func(msg *message.Message) ([]*message.Message, error) {
				start := time.Now()
				out, err := h(msg)
				observe(time.Since(start))
				return out, err
			}
		})
	}
	fwd, err := forwarder.NewForwarder(sub, pub, logger, forwarder.Config{
		ForwarderTopic: topic,
		HandlerName:    HandlerName(topic),
		CloseTimeout:   10 * time.Second,
		Middlewares:    mw,
	})
	if err != nil {
		return nil, fmt.Errorf("forwarder: %w", err)
	}
	return &Forwarder{fwd: fwd, sub: sub, stop: stop}, nil
}

// HandlerName names a topic's forwarder in the logs. Watermill calls every
// forwarder "events_forwarder" unless told otherwise, which would make the
// command forwarder's lines look like the event forwarder's.
func HandlerName(topic string) string {
	switch topic {
	case Topic:
		return "events_forwarder"
	case CommandsTopic:
		return "commands_forwarder"
	}
	return topic + "_forwarder"
}

// Run forwards until ctx ends.
func (f *Forwarder) Run(ctx context.Context) error {
	go func() {
		<-ctx.Done()
		close(f.stop) // a forwarder waiting for a wake-up stops waiting
		_ = f.fwd.Close()
	}()
	if err := f.fwd.Run(ctx); err != nil {
		return fmt.Errorf("forwarder: %w", err)
	}
	return nil
}

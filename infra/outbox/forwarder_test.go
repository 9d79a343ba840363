package outbox_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill"
	wamqp "github.com/ThreeDotsLabs/watermill-amqp/v2/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
	"github.com/zapgate/zapgate/infra/outbox"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
	"github.com/zapgate/zapgate/infra/rabbitmq"
	"github.com/zapgate/zapgate/infra/rabbitmq/amqptest"
)

// TestOutboxToRabbitMQ: a committed command reaches its instance queue and
// a committed event reaches a consumer group, through the forwarder; a
// rolled-back transaction publishes nothing.
func TestOutboxToRabbitMQ(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	url := amqptest.NewVhost(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	wlog := watermill.NewSlogLogger(log)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	conn, err := rabbitmq.Dial(ctx, url, 3, log)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	names, err := rabbitmq.NewNames("test")
	if err != nil {
		t.Fatal(err)
	}
	if err := rabbitmq.DeclareTopology(conn, names); err != nil {
		t.Fatal(err)
	}
	fctx, fcancel := context.WithCancel(ctx)
	fdone := make(chan error, len(outbox.Topics))
	for _, topic := range outbox.Topics {
		fwd, err := outbox.NewForwarder(db.DB, topic, rabbitmq.NewPipelinedPublisher(conn, names), outbox.Polling{Interval: 10 * time.Millisecond}, nil, wlog)
		if err != nil {
			t.Fatal(err)
		}
		go func() { fdone <- fwd.Run(fctx) }()
	}
	defer func() {
		fcancel()
		for range outbox.Topics {
			<-fdone
		}
	}()

	instanceID := domain.NewID(time.Now())
	cmds, err := rabbitmq.NewCommandSubscriber(conn, names, 4, time.Second, log).Subscribe(ctx, instanceID)
	if err != nil {
		t.Fatal(err)
	}
	evSub, err := wamqp.NewSubscriberWithConnection(rabbitmq.EventsSubscriberConfig(url, names, 4), wlog, conn)
	if err != nil {
		t.Fatal(err)
	}
	evs, err := evSub.Subscribe(ctx, "test-group")
	if err != nil {
		t.Fatal(err)
	}

	store := postgres.NewStore(db, log)
	publish := func(fail bool, envs ...events.Envelope) {
		err := store.InTx(ctx, func(tx app.Tx) error {
			if err := tx.Publish(ctx, envs...); err != nil {
				return err
			}
			if fail {
				return errors.New("rollback")
			}
			return nil
		})
		if (err != nil) != fail {
			t.Fatal(err)
		}
	}
	mk := func(typ string, data any) events.Envelope {
		e, _ := events.New(domain.NewID(time.Now()), typ, instanceID, time.Now(), data)
		return e
	}
	lost := mk(events.CmdSendMessage, events.SendMessage{MessageID: "rolled-back"})
	publish(true, lost, mk(events.MessageStatus, events.MessageStatusChanged{Status: "rolled-back"}))
	cmd := mk(events.CmdSendMessage, events.SendMessage{MessageID: "m1"})
	ev := mk(events.MessageStatus, events.MessageStatusChanged{MessageID: "m1", Status: "sent"})
	publish(false, cmd, ev)

	expect := func(ch <-chan *message.Message, want events.Envelope) {
		t.Helper()
		select {
		case msg := <-ch:
			msg.Ack()
			got, err := events.FromMessage(msg)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != want.ID || got.Type != want.Type || string(got.Data) != string(want.Data) {
				t.Fatalf("got %s %s %s, want %s %s", got.ID, got.Type, got.Data, want.ID, want.Type)
			}
			if msg.UUID != want.ID {
				t.Fatalf("message uuid %s is not the event id %s", msg.UUID, want.ID)
			}
		case <-ctx.Done():
			t.Fatalf("no %s arrived", want.Type)
		}
	}
	// The first messages to arrive are the committed ones: the rolled-back
	// pair was never forwarded.
	expect(cmds, cmd)
	expect(evs, ev)

	// A burst keeps its order per instance through the pipelined confirms.
	var burst []events.Envelope
	for i := range 300 {
		burst = append(burst, mk(events.CmdSendMessage, events.SendMessage{MessageID: fmt.Sprint("b", i)}))
	}
	for i := 0; i < len(burst); i += 50 {
		publish(false, burst[i:i+50]...)
	}
	for _, want := range burst {
		expect(cmds, want)
	}
	pending, _, err := outbox.Lag(ctx, db)
	for err == nil && pending > 0 && ctx.Err() == nil {
		time.Sleep(20 * time.Millisecond) // polling the outbox lag
		pending, _, err = outbox.Lag(ctx, db)
	}
	if err != nil || pending != 0 {
		t.Fatalf("outbox lag after forwarding: %d, %v", pending, err)
	}
}

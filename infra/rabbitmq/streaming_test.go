package rabbitmq_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	wamqp "github.com/ThreeDotsLabs/watermill-amqp/v2/pkg/amqp"
	"github.com/ThreeDotsLabs/watermill/message"
	amqp "github.com/rabbitmq/amqp091-go"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
	"github.com/zapgate/zapgate/infra/rabbitmq"
	"github.com/zapgate/zapgate/infra/rabbitmq/amqptest"
)

// commandsFixture is a vhost with the topology, one instance and a way to
// publish numbered commands to it.
type commandsFixture struct {
	t          *testing.T
	conn       *wamqp.ConnectionWrapper
	names      rabbitmq.Names
	instanceID string
	log        *slog.Logger
}

func newCommandsFixture(t *testing.T) *commandsFixture {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	conn, err := rabbitmq.Dial(context.Background(), amqptest.NewVhost(t), 3, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	names, err := rabbitmq.NewNames("test")
	if err != nil {
		t.Fatal(err)
	}
	if err := rabbitmq.DeclareTopology(conn, names); err != nil {
		t.Fatal(err)
	}
	f := &commandsFixture{t: t, conn: conn, names: names, instanceID: domain.NewID(time.Now()), log: log}
	ch, err := conn.Connection().Channel()
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	if err := rabbitmq.DeclareInstanceQueue(ch, f.names, f.instanceID); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *commandsFixture) publish(from, to int) {
	f.t.Helper()
	ch, err := f.conn.Connection().Channel()
	if err != nil {
		f.t.Fatal(err)
	}
	defer ch.Close()
	for i := from; i < to; i++ {
		p, err := wamqp.DefaultMarshaler{}.Marshal(message.NewMessage(strconv.Itoa(i), []byte(strconv.Itoa(i))))
		if err != nil {
			f.t.Fatal(err)
		}
		p.DeliveryMode = amqp.Persistent
		if err := ch.PublishWithContext(context.Background(), f.names.CommandsExchange(),
			"instance."+f.instanceID+".send_message", true, false, p); err != nil {
			f.t.Fatal(err)
		}
	}
}

func (f *commandsFixture) subscribe(ctx context.Context, prefetch int) <-chan *message.Message {
	f.t.Helper()
	msgs, err := rabbitmq.NewCommandSubscriber(f.conn, f.names, prefetch, 5*time.Second, f.log).Subscribe(ctx, f.instanceID)
	if err != nil {
		f.t.Fatal(err)
	}
	return msgs
}

// receive takes the next message and checks it is number want.
func receive(t *testing.T, msgs <-chan *message.Message, want int, redelivered bool) *message.Message {
	t.Helper()
	select {
	case msg, ok := <-msgs:
		if !ok {
			t.Fatalf("channel closed, want message %d", want)
		}
		if string(msg.Payload) != strconv.Itoa(want) {
			t.Fatalf("got message %s, want %d (order)", msg.Payload, want)
		}
		if got := msg.Metadata.Get(events.MetaRedelivered) == "true"; got != redelivered {
			t.Fatalf("message %d: redelivered = %v, want %v", want, got, redelivered)
		}
		return msg
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for message %d", want)
		return nil
	}
}

// closeAndDrain ends a subscription and waits for its channel to close.
func closeAndDrain(t *testing.T, cancel context.CancelFunc, msgs <-chan *message.Message) {
	t.Helper()
	cancel()
	for range msgs {
		t.Fatal("a message was handed over after the subscription ended")
	}
}

func TestCommandSubscriber(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		run  func(t *testing.T, f *commandsFixture)
	}{
		{"hands over up to prefetch messages without waiting for acks, in order", func(t *testing.T, f *commandsFixture) {
			f.publish(0, 40)
			ctx, cancel := context.WithCancel(context.Background())
			msgs := f.subscribe(ctx, 16)
			var held []*message.Message
			for i := 0; i < 16; i++ {
				held = append(held, receive(t, msgs, i, false))
			}
			select {
			case msg := <-msgs:
				t.Fatalf("message %s handed over beyond the prefetch", msg.Payload)
			case <-time.After(200 * time.Millisecond): // proving nothing more comes: no fact can
			}
			for _, msg := range held {
				msg.Ack()
			}
			for i := 16; i < 40; i++ {
				receive(t, msgs, i, false).Ack()
			}
			closeAndDrain(t, cancel, msgs)
			// Everything was acked: nothing comes back.
			ctx, cancel = context.WithCancel(context.Background())
			msgs = f.subscribe(ctx, 16)
			f.publish(40, 41)
			receive(t, msgs, 40, false).Ack()
			closeAndDrain(t, cancel, msgs)
		}},
		{"nacked messages come back first, in order, flagged redelivered", func(t *testing.T, f *commandsFixture) {
			f.publish(0, 6)
			ctx, cancel := context.WithCancel(context.Background())
			msgs := f.subscribe(ctx, 8)
			var got []*message.Message
			for i := 0; i < 6; i++ {
				got = append(got, receive(t, msgs, i, false))
			}
			got[0].Ack()
			got[1].Ack()
			for _, msg := range got[2:] {
				msg.Nack()
			}
			closeAndDrain(t, cancel, msgs)
			ctx, cancel = context.WithCancel(context.Background())
			msgs = f.subscribe(ctx, 8)
			for i := 2; i < 6; i++ {
				receive(t, msgs, i, true).Ack()
			}
			closeAndDrain(t, cancel, msgs)
		}},
		{"on shutdown, acks given within the settle time still count", func(t *testing.T, f *commandsFixture) {
			f.publish(0, 4)
			ctx, cancel := context.WithCancel(context.Background())
			msgs := f.subscribe(ctx, 8)
			var got []*message.Message
			for i := 0; i < 3; i++ {
				got = append(got, receive(t, msgs, i, false))
			}
			cancel()
			time.Sleep(100 * time.Millisecond) // the consumer finishes its work late
			for _, msg := range got {
				msg.Ack()
			}
			for msg := range msgs {
				// Handed over before the cancel was seen: not acked, so
				// it must come back below.
				if string(msg.Payload) != "3" {
					t.Fatalf("unexpected message %s", msg.Payload)
				}
				msg.Nack()
			}
			ctx, cancel = context.WithCancel(context.Background())
			msgs = f.subscribe(ctx, 8)
			msg := <-msgs
			if string(msg.Payload) != "3" {
				t.Fatalf("got %s after restart, want 3: acked messages came back", msg.Payload)
			}
			msg.Ack()
			closeAndDrain(t, cancel, msgs)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.run(t, newCommandsFixture(t))
		})
	}
}

// TestEventSubscriberGroupsCompete: the events fanout reaches a consumer
// group's queue once, however many consumers the group has.
func TestEventSubscriberGroupsCompete(t *testing.T) {
	t.Parallel()
	f := newCommandsFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sub := rabbitmq.NewEventSubscriber(f.conn, f.names, 8, time.Second, f.log)
	a, err := sub.Subscribe(ctx, "hooks")
	if err != nil {
		t.Fatal(err)
	}
	b, err := sub.Subscribe(ctx, "hooks")
	if err != nil {
		t.Fatal(err)
	}
	ch, err := f.conn.Connection().Channel()
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()
	// Both consumers are on the queue before anything is published, or the
	// first one could take every message.
	for deadline := time.Now().Add(10 * time.Second); ; {
		n, err := consumers(f.conn.Connection(), f.names.EventsQueue("hooks"))
		if err == nil && n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("consumers on the queue: %d, %v", n, err)
		}
		time.Sleep(20 * time.Millisecond) // polling the consumer count
	}
	const n = 20
	for i := 0; i < n; i++ {
		p, _ := wamqp.DefaultMarshaler{}.Marshal(message.NewMessage(strconv.Itoa(i), []byte(strconv.Itoa(i))))
		if err := ch.PublishWithContext(ctx, f.names.EventsExchange(), "", false, false, p); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]int{}
	for len(seen) < n {
		select {
		case msg := <-a:
			seen[string(msg.Payload)]++
			msg.Ack()
		case msg := <-b:
			seen[string(msg.Payload)]++
			msg.Ack()
		case <-time.After(10 * time.Second):
			t.Fatalf("got %d of %d events", len(seen), n)
		}
	}
	select {
	case msg := <-a:
		t.Fatalf("event %s delivered twice", msg.Payload)
	case msg := <-b:
		t.Fatalf("event %s delivered twice", msg.Payload)
	case <-time.After(300 * time.Millisecond): // proving nothing more comes: no fact can
	}
}

// consumers counts the consumers on queue. A passive declare of a queue
// not declared yet closes its channel, so each look takes a channel of its
// own.
func consumers(conn *amqp.Connection, queue string) (int, error) {
	ch, err := conn.Channel()
	if err != nil {
		return 0, err
	}
	defer ch.Close()
	q, err := ch.QueueDeclarePassive(queue, true, false, false, false, nil)
	return q.Consumers, err
}

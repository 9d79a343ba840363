package rabbitmq_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/infra/rabbitmq"
	"github.com/zapgate/zapgate/infra/rabbitmq/amqptest"
)

// TestNamespacesShareAVhostApart: deployments on one vhost, even with the
// same instance id, each get their own commands and events and none of
// another's.
func TestNamespacesShareAVhostApart(t *testing.T) {
	t.Parallel()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := rabbitmq.Dial(ctx, amqptest.NewVhost(t), 3, log)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ch, err := conn.Connection().Channel()
	if err != nil {
		t.Fatal(err)
	}
	defer ch.Close()

	instanceID := domain.NewID(time.Now())
	type deployment struct {
		ns         string
		names      rabbitmq.Names
		pub        *rabbitmq.PipelinedPublisher
		cmds, evts <-chan *message.Message
	}
	var ds []*deployment
	for _, ns := range []string{"", "blue", "green"} {
		names, err := rabbitmq.NewNames(ns)
		if err != nil {
			t.Fatal(err)
		}
		if err := rabbitmq.DeclareTopology(conn, names); err != nil {
			t.Fatal(err)
		}
		// The queues exist before anything is published (as the subscribers
		// would declare them), so nothing published is unroutable.
		if err := rabbitmq.DeclareInstanceQueue(ch, names, instanceID); err != nil {
			t.Fatal(err)
		}
		if _, err := ch.QueueDeclare(names.EventsQueue("hooks"), true, false, false, false, nil); err != nil {
			t.Fatal(err)
		}
		if err := ch.QueueBind(names.EventsQueue("hooks"), "", names.EventsExchange(), false, nil); err != nil {
			t.Fatal(err)
		}
		d := &deployment{ns: ns, names: names, pub: rabbitmq.NewPipelinedPublisher(conn, names)}
		defer d.pub.Close()
		if d.cmds, err = rabbitmq.NewCommandSubscriber(conn, names, 8, time.Second, log).Subscribe(ctx, instanceID); err != nil {
			t.Fatal(err)
		}
		if d.evts, err = rabbitmq.NewEventSubscriber(conn, names, 8, time.Second, log).Subscribe(ctx, "hooks"); err != nil {
			t.Fatal(err)
		}
		ds = append(ds, d)
	}

	publish := func(d *deployment, what string) {
		t.Helper()
		if err := d.pub.Publish("instance."+instanceID+".send_message", message.NewMessage(domain.NewID(time.Now()), []byte(d.ns+" command "+what))); err != nil {
			t.Fatal(err)
		}
		if err := d.pub.Publish("events", message.NewMessage(domain.NewID(time.Now()), []byte(d.ns+" event "+what))); err != nil {
			t.Fatal(err)
		}
		if err := d.pub.Flush(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// Every deployment's first messages are with the broker before any
	// "last" is published: a message routed to a foreign queue would be
	// ahead of that queue's own "last", so reading up to "last" shows it.
	for _, d := range ds {
		publish(d, "first")
	}
	for _, d := range ds {
		publish(d, "last")
	}
	for _, d := range ds {
		for _, c := range []struct {
			kind string
			msgs <-chan *message.Message
		}{{"command", d.cmds}, {"event", d.evts}} {
			var got []string
			for len(got) == 0 || got[len(got)-1] != d.ns+" "+c.kind+" last" {
				select {
				case msg := <-c.msgs:
					got = append(got, string(msg.Payload))
					msg.Ack()
				case <-ctx.Done():
					t.Fatalf("namespace %q: %ss so far %q, never its last", d.ns, c.kind, got)
				}
			}
			if want := []string{d.ns + " " + c.kind + " first", d.ns + " " + c.kind + " last"}; len(got) != 2 || got[0] != want[0] {
				t.Errorf("namespace %q got %ss %q, want %q", d.ns, c.kind, got, want)
			}
		}
	}
}

package messaging

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
	"github.com/zapgate/zapgate/infra/metrics"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
	"github.com/zapgate/zapgate/infra/whatsapp/sim"
)

// noPoison is a poison queue that must stay empty.
type noPoison struct{ t *testing.T }

func (p noPoison) Publish(topic string, msgs ...*message.Message) error {
	p.t.Errorf("%d commands sent to the poison queue", len(msgs))
	return nil
}
func (noPoison) Close() error { return nil }

// TestConsumeQueueSendsEachMessageOnceInOrder feeds one instance's consumer
// a batch as the broker could deliver it: commands in order, a second copy
// of one (the forwarder is at least once), a redelivered command whose send
// already reached WhatsApp, and a command whose message is gone. On the
// real Postgres and the sim: each message reaches WhatsApp once, in order,
// every command is acknowledged, and each message is recorded as sent.
func TestConsumeQueueSendsEachMessageOnceInOrder(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store := postgres.NewStore(db, log)
	sink := &appSink{}
	network := sim.New(db, sink, log)
	defer network.Close()
	a := app.New(app.Deps{AdminToken: "admin-token", Store: store, WhatsApp: network, Log: log})
	sink.app = a
	ctx := context.Background()
	in, _, err := a.CreateInstance(ctx, "bench")
	if err != nil {
		t.Fatal(err)
	}
	if err := network.Scan(ctx, in.ID, "5511999990000"); err != nil {
		t.Fatal(err)
	}

	var ms []*domain.Message
	for range 5 {
		m, _, err := a.SendMessage(ctx, app.SendMessage{InstanceID: in.ID, To: "5511988887777", Type: "text", Text: "hi"})
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
	}
	// The third message already reached WhatsApp before a crash.
	if err := network.Send(ctx, in.ID, app.OutboundMessage{WAMessageID: ms[2].WAMessageID, To: ms[2].To, Type: ms[2].Type, Text: ms[2].Text}); err != nil {
		t.Fatal(err)
	}
	cmd := func(messageID string, redelivered bool) *message.Message {
		env, err := events.New(domain.NewID(time.Now()), events.CmdSendMessage, in.ID, time.Now(), events.SendMessage{MessageID: messageID})
		if err != nil {
			t.Fatal(err)
		}
		msg, err := events.ToMessage(ctx, env)
		if err != nil {
			t.Fatal(err)
		}
		if redelivered {
			msg.Metadata.Set(events.MetaRedelivered, "true")
		}
		return msg
	}
	batch := []*message.Message{
		cmd(ms[0].ID, false),
		cmd(ms[1].ID, false),
		cmd(ms[0].ID, false), // a second copy
		cmd(ms[2].ID, true),  // redelivered: already at WhatsApp
		cmd(domain.NewID(time.Now()), false),
		cmd(ms[3].ID, false),
		cmd(ms[4].ID, false),
	}
	msgs := make(chan *message.Message, len(batch))
	for _, msg := range batch {
		msgs <- msg
	}
	close(msgs)

	b := NewBot(a, network, nil, nil, nil, noPoison{t}, metrics.New(), time.Second, 0, log)
	handle, err := b.chain()
	if err != nil {
		t.Fatal(err)
	}
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	b.consumeQueue(cctx, in.ID, msgs, &consumer{cancel: cancel, pacer: &pacer{}}, handle)

	for i, msg := range batch {
		select {
		case <-msg.Acked():
		default:
			t.Fatalf("command %d not acknowledged", i)
		}
	}
	sent, err := network.Sent(ctx, in.ID, 100, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{ms[2].WAMessageID, ms[0].WAMessageID, ms[1].WAMessageID, ms[3].WAMessageID, ms[4].WAMessageID}
	if len(sent) != len(want) {
		t.Fatalf("WhatsApp got %d sends, want %d (each message once)", len(sent), len(want))
	}
	for i, s := range sent {
		if s.WAMessageID != want[i] {
			t.Fatalf("send %d is %s, want %s (queue order)", i, s.WAMessageID, want[i])
		}
	}
	for _, m := range ms {
		got, err := a.GetMessage(ctx, in.ID, m.ID)
		if err != nil || got.Status != domain.StatusSent {
			t.Fatalf("message %s: %v %+v", m.ID, err, got)
		}
	}
}

// appSink forwards the sim's link states to the app built after it.
type appSink struct{ app *app.App }

func (s *appSink) SetInstanceStatus(ctx context.Context, id string, st domain.InstanceStatus, phone, reason string) error {
	return s.app.SetInstanceStatus(ctx, id, st, phone, reason)
}

func (s *appSink) SetInstanceQR(ctx context.Context, id, code string, expiresAt time.Time) error {
	return s.app.SetInstanceQR(ctx, id, code, expiresAt)
}

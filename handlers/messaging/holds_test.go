package messaging

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/ThreeDotsLabs/watermill/message"
	"github.com/jmoiron/sqlx"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
	"github.com/zapgate/zapgate/infra/metrics"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
	"github.com/zapgate/zapgate/infra/whatsapp/sim"
)

// capFixture is one instance on the real Postgres and the sim, with a bot
// whose consumer runs a queue fed by the test.
type capFixture struct {
	t       *testing.T
	db      *sqlx.DB
	a       *app.App
	network *sim.Network
	bot     *Bot
	handle  message.NoPublishHandlerFunc
	in      *domain.Instance
}

func newCapFixture(t *testing.T) *capFixture {
	t.Helper()
	db, _ := pgtest.New(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	store := postgres.NewStore(db, log)
	sink := &appSink{}
	network := sim.New(db, sink, log)
	t.Cleanup(network.Close)
	a := app.New(app.Deps{AdminToken: "admin-token", Store: store, WhatsApp: network, Log: log, Holds: store})
	sink.app = a
	ctx := context.Background()
	in, _, err := a.CreateInstance(ctx, "capped")
	if err != nil {
		t.Fatal(err)
	}
	if err := network.Scan(ctx, in.ID, "5511999990000"); err != nil {
		t.Fatal(err)
	}
	b := NewBot(a, network, nil, nil, nil, noPoison{t}, metrics.New(), time.Second, 0, log)
	handle, err := b.chain()
	if err != nil {
		t.Fatal(err)
	}
	return &capFixture{t: t, db: db, a: a, network: network, bot: b, handle: handle, in: in}
}

func (f *capFixture) send(to, text string) *domain.Message {
	f.t.Helper()
	m, _, err := f.a.SendMessage(context.Background(), app.SendMessage{InstanceID: f.in.ID, To: to, Type: "text", Text: text})
	if err != nil {
		f.t.Fatal(err)
	}
	return m
}

// consume runs the instance's consumer over the commands of ms, with the
// cap given, until it has handled them all; every command must be acked.
func (f *capFixture) consume(capNow int, ms ...*domain.Message) {
	f.t.Helper()
	ctx := context.Background()
	msgs := make(chan *message.Message, len(ms))
	var cmds []*message.Message
	for _, m := range ms {
		env, err := events.New(domain.NewID(time.Now()), events.CmdSendMessage, f.in.ID, time.Now(), events.SendMessage{MessageID: m.ID})
		if err != nil {
			f.t.Fatal(err)
		}
		msg, err := events.ToMessage(ctx, env)
		if err != nil {
			f.t.Fatal(err)
		}
		cmds = append(cmds, msg)
		msgs <- msg
	}
	close(msgs)
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	f.bot.consumeQueue(cctx, f.in.ID, msgs, &consumer{cancel: cancel, pacer: &pacer{}, holds: newHolds(capNow)}, f.handle)
	for i, msg := range cmds {
		select {
		case <-msg.Acked():
		default:
			f.t.Fatalf("command %d not acknowledged", i)
		}
	}
}

// sentTexts is what WhatsApp received, in order.
func (f *capFixture) sentTexts() []string {
	f.t.Helper()
	sent, err := f.network.Sent(context.Background(), f.in.ID, 100, 0)
	if err != nil {
		f.t.Fatal(err)
	}
	var out []string
	for _, s := range sent {
		out = append(out, s.Text)
	}
	return out
}

// windowPasses moves every new contact counted so far out of the rolling
// window, as 24 h going by would.
func (f *capFixture) windowPasses() {
	f.t.Helper()
	if _, err := f.db.Exec(`UPDATE new_contacts SET first_sent_at = first_sent_at - interval '24 hours 1 minute'`); err != nil {
		f.t.Fatal(err)
	}
}

func (f *capFixture) wantHeld(ms ...*domain.Message) {
	f.t.Helper()
	for _, m := range ms {
		got, err := f.a.GetMessage(context.Background(), f.in.ID, m.ID)
		if err != nil {
			f.t.Fatal(err)
		}
		if got.Status != domain.StatusQueued || got.Held != domain.HeldNewContactCap {
			f.t.Errorf("%s: status %s held %q, want queued and held", got.Text, got.Status, got.Held)
		}
	}
}

// TestConsumerKeepsPerChatOrderUnderTheCap: with a cap of 1, A1 B1 A2 C1 B2
// (A, B, C never written to) send A1 A2 and hold B1 C1 B2; when the window
// allows one more, B's chat goes whole (B1 B2), then, a window later, C1.
// Nothing is sent twice, and a message to someone who wrote first is never
// held, even behind the cap.
func TestConsumerKeepsPerChatOrderUnderTheCap(t *testing.T) {
	t.Parallel()
	f := newCapFixture(t)
	ctx := context.Background()
	a1, b1, a2 := f.send("5511900000001", "A1"), f.send("5511900000002", "B1"), f.send("5511900000001", "A2")
	c1, b2 := f.send("5511900000003", "C1"), f.send("5511900000002", "B2")
	f.consume(1, a1, b1, a2, c1, b2)
	if got := f.sentTexts(); !slices.Equal(got, []string{"A1", "A2"}) {
		t.Fatalf("sent %v, want [A1 A2]", got)
	}
	f.wantHeld(b1, c1, b2)

	// K wrote first: known, so not held although the cap is spent.
	if _, _, err := f.a.ReceiveMessage(ctx, domain.IncomingDraft{InstanceID: f.in.ID, WAMessageID: "K-IN-1",
		From: "5511900000009", Type: domain.TypeText, Text: "hello?", At: time.Now()}, nil); err != nil {
		t.Fatal(err)
	}
	k1 := f.send("5511900000009", "K1")
	f.consume(1, k1)
	if got := f.sentTexts(); !slices.Equal(got, []string{"A1", "A2", "K1"}) {
		t.Fatalf("sent %v, want [A1 A2 K1]", got)
	}
	figures, err := f.a.InstanceSendingFigures(ctx, f.in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if figures != (app.SendingFigures{Sent24h: 3, NewContacts24h: 1, Held: 3}) {
		t.Errorf("figures = %+v, want 3 sent, 1 new contact, 3 held", figures)
	}

	f.windowPasses()
	f.consume(1) // a consumer starting finds held messages by itself
	if got := f.sentTexts(); !slices.Equal(got, []string{"A1", "A2", "K1", "B1", "B2"}) {
		t.Fatalf("sent %v, want B's chat whole next", got)
	}
	f.wantHeld(c1)

	f.windowPasses()
	f.consume(1)
	if got := f.sentTexts(); !slices.Equal(got, []string{"A1", "A2", "K1", "B1", "B2", "C1"}) {
		t.Fatalf("sent %v, want C1 last", got)
	}
	for _, m := range []*domain.Message{a1, b1, a2, c1, b2, k1} {
		got, err := f.a.GetMessage(ctx, f.in.ID, m.ID)
		if err != nil || got.Status != domain.StatusSent || got.Held != "" {
			t.Fatalf("%s: %v %+v", m.Text, err, got)
		}
	}
}

// TestConsumerReleasesAHeldChatBeforeNewerMessages: once the cap is
// raised, a chat's held message goes before a newer one to that chat.
func TestConsumerReleasesAHeldChatBeforeNewerMessages(t *testing.T) {
	t.Parallel()
	f := newCapFixture(t)
	a1, b1 := f.send("5511900000001", "A1"), f.send("5511900000002", "B1")
	f.consume(1, a1, b1)
	f.wantHeld(b1)
	b2 := f.send("5511900000002", "B2")
	f.consume(5, b2) // room now: B1 is released first, then B2 goes
	if got := f.sentTexts(); !slices.Equal(got, []string{"A1", "B1", "B2"}) {
		t.Fatalf("sent %v, want [A1 B1 B2]", got)
	}
}

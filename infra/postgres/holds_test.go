package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
	"github.com/zapgate/zapgate/migrations"
)

// holdsFixture is an app on the real Postgres whose sends are recorded by
// hand, at times the test chooses.
type holdsFixture struct {
	t     *testing.T
	a     *app.App
	store *postgres.Store
	in    *domain.Instance
}

func newHoldsFixture(t *testing.T) *holdsFixture {
	t.Helper()
	db, _ := pgtest.New(t)
	store := postgres.NewStore(db, quiet)
	a := app.New(app.Deps{AdminToken: "admin-token", Store: store, Holds: store, Log: quiet,
		Sending: app.SendingDefaults{NewContactsPerDay: 50, WarmupDays: 7}})
	in, _, err := a.CreateInstance(context.Background(), "holds")
	if err != nil {
		t.Fatal(err)
	}
	return &holdsFixture{t: t, a: a, store: store, in: in}
}

// sentAt queues a message to to and records it sent at at.
func (f *holdsFixture) sentAt(to string, at time.Time) *domain.Message {
	f.t.Helper()
	ctx := context.Background()
	m, _, err := f.a.SendMessage(ctx, app.SendMessage{InstanceID: f.in.ID, To: to, Type: "text", Text: "hi"})
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.a.RecordSends(ctx, f.in.ID, []app.SendOutcome{{MessageID: m.ID, At: at}}); err != nil {
		f.t.Fatal(err)
	}
	return m
}

func (f *holdsFixture) used(since time.Time, chats ...string) (map[string]app.ChatAdmission, int) {
	f.t.Helper()
	seen, used, err := f.store.SendAdmission(context.Background(), f.in.ID, chats, since)
	if err != nil {
		f.t.Fatal(err)
	}
	return seen, used
}

// TestNewContactsCountOncePerPersonInTheWindow: the first send to a person
// counts, later ones do not; a person's phone and LID are one person
// through contacts; someone who wrote first never counts; contacts first
// written to 23h59 ago count, 24h01 ago do not.
func TestNewContactsCountOncePerPersonInTheWindow(t *testing.T) {
	t.Parallel()
	f := newHoldsFixture(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Second)
	const phone, lid = "5511900000001", "77001@lid"
	if err := f.a.RecordContacts(ctx, f.in.ID, []domain.ContactObservation{{JID: phone + "@s.whatsapp.net", LID: lid, Phone: phone}}); err != nil {
		t.Fatal(err)
	}
	seen, used := f.used(domain.NewContactWindowStart(now), phone+"@s.whatsapp.net", lid)
	if used != 0 || seen[lid].Known || seen[phone+"@s.whatsapp.net"].Known {
		t.Fatalf("before any send: used %d, seen %+v", used, seen)
	}

	f.sentAt(lid, now.Add(-23*time.Hour-59*time.Minute)) // first written to by LID
	f.sentAt(phone, now.Add(-time.Hour))                 // then by phone: the same person
	f.sentAt(lid, now.Add(-time.Minute))                 // and again
	f.sentAt("5511900000002", now.Add(-24*time.Hour-time.Minute))
	// Someone who wrote first.
	if _, _, err := f.a.ReceiveMessage(ctx, domain.IncomingDraft{InstanceID: f.in.ID, WAMessageID: "IN-1",
		From: "5511900000003", Type: domain.TypeText, Text: "hello", At: now.Add(-2 * time.Hour)}, nil); err != nil {
		t.Fatal(err)
	}
	f.sentAt("5511900000003", now.Add(-time.Hour))

	seen, used = f.used(domain.NewContactWindowStart(now), phone+"@s.whatsapp.net", lid, "5511900000004@s.whatsapp.net")
	if used != 1 {
		t.Errorf("new contacts in the window = %d, want 1 (the person by LID and phone, once; not one from 24h01 ago; not one who wrote first)", used)
	}
	if !seen[phone+"@s.whatsapp.net"].Known || !seen[lid].Known || seen["5511900000004@s.whatsapp.net"].Known {
		t.Errorf("known = %+v, want the person by phone and LID known, the stranger not", seen)
	}
	// Two minutes later the LID send of 23h59 ago has left the window.
	if _, used := f.used(domain.NewContactWindowStart(now.Add(2*time.Minute)), lid); used != 0 {
		t.Errorf("after the window, used = %d, want 0", used)
	}
	figures, err := f.a.InstanceSendingFigures(ctx, f.in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if figures.Sent24h != 4 || figures.NewContacts24h != 1 || figures.Held != 0 {
		t.Errorf("figures = %+v, want 4 sent in 24 h, 1 new contact, none held", figures)
	}
}

// TestHeldMessagesAreFoundAndReleasedByChat: held messages are listed by
// chat, the chat waiting longest first, and come back in created order.
func TestHeldMessagesAreFoundAndReleasedByChat(t *testing.T) {
	t.Parallel()
	f := newHoldsFixture(t)
	ctx := context.Background()
	var ms []domain.Message
	for _, to := range []string{"5511900000002", "5511900000003", "5511900000002"} {
		m, _, err := f.a.SendMessage(ctx, app.SendMessage{InstanceID: f.in.ID, To: to, Type: "text", Text: to})
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, *m)
	}
	hold, err := f.a.AdmitSends(ctx, f.in.ID, 1, ms)
	if err != nil {
		t.Fatal(err)
	}
	if len(hold) != 1 || !hold[ms[1].ID] {
		t.Fatalf("held %v, want only the message to the second person", hold)
	}
	// The first person's message is sent; the cap is spent.
	if _, err := f.a.RecordSends(ctx, f.in.ID, []app.SendOutcome{{MessageID: ms[0].ID, At: time.Now()}, {MessageID: ms[2].ID, At: time.Now()}}); err != nil {
		t.Fatal(err)
	}
	got, waiting, err := f.a.ReleaseHeld(ctx, f.in.ID, 1)
	if err != nil || len(got) != 0 || waiting != 1 {
		t.Fatalf("release with the cap spent: %v %d %v", got, waiting, err)
	}
	got, waiting, err = f.a.ReleaseHeld(ctx, f.in.ID, 2)
	if err != nil || len(got) != 1 || got[0].ID != ms[1].ID || waiting != 0 {
		t.Fatalf("release with room: %v %d %v", got, waiting, err)
	}
	if got[0].Held != domain.HeldNewContactCap {
		t.Errorf("a released message stays marked held until its send is recorded, got %q", got[0].Held)
	}
}

// TestLinkingWarmsUpOnlyNewPhones: a phone linked for the first time warms
// up for the default days; the same phone linked again (another instance,
// or after a logout) does not.
func TestLinkingWarmsUpOnlyNewPhones(t *testing.T) {
	t.Parallel()
	f := newHoldsFixture(t)
	ctx := context.Background()
	if err := f.a.SetInstanceStatus(ctx, f.in.ID, domain.InstanceConnected, "5511999990000", ""); err != nil {
		t.Fatal(err)
	}
	in, err := f.a.GetInstance(ctx, f.in.ID)
	if err != nil {
		t.Fatal(err)
	}
	if in.WarmupDays != 7 || in.LinkedAt == nil || in.NewContactsPerDay != 50 {
		t.Fatalf("new phone: warmup %d linked %v cap %d, want 7, set, 50", in.WarmupDays, in.LinkedAt, in.NewContactsPerDay)
	}
	other, _, err := f.a.CreateInstance(ctx, "again")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.a.SetInstanceStatus(ctx, other.ID, domain.InstanceConnected, "5511999990000", ""); err != nil {
		t.Fatal(err)
	}
	if in, err = f.a.GetInstance(ctx, other.ID); err != nil || in.WarmupDays != 0 || in.LinkedAt == nil {
		t.Fatalf("phone seen before: %+v %v", in, err)
	}
}

// TestUpgradeKeepsLinkedNumbersOutOfWarmup: instances linked before the
// new-contact migration are not new links: their phones are remembered and
// a reconnect does not start a warm-up.
func TestUpgradeKeepsLinkedNumbersOutOfWarmup(t *testing.T) {
	t.Parallel()
	db := databaseBefore(t, "0031_new_contacts")
	ctx := context.Background()
	store := postgres.NewStore(db, quiet)
	a := app.New(app.Deps{AdminToken: "admin-token", Store: store, Holds: store, Log: quiet,
		Sending: app.SendingDefaults{NewContactsPerDay: 50, WarmupDays: 7}})
	in, _, err := a.CreateInstance(ctx, "old")
	if err == nil {
		t.Fatal("creating an instance on the old schema worked: the test does not stand before 0031")
	}
	// The old schema's columns only.
	id := domain.NewID(time.Now())
	if _, err := db.ExecContext(ctx, `INSERT INTO instances (id, name, status, phone, token_hash, created_at, updated_at)
		VALUES ($1, 'old', 'connected', '5511999990000', 'h', now(), now())`, id); err != nil {
		t.Fatal(err)
	}
	if err := postgres.Migrate(ctx, db, migrations.FS, quiet); err != nil {
		t.Fatal(err)
	}
	// A reconnect of the same phone.
	if err := a.SetInstanceStatus(ctx, id, domain.InstanceDisconnected, "", "network"); err != nil {
		t.Fatal(err)
	}
	if err := a.SetInstanceStatus(ctx, id, domain.InstanceConnected, "5511999990000", ""); err != nil {
		t.Fatal(err)
	}
	if in, err = a.GetInstance(ctx, id); err != nil || in.WarmupDays != 0 || in.LinkedAt == nil {
		t.Fatalf("after upgrade and reconnect: %+v %v, want no warm-up", in, err)
	}
	// The same phone linked to another instance is not new either.
	other, _, err := a.CreateInstance(ctx, "other")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.SetInstanceStatus(ctx, other.ID, domain.InstanceConnected, "5511999990000", ""); err != nil {
		t.Fatal(err)
	}
	if in, err = a.GetInstance(ctx, other.ID); err != nil || in.WarmupDays != 0 {
		t.Fatalf("a phone linked before the upgrade: %+v %v, want no warm-up", in, err)
	}
}

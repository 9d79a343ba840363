package app

import (
	"context"
	"testing"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

// TestReactEditRevokeRoad: a reaction is sent like a message and lands on
// its target once sent; an edit and a revoke run as commands and change
// the message with their events; an edit past the window is refused.
func TestReactEditRevokeRoad(t *testing.T) {
	ctx := context.Background()
	wa := &fakeEditor{}
	store := newFakeStore()
	now := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	// A long command timeout: the late edit must reach the window check.
	a := New(Deps{Store: store, WhatsApp: wa, QR: fakeQR{}, Clock: func() time.Time { return now }, CommandTimeout: time.Hour})
	in, _, err := a.CreateInstance(ctx, "sales")
	if err != nil {
		t.Fatal(err)
	}
	store.mu.Lock()
	i := store.instances[in.ID]
	i.Phone = "5511900000001"
	store.instances[in.ID] = i
	store.mu.Unlock()
	send := func(cmd SendMessage) *domain.Message {
		t.Helper()
		cmd.InstanceID = in.ID
		m, _, err := a.SendMessage(ctx, cmd)
		if err != nil {
			t.Fatal(err)
		}
		out, err := a.SendOne(ctx, PreparedSend{Message: *m})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.RecordSends(ctx, in.ID, []SendOutcome{out}); err != nil {
			t.Fatal(err)
		}
		got, _ := a.GetMessage(ctx, in.ID, m.ID)
		return got
	}
	text := send(SendMessage{To: "5511988887777", Type: "text", Text: "hi"})
	reply := send(SendMessage{To: "5511988887777", Type: "text", Text: "more", ReplyTo: text.ID})
	if last := wa.sent[len(wa.sent)-1]; last.ReplyTo == nil || last.ReplyTo.WAMessageID != text.WAMessageID || !last.ReplyTo.FromMe {
		t.Errorf("the reply went with %+v", last.ReplyTo)
	}
	if _, _, err := a.SendMessage(ctx, SendMessage{InstanceID: in.ID, To: "5511988887777", Type: "text", Text: "x", ReplyTo: in.ID}); err == nil {
		t.Error("a reply to no message was accepted")
	}
	send(SendMessage{Type: "reaction", MessageID: reply.ID, Emoji: "👍"})
	if last := wa.sent[len(wa.sent)-1]; last.Target == nil || last.Target.WAMessageID != reply.WAMessageID || last.Emoji != "👍" || last.To != "5511988887777" {
		t.Errorf("the reaction went as %+v", last)
	}
	if got, _ := a.GetMessage(ctx, in.ID, reply.ID); len(got.Reactions) != 1 || got.Reactions[0].From != "5511900000001" {
		t.Errorf("reactions %+v", got.Reactions)
	}

	cmd, err := a.EditMessage(ctx, in.ID, text.ID, "hi there")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.RunCommand(ctx, in.ID, cmd.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.GetMessage(ctx, in.ID, text.ID); got.Text != "hi there" || got.EditedAt == nil || len(wa.edits) != 1 {
		t.Errorf("edited %+v, edits %+v", got, wa.edits)
	}
	cmd, err = a.RevokeMessage(ctx, in.ID, text.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := a.RunCommand(ctx, in.ID, cmd.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.GetMessage(ctx, in.ID, text.ID); got.RevokedAt == nil || len(wa.revokes) != 1 {
		t.Errorf("revoked %+v", got)
	}
	// An edit requested in time that runs too late ends not_editable.
	cmd, err = a.EditMessage(ctx, in.ID, reply.ID, "later")
	if err != nil {
		t.Fatal(err)
	}
	now = now.Add(16 * time.Minute)
	if err := a.RunCommand(ctx, in.ID, cmd.ID); err != nil {
		t.Fatal(err)
	}
	if got, _ := a.GetCommand(ctx, in.ID, cmd.ID); got.ErrorCode != domain.CommandNotEditable {
		t.Errorf("late edit ended %+v", got)
	}
	if _, err := a.EditMessage(ctx, in.ID, reply.ID, "later"); err == nil {
		t.Error("an edit past the window was accepted")
	}

	// Incoming: a reaction on the reply, then an unknown target.
	if _, err := a.ReceiveChange(ctx, IncomingChange{InstanceID: in.ID, Kind: ChangeReaction, TargetWAID: reply.WAMessageID, From: "5511988887777", Emoji: "❤️"}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.ReceiveChange(ctx, IncomingChange{InstanceID: in.ID, Kind: ChangeRevoke, TargetWAID: "NOPE"}); !domain.IsNotFound(err) {
		t.Errorf("unknown target: %v", err)
	}
	count := map[string]int{}
	for _, e := range store.published {
		count[e.Type]++
	}
	if count[events.MessageReaction] != 2 || count[events.MessageEdited] != 1 || count[events.MessageRevoked] != 1 {
		t.Errorf("events %v", count)
	}
}

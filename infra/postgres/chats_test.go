package postgres_test

import (
	"context"
	"testing"
	"time"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
)

// TestChatIncomingAndReadMarks: the unread incoming messages of a chat,
// oldest first, until marked read; named ones whatever their state; ptt
// round-trips.
func TestChatIncomingAndReadMarks(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	ctx := context.Background()
	in := newInstance(t, s)
	now := time.Now().UTC().Truncate(time.Millisecond)
	const ana, bia = "5511988887777@s.whatsapp.net", "5511977776666@s.whatsapp.net"
	var ids []string
	for i, chat := range []string{ana, ana, bia, ana} {
		at := now.Add(time.Duration(i) * time.Millisecond)
		m := &domain.Message{ID: domain.NewID(at), InstanceID: in.ID, Direction: domain.DirectionIn, Status: domain.StatusReceived,
			From: chat, Chat: chat, Type: domain.TypeAudio, PTT: i == 0, WAMessageID: "in-" + string(rune('a'+i)), CreatedAt: at,
			Media: &domain.Media{Key: "k", Mime: "audio/ogg", Size: 1, SHA256: "x"}}
		if err := s.InTx(ctx, func(tx app.Tx) error { _, err := tx.InsertMessage(ctx, m); return err }); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, m.ID)
	}
	out, err := domain.NewOutgoing(domain.OutgoingDraft{InstanceID: in.ID, To: "5511988887777", Type: "text", Text: "hi"}, now)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.InTx(ctx, func(tx app.Tx) error { _, err := tx.InsertMessage(ctx, out); return err }); err != nil {
		t.Fatal(err)
	}
	if m, err := s.Message(ctx, in.ID, ids[0]); err != nil || !m.PTT {
		t.Fatalf("ptt round trip: %v %+v", err, m)
	}

	unread, err := s.ChatIncoming(ctx, in.ID, []string{ana}, nil, 10)
	if err != nil || len(unread) != 3 || unread[0].ID != ids[0] || unread[2].ID != ids[3] {
		t.Fatalf("unread of ana: %v %d", err, len(unread))
	}
	if got, _ := s.ChatIncoming(ctx, in.ID, []string{ana}, nil, 2); len(got) != 2 {
		t.Fatalf("limit: %d", len(got))
	}
	// Marked read in a transaction, they leave the default.
	if err := s.InTx(ctx, func(tx app.Tx) error {
		ms, err := tx.LockMessages(ctx, in.ID, ids[:2])
		if err != nil {
			return err
		}
		var changed []*domain.Message
		for i := range ms {
			if ms[i].MarkReadByUs(now) {
				changed = append(changed, &ms[i])
			}
		}
		return tx.UpdateMessages(ctx, changed)
	}); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.ChatIncoming(ctx, in.ID, []string{ana, bia}, nil, 10); len(got) != 2 || got[0].ID != ids[2] || got[1].ID != ids[3] {
		t.Fatalf("unread after marking: %+v", got)
	}
	// Named: read or not, incoming of those chats only.
	got, err := s.ChatIncoming(ctx, in.ID, []string{ana}, []string{ids[0], ids[2], out.ID}, 10)
	if err != nil || len(got) != 1 || got[0].ID != ids[0] || got[0].ReadAt == nil {
		t.Fatalf("named: %v %+v", err, got)
	}
	if got, _ := s.ChatIncoming(ctx, domain.NewID(now), []string{ana}, nil, 10); len(got) != 0 {
		t.Fatalf("another instance sees %d", len(got))
	}
}

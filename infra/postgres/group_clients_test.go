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

// A group is one client, keyed on its JID and named by its subject, once
// the instance attends groups; a member writing directly stays a person of
// their own.
func TestGroupClients(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	in := newInstance(t, s)
	now := time.Now().UTC()
	a := app.New(app.Deps{AdminToken: "admin-token", Store: s, Attendances: s, Attendants: s, Feedback: s, Tools: s, Groups: s,
		PublicURL: "https://zap.example", Clock: func() time.Time { return now }, Log: quiet})
	ctx := context.Background()
	saveGroup(t, s, in.ID, app.GroupInfo{JID: teamJID, Subject: "Store 12", CreatedAt: now})
	write := func(from, wa, chat string, at time.Time) {
		t.Helper()
		d := domain.IncomingDraft{InstanceID: in.ID, WAMessageID: wa, From: from, PushName: "Ana",
			Type: domain.TypeText, Text: wa, At: at}
		if chat != "" {
			d.Chat, d.IsGroup, d.Participant = chat, true, from+"@s.whatsapp.net"
		}
		m, _, err := a.ReceiveMessage(ctx, d, nil)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.AttendIncoming(ctx, app.MessageData(m)); err != nil {
			t.Fatal(err)
		}
	}

	write(lidPhone, "G0", teamJID, now)
	if cs := clientsOf(t, db, in.ID); len(cs) != 0 {
		t.Fatalf("attend_groups off: clients %+v", cs)
	}
	on := true
	if _, err := a.UpdateInstance(ctx, in.ID, app.InstancePatch{AttendGroups: &on}); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Instance(ctx, in.ID); err != nil || !got.AttendGroups {
		t.Fatalf("instance %+v %v", got, err)
	}
	write(lidPhone, "G1", teamJID, now.Add(time.Second))
	write("5511966665555", "G2", teamJID, now.Add(2*time.Second))
	write(lidPhone, "D1", "", now.Add(3*time.Second))

	type row struct {
		Phone    string `db:"phone"`
		GroupJID string `db:"group_jid"`
		PushName string `db:"push_name"`
	}
	var rows []row
	if err := db.Select(&rows, `SELECT phone, group_jid, push_name FROM clients WHERE instance_id = $1 ORDER BY first_seen_at`, in.ID); err != nil {
		t.Fatal(err)
	}
	want := []row{{"", teamJID, "Store 12"}, {lidPhone, "", "Ana"}}
	if len(rows) != 2 || rows[0] != want[0] || rows[1] != want[1] {
		t.Fatalf("clients %+v, want %+v", rows, want)
	}
	open, merged, filed, unfiled := attendancesOf(t, db, in.ID)
	if open != 2 || merged != 0 || filed != 3 || unfiled != 1 { // G0 came before attend_groups
		t.Fatalf("open %d, merged %d, filed %d, unfiled %d", open, merged, filed, unfiled)
	}
	// The address check holds: a client names a phone, a LID or a group.
	if _, err := db.Exec(`INSERT INTO clients (id, instance_id, first_seen_at, last_seen_at) VALUES ($1, $2, now(), now())`,
		domain.NewID(now), in.ID); err == nil {
		t.Fatal("a client with no address was stored")
	}
}

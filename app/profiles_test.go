package app

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/zapgate/zapgate/domain"
)

// fakeProfiles is a driver that reads pictures and blocks people.
type fakeProfiles struct {
	fakeWhatsApp
	pictures map[string]string
	blocked  map[string]bool
	err      error
}

func (f *fakeProfiles) ProfilePicture(ctx context.Context, instanceID, jid string) (string, error) {
	return f.pictures[jid], f.err
}

func (f *fakeProfiles) SetBlocked(ctx context.Context, instanceID, jid string, blocked bool) error {
	if f.err != nil {
		return f.err
	}
	f.blocked[jid] = blocked
	return nil
}

func newProfileApp(t *testing.T, wa WhatsApp) (*App, *fakeStore, string) {
	t.Helper()
	store := newFakeStore()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	a := New(Deps{Store: store, WhatsApp: wa, QR: fakeQR{}, Clock: func() time.Time { return now },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	in, _, err := a.CreateInstance(context.Background(), "sales")
	if err != nil {
		t.Fatal(err)
	}
	store.published = nil
	return a, store, in.ID
}

func TestProfileRequestsRefuseBadAddresses(t *testing.T) {
	a, store, id := newProfileApp(t, &fakeProfiles{})
	ctx := context.Background()
	tests := []struct {
		name    string
		request func() (*domain.Command, error)
	}{
		{"picture of no address", func() (*domain.Command, error) { return a.GetContactPicture(ctx, id, "abc") }},
		{"block no address", func() (*domain.Command, error) { return a.BlockContact(ctx, id, "12@example.com") }},
		{"block a group", func() (*domain.Command, error) { return a.BlockContact(ctx, id, "120363@g.us") }},
		{"unblock a group", func() (*domain.Command, error) { return a.UnblockContact(ctx, id, "120363@g.us") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.request()
			var de *domain.Error
			if !errors.As(err, &de) || de.Kind != domain.KindInvalid || de.Fields["address"] == "" {
				t.Fatalf("err = %v, want invalid naming address", err)
			}
		})
	}
	if len(store.commands) != 0 {
		t.Fatal("a refused request stored a command")
	}
	// A group's picture may be asked for.
	if _, err := a.GetContactPicture(ctx, id, "120363@g.us"); err != nil {
		t.Fatal(err)
	}
}

func TestProfileCommandsRun(t *testing.T) {
	ctx := context.Background()
	wa := &fakeProfiles{pictures: map[string]string{"5511999998888@s.whatsapp.net": "https://pps.example/p.jpg"}, blocked: map[string]bool{}}
	a, store, id := newProfileApp(t, wa)

	for addr, want := range map[string]string{"+5511999998888": "https://pps.example/p.jpg", "77@lid": ""} {
		cmd, err := a.GetContactPicture(ctx, id, addr)
		if err != nil {
			t.Fatal(err)
		}
		if err := a.RunCommand(ctx, id, cmd.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := a.GetCommand(ctx, id, cmd.ID)
		var res ContactPicture
		if err := json.Unmarshal(got.Result, &res); err != nil || got.Status != domain.CommandDone || res.URL != want {
			t.Fatalf("picture of %s: %s %s, want url %q", addr, got.Status, got.Result, want)
		}
	}

	for _, step := range []struct {
		block bool
		addr  string
		jid   string
	}{{true, "77@lid", "77@lid"}, {false, "5511999998888", "5511999998888@s.whatsapp.net"}} {
		request := a.UnblockContact
		if step.block {
			request = a.BlockContact
		}
		cmd, err := request(ctx, id, step.addr)
		if err != nil {
			t.Fatal(err)
		}
		store.contactObservations = nil
		if err := a.RunCommand(ctx, id, cmd.ID); err != nil {
			t.Fatal(err)
		}
		got, _ := a.GetCommand(ctx, id, cmd.ID)
		var res BlockChange
		if err := json.Unmarshal(got.Result, &res); err != nil || res != (BlockChange{JID: step.jid, Blocked: step.block}) {
			t.Fatalf("result %s, want jid %s blocked %t", got.Result, step.jid, step.block)
		}
		if wa.blocked[step.jid] != step.block {
			t.Fatalf("driver: %s blocked %t", step.jid, wa.blocked[step.jid])
		}
		// The contact row changes with the ending, whoever it is.
		obs := store.contactObservations
		if len(obs) != 1 || !obs[0].BlockedKnown || obs[0].Blocked != step.block || (obs[0].JID != step.jid && obs[0].LID != step.jid) {
			t.Fatalf("recorded %+v, want %s blocked %t", obs, step.jid, step.block)
		}
	}
}

func TestProfileCommandsFailWhereWhatsAppRefuses(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		wa       WhatsApp
		wantCode string
	}{
		{"driver without profiles", &fakeWhatsApp{}, domain.CommandWhatsAppRefused},
		{"whatsapp refuses", &fakeProfiles{blocked: map[string]bool{}, err: wrapPermanent("not-authorized")}, domain.CommandWhatsAppRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, store, id := newProfileApp(t, tt.wa)
			cmd, err := a.BlockContact(ctx, id, "5511999998888")
			if err != nil {
				t.Fatal(err)
			}
			if err := a.RunCommand(ctx, id, cmd.ID); err != nil {
				t.Fatal(err)
			}
			got, _ := a.GetCommand(ctx, id, cmd.ID)
			if got.Status != domain.CommandFailed || got.ErrorCode != tt.wantCode {
				t.Fatalf("status %s code %q, want failed %q", got.Status, got.ErrorCode, tt.wantCode)
			}
			if len(store.contactObservations) != 0 {
				t.Fatal("a failed block changed the contact")
			}
		})
	}
}

// fakeMembers knows one group's members.
type fakeMembers map[string][]string

func (f fakeMembers) GroupMemberJIDs(ctx context.Context, instanceID, groupJID string) ([]string, error) {
	m, ok := f[groupJID]
	if !ok {
		return nil, domain.NotFound("group")
	}
	return m, nil
}

func TestSendMessageMentionAll(t *testing.T) {
	members := fakeMembers{"1203@g.us": {"5511999998888@s.whatsapp.net", "77@lid", "5511777776666@s.whatsapp.net"}}
	tests := []struct {
		name     string
		members  GroupMembers
		cmd      SendMessage
		wantKind domain.Kind
		wantWhat string // the field or the missing thing
		want     []string
	}{
		{"expands to the members after the named", members,
			SendMessage{To: "1203@g.us", Type: "text", Text: "all", Mentions: []string{"77@lid", "5511000000000"}, MentionAll: true}, 0, "",
			[]string{"77@lid", "5511000000000@s.whatsapp.net", "5511999998888@s.whatsapp.net", "5511777776666@s.whatsapp.net"}},
		{"named only", nil, SendMessage{To: "1203@g.us", Type: "text", Text: "hi", Mentions: []string{"5511999998888"}}, 0, "",
			[]string{"5511999998888@s.whatsapp.net"}},
		{"group unknown", members, SendMessage{To: "999@g.us", Type: "text", Text: "all", MentionAll: true}, domain.KindNotFound, "group", nil},
		{"no members port", nil, SendMessage{To: "1203@g.us", Type: "text", Text: "all", MentionAll: true}, domain.KindNotFound, "group", nil},
		{"to a person", members, SendMessage{To: "5511999998888", Type: "text", Text: "all", MentionAll: true}, domain.KindInvalid, "mention_all", nil},
		{"bad mention before the group is looked up", nil,
			SendMessage{To: "1203@g.us", Type: "text", Text: "all", Mentions: []string{"1203@g.us"}, MentionAll: true}, domain.KindInvalid, "mentions", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, store, _, wa, in := newTestApp(t)
			a.members = tt.members
			tt.cmd.InstanceID = in.ID
			m, _, err := a.SendMessage(context.Background(), tt.cmd)
			if tt.wantKind != 0 {
				var de *domain.Error
				if !errors.As(err, &de) || de.Kind != tt.wantKind {
					t.Fatalf("err = %v, want %v", err, tt.wantKind)
				}
				if tt.wantKind == domain.KindInvalid && de.Fields[tt.wantWhat] == "" {
					t.Fatalf("fields %v, want %s named", de.Fields, tt.wantWhat)
				}
				if len(store.messages) != 0 {
					t.Fatal("a refused message was stored")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !equalStrings(m.Mentions, tt.want) || !equalStrings(MessageData(m).Mentions, tt.want) {
				t.Fatalf("mentions %v, want %v", m.Mentions, tt.want)
			}
			// The driver is handed the same JIDs.
			if _, err := deliver(context.Background(), a, in.ID, m.ID, false); err != nil {
				t.Fatal(err)
			}
			if len(wa.sent) != 1 || !equalStrings(wa.sent[0].Mentions, tt.want) {
				t.Fatalf("sent %+v, want mentions %v", wa.sent, tt.want)
			}
		})
	}
}

func TestSendMessageKnowsTheRecipient(t *testing.T) {
	known := fakeContacts{{JID: "5511999998888@s.whatsapp.net", Phone: "5511999998888", LID: "77@lid"}}
	tests := []struct {
		name                      string
		to                        string
		wantTo, wantLID, wantSent string
	}{
		{"a LID whose phone is known", "77@lid", "5511999998888", "77@lid", "77@lid"},
		{"a phone whose LID is known", "5511999998888", "5511999998888", "77@lid", "5511999998888"},
		{"a stranger", "5511000000000", "5511000000000", "", "5511000000000"},
		{"a stranger by LID", "88@lid", "88@lid", "", "88@lid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, _, _, wa, in := newTestApp(t)
			a.contacts = known
			m, _, err := a.SendMessage(context.Background(), SendMessage{InstanceID: in.ID, To: tt.to, Type: "text", Text: "hi"})
			if err != nil {
				t.Fatal(err)
			}
			if m.To != tt.wantTo || m.ToLID != tt.wantLID {
				t.Fatalf("to %q to_lid %q, want %q %q", m.To, m.ToLID, tt.wantTo, tt.wantLID)
			}
			if _, err := deliver(context.Background(), a, in.ID, m.ID, false); err != nil {
				t.Fatal(err)
			}
			if len(wa.sent) != 1 || wa.sent[0].To != tt.wantSent {
				t.Fatalf("sent %+v, want to %q", wa.sent, tt.wantSent)
			}
		})
	}
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestMentionAllLeavesOutTheInstance: the linked phone is a member of the
// group but is not mentioned by its own message.
func TestMentionAllLeavesOutTheInstance(t *testing.T) {
	a, store, _, _, in := newTestApp(t)
	linked := store.instances[in.ID]
	linked.Phone = "5511900000001"
	store.instances[in.ID] = linked
	a.members = fakeMembers{"1203@g.us": {"5511900000001@s.whatsapp.net", "77@lid"}}
	m, _, err := a.SendMessage(context.Background(), SendMessage{InstanceID: in.ID, To: "1203@g.us", Type: "text", Text: "all", MentionAll: true})
	if err != nil {
		t.Fatal(err)
	}
	if !equalStrings(m.Mentions, []string{"77@lid"}) {
		t.Fatalf("mentions %v, want only the other member", m.Mentions)
	}
}

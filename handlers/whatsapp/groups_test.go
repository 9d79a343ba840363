package whatsapp

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"go.mau.fi/whatsmeow/types"
	"go.mau.fi/whatsmeow/types/events"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/infra/whatsapp/meow"
)

// fakeGroups records each GroupSink call as text.
type fakeGroups struct {
	calls  []string
	joined []app.GroupInfo
	err    error
}

func (f *fakeGroups) GroupJoined(ctx context.Context, instanceID string, g app.GroupInfo) error {
	f.calls = append(f.calls, fmt.Sprintf("joined %s %s", instanceID, g.JID))
	f.joined = append(f.joined, g)
	return f.err
}

func (f *fakeGroups) GroupChanged(ctx context.Context, instanceID, jid string, c app.GroupChange, by string) error {
	s := fmt.Sprintf("changed %s %s by=%s", instanceID, jid, by)
	if c.Subject != nil {
		s += fmt.Sprintf(" subject=%q", *c.Subject)
	}
	if c.Description != nil {
		s += fmt.Sprintf(" description=%q", *c.Description)
	}
	if c.Announce != nil {
		s += fmt.Sprintf(" announce=%t", *c.Announce)
	}
	if c.Locked != nil {
		s += fmt.Sprintf(" locked=%t", *c.Locked)
	}
	f.calls = append(f.calls, s)
	return f.err
}

func (f *fakeGroups) GroupParticipantsChanged(ctx context.Context, instanceID, jid, action string, ps []string, by string) error {
	f.calls = append(f.calls, fmt.Sprintf("participants %s %s %s %v by=%s", instanceID, jid, action, ps, by))
	return f.err
}

func (f *fakeGroups) GroupLeft(ctx context.Context, instanceID, jid string) error {
	f.calls = append(f.calls, fmt.Sprintf("left %s %s", instanceID, jid))
	return f.err
}

func TestJoinedGroup(t *testing.T) {
	groups := &fakeGroups{}
	tr := newTranslator(&fakeSink{})
	tr.Groups, tr.ConvertGroup = groups, meow.ConvertGroup
	created := time.Unix(1_700_000_000, 0)
	evt := &events.JoinedGroup{Reason: "invite", GroupInfo: types.GroupInfo{
		JID: groupJID, OwnerJID: lidJID, GroupName: types.GroupName{Name: "Team"},
		GroupTopic: types.GroupTopic{Topic: "Shifts"}, GroupAnnounce: types.GroupAnnounce{IsAnnounce: true},
		GroupCreated: created,
		Participants: []types.GroupParticipant{
			{JID: lidJID, LID: lidJID, PhoneNumber: pnJID, IsAdmin: true, IsSuperAdmin: true},
			{JID: selfPN, PhoneNumber: selfPN, LID: selfLID},
		},
	}}
	if err := tr.Handle(context.Background(), evt); err != nil {
		t.Fatal(err)
	}
	want := app.GroupInfo{JID: "120363000000000000@g.us", Subject: "Team", Description: "Shifts", Owner: "123456789@lid",
		Announce: true, CreatedAt: created.UTC(), Participants: []app.GroupParticipant{
			{JID: "123456789@lid", Phone: "5511988887777", LID: "123456789@lid", Role: app.RoleSuperAdmin},
			{JID: "5511900000001@s.whatsapp.net", Phone: "5511900000001", LID: "900000001@lid", Role: app.RoleMember},
		}}
	if len(groups.joined) != 1 || !reflect.DeepEqual(groups.joined[0], want) {
		t.Fatalf("joined %+v\nwant   %+v", groups.joined, want)
	}
}

func TestGroupInfoEvents(t *testing.T) {
	const g = "120363000000000000@g.us"
	admin := types.NewJID("5511911112222", types.DefaultUserServer)
	other := types.NewJID("5511933334444", types.DefaultUserServer)
	base := func(f func(e *events.GroupInfo)) *events.GroupInfo {
		e := &events.GroupInfo{JID: groupJID, Sender: &admin, Timestamp: time.Unix(1_700_000_000, 0)}
		f(e)
		return e
	}
	tests := []struct {
		name string
		evt  *events.GroupInfo
		want []string
	}{
		{"subject", base(func(e *events.GroupInfo) { e.Name = &types.GroupName{Name: "New"} }),
			[]string{`changed inst ` + g + ` by=5511911112222@s.whatsapp.net subject="New"`}},
		{"description", base(func(e *events.GroupInfo) { e.Topic = &types.GroupTopic{Topic: "Rules", TopicID: "T2"} }),
			[]string{`changed inst ` + g + ` by=5511911112222@s.whatsapp.net description="Rules"`}},
		{"description deleted", base(func(e *events.GroupInfo) { e.Topic = &types.GroupTopic{Topic: "old", TopicDeleted: true} }),
			[]string{`changed inst ` + g + ` by=5511911112222@s.whatsapp.net description=""`}},
		{"announce and locked together", base(func(e *events.GroupInfo) {
			e.Announce = &types.GroupAnnounce{IsAnnounce: false}
			e.Locked = &types.GroupLocked{IsLocked: true}
		}), []string{`changed inst ` + g + ` by=5511911112222@s.whatsapp.net announce=false locked=true`}},
		{"joins by phone and LID", base(func(e *events.GroupInfo) { e.Join = []types.JID{other, lidJID} }),
			[]string{"participants inst " + g + " add [5511933334444@s.whatsapp.net 123456789@lid] by=5511911112222@s.whatsapp.net"}},
		{"someone left", base(func(e *events.GroupInfo) { e.Leave = []types.JID{other} }),
			[]string{"participants inst " + g + " remove [5511933334444@s.whatsapp.net] by=5511911112222@s.whatsapp.net"}},
		{"promote and demote", base(func(e *events.GroupInfo) {
			e.Promote = []types.JID{other}
			e.Demote = []types.JID{lidJID}
		}), []string{
			"participants inst " + g + " promote [5511933334444@s.whatsapp.net] by=5511911112222@s.whatsapp.net",
			"participants inst " + g + " demote [123456789@lid] by=5511911112222@s.whatsapp.net"}},
		{"settings, then members", base(func(e *events.GroupInfo) {
			e.Name = &types.GroupName{Name: "N"}
			e.Join = []types.JID{other}
		}), []string{
			`changed inst ` + g + ` by=5511911112222@s.whatsapp.net subject="N"`,
			"participants inst " + g + " add [5511933334444@s.whatsapp.net] by=5511911112222@s.whatsapp.net"}},
		{"no sender (joined by link)", &events.GroupInfo{JID: groupJID, JoinReason: "invite", Join: []types.JID{other}},
			[]string{"participants inst " + g + " add [5511933334444@s.whatsapp.net] by="}},
		{"a member's device is the member", base(func(e *events.GroupInfo) {
			e.Leave = []types.JID{{User: "5511933334444", Server: types.DefaultUserServer, Device: 3}}
		}), []string{"participants inst " + g + " remove [5511933334444@s.whatsapp.net] by=5511911112222@s.whatsapp.net"}},
		{"we were removed, by phone", base(func(e *events.GroupInfo) { e.Leave = []types.JID{other, selfPN} }),
			[]string{"left inst " + g}},
		{"we left, by LID", base(func(e *events.GroupInfo) { e.Leave = []types.JID{selfLID} }),
			[]string{"left inst " + g}},
		{"we joined is a member change (a joined-group event brings the group)", base(func(e *events.GroupInfo) { e.Join = []types.JID{selfPN} }),
			[]string{"participants inst " + g + " add [5511900000001@s.whatsapp.net] by=5511911112222@s.whatsapp.net"}},
		{"group deleted", base(func(e *events.GroupInfo) { e.Delete = &types.GroupDelete{Deleted: true} }),
			[]string{"left inst " + g}},
		{"only what we do not track", base(func(e *events.GroupInfo) {
			link := "https://chat.whatsapp.com/x"
			e.NewInviteLink = &link
			e.Ephemeral = &types.GroupEphemeral{IsEphemeral: true}
		}), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			groups := &fakeGroups{}
			tr := newTranslator(&fakeSink{})
			tr.Groups = groups
			tr.Self = func() (types.JID, types.JID) {
				return types.JID{User: selfPN.User, Server: selfPN.Server, Device: 12}, selfLID
			}
			if err := tr.Handle(context.Background(), tt.evt); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(groups.calls, tt.want) {
				t.Fatalf("calls %q\nwant  %q", groups.calls, tt.want)
			}
		})
	}
}

func TestGroupEventsWithoutSinkOrSelf(t *testing.T) {
	tr := newTranslator(&fakeSink{})
	leave := &events.GroupInfo{JID: groupJID, Leave: []types.JID{selfPN}}
	for _, evt := range []any{&events.JoinedGroup{GroupInfo: types.GroupInfo{JID: groupJID}}, leave} {
		if err := tr.Handle(context.Background(), evt); err != nil {
			t.Fatalf("no sink: %v", err)
		}
	}
	// Not knowing who we are, our leaving reads as anyone's.
	groups := &fakeGroups{}
	tr.Groups = groups
	if err := tr.Handle(context.Background(), leave); err != nil || len(groups.calls) != 1 || groups.calls[0] != "participants inst 120363000000000000@g.us remove [5511900000001@s.whatsapp.net] by=" {
		t.Fatalf("%v %q", err, groups.calls)
	}
}

func TestGroupEventErrorsAreReportedAfterTrying(t *testing.T) {
	boom := errors.New("db down")
	groups := &fakeGroups{err: boom}
	tr := newTranslator(&fakeSink{})
	tr.Groups = groups
	evt := &events.GroupInfo{JID: groupJID, Name: &types.GroupName{Name: "N"}, Join: []types.JID{pnJID}, Demote: []types.JID{lidJID}}
	if err := tr.Handle(context.Background(), evt); !errors.Is(err, boom) || len(groups.calls) != 3 {
		t.Fatalf("%v after %q", err, groups.calls)
	}
}

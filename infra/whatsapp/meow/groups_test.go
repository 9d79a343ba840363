package meow

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"go.mau.fi/whatsmeow"
	"go.mau.fi/whatsmeow/types"

	"github.com/zapgate/zapgate/app"
)

var (
	groupJID = types.NewJID("120363000000000001", types.GroupServer)
	anaPN    = types.NewJID("5511988880001", types.DefaultUserServer)
	anaLID   = types.NewJID("111111111111111", types.HiddenUserServer)
	boPN     = types.NewJID("5511988880002", types.DefaultUserServer)
	boLID    = types.NewJID("222222222222222", types.HiddenUserServer)
)

func TestConvertGroup(t *testing.T) {
	created := time.Date(2026, 3, 1, 12, 0, 0, 0, time.FixedZone("BRT", -3*3600))
	g := types.GroupInfo{
		JID: groupJID, OwnerJID: anaLID, OwnerPN: anaPN,
		GroupName:     types.GroupName{Name: "Team"},
		GroupTopic:    types.GroupTopic{Topic: "Shifts", TopicID: "T1"},
		GroupLocked:   types.GroupLocked{IsLocked: true},
		GroupAnnounce: types.GroupAnnounce{IsAnnounce: true},
		GroupCreated:  created,
		Participants: []types.GroupParticipant{
			{JID: anaLID, LID: anaLID, PhoneNumber: anaPN, IsAdmin: true, IsSuperAdmin: true},
			{JID: boPN, PhoneNumber: boPN, LID: boLID, IsAdmin: true},
			{JID: types.NewJID("333", types.HiddenUserServer), LID: types.NewJID("333", types.HiddenUserServer)},
			{JID: types.NewJID("5511988880004", types.DefaultUserServer)},
			{JID: types.NewJID("5511988880005", types.DefaultUserServer), Error: 403},
		},
	}
	want := app.GroupInfo{
		JID: "120363000000000001@g.us", Subject: "Team", Description: "Shifts", Owner: "111111111111111@lid",
		Announce: true, Locked: true, CreatedAt: created.UTC(),
		Participants: []app.GroupParticipant{
			{JID: "111111111111111@lid", Phone: "5511988880001", LID: "111111111111111@lid", Role: app.RoleSuperAdmin},
			{JID: "5511988880002@s.whatsapp.net", Phone: "5511988880002", LID: "222222222222222@lid", Role: app.RoleAdmin},
			{JID: "333@lid", LID: "333@lid", Role: app.RoleMember},
			{JID: "5511988880004@s.whatsapp.net", Phone: "5511988880004", Role: app.RoleMember},
		},
	}
	if got := ConvertGroup(g); !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}

	// Owner falls back to the phone; no members is an empty list, not null.
	bare := ConvertGroup(types.GroupInfo{JID: groupJID, OwnerPN: anaPN})
	if bare.Owner != "5511988880001@s.whatsapp.net" || bare.Participants == nil || len(bare.Participants) != 0 || !bare.CreatedAt.IsZero() {
		t.Fatalf("bare group = %+v", bare)
	}
}

func TestParticipant(t *testing.T) {
	dev := types.JID{User: "5511988880001", Server: types.DefaultUserServer, Device: 3}
	tests := []struct {
		name string
		in   types.GroupParticipant
		want app.GroupParticipant
	}{
		{"phone with its LID", types.GroupParticipant{JID: anaPN, PhoneNumber: anaPN, LID: anaLID},
			app.GroupParticipant{JID: "5511988880001@s.whatsapp.net", Phone: "5511988880001", LID: "111111111111111@lid", Role: "member"}},
		{"LID with its phone", types.GroupParticipant{JID: anaLID, LID: anaLID, PhoneNumber: anaPN, IsAdmin: true},
			app.GroupParticipant{JID: "111111111111111@lid", Phone: "5511988880001", LID: "111111111111111@lid", Role: "admin"}},
		{"LID alone", types.GroupParticipant{JID: anaLID},
			app.GroupParticipant{JID: "111111111111111@lid", LID: "111111111111111@lid", Role: "member"}},
		{"phone alone", types.GroupParticipant{JID: anaPN},
			app.GroupParticipant{JID: "5511988880001@s.whatsapp.net", Phone: "5511988880001", Role: "member"}},
		{"a device is the person", types.GroupParticipant{JID: dev},
			app.GroupParticipant{JID: "5511988880001@s.whatsapp.net", Phone: "5511988880001", Role: "member"}},
		{"superadmin", types.GroupParticipant{JID: anaPN, IsAdmin: true, IsSuperAdmin: true},
			app.GroupParticipant{JID: "5511988880001@s.whatsapp.net", Phone: "5511988880001", Role: "superadmin"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Participant(tt.in); got != tt.want {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestParticipantResults(t *testing.T) {
	tests := []struct {
		name  string
		asked []types.JID
		got   []types.GroupParticipant
		want  []app.ParticipantResult
	}{
		{"all ok, 0 or 200", []types.JID{anaPN, boPN},
			[]types.GroupParticipant{{JID: boPN, Error: 200}, {JID: anaPN}},
			[]app.ParticipantResult{{JID: "5511988880001@s.whatsapp.net", OK: true}, {JID: "5511988880002@s.whatsapp.net", OK: true}}},
		{"codes as text", []types.JID{anaPN, boPN, anaLID},
			[]types.GroupParticipant{{JID: anaPN, Error: 403}, {JID: boPN, Error: 409}, {JID: anaLID, Error: 408}},
			[]app.ParticipantResult{
				{JID: "5511988880001@s.whatsapp.net", Error: "403 not authorized: their privacy settings keep you from adding them; send them the invite link"},
				{JID: "5511988880002@s.whatsapp.net", Error: "409 already a member"},
				{JID: "111111111111111@lid", Error: "408 recently left the group: only an invite link brings them back"}}},
		{"unknown code", []types.JID{anaPN}, []types.GroupParticipant{{JID: anaPN, Error: 499}},
			[]app.ParticipantResult{{JID: "5511988880001@s.whatsapp.net", Error: "499 refused by WhatsApp"}}},
		{"answered under the LID", []types.JID{anaPN, boPN},
			[]types.GroupParticipant{{JID: boLID, LID: boLID, PhoneNumber: boPN, Error: 409}, {JID: anaLID, LID: anaLID, PhoneNumber: anaPN}},
			[]app.ParticipantResult{{JID: "5511988880001@s.whatsapp.net", OK: true}, {JID: "5511988880002@s.whatsapp.net", Error: "409 already a member"}}},
		{"unmatched answers pair in order", []types.JID{anaPN, boPN},
			[]types.GroupParticipant{{JID: anaLID}, {JID: boLID, Error: 403}},
			[]app.ParticipantResult{{JID: "5511988880001@s.whatsapp.net", OK: true}, {JID: "5511988880002@s.whatsapp.net", Error: participantError(403)}}},
		{"no answer", []types.JID{anaPN, boPN}, []types.GroupParticipant{{JID: boPN}},
			[]app.ParticipantResult{{JID: "5511988880001@s.whatsapp.net", Error: "WhatsApp's answer did not mention this participant"}, {JID: "5511988880002@s.whatsapp.net", OK: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ParticipantResults(tt.asked, tt.got); !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestInviteCode(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://chat.whatsapp.com/AbCdEf123456GhIjKl7890", "AbCdEf123456GhIjKl7890"},
		{"http://chat.whatsapp.com/AbCdEf123456GhIjKl7890", "AbCdEf123456GhIjKl7890"},
		{"chat.whatsapp.com/AbCdEf123456GhIjKl7890/", "AbCdEf123456GhIjKl7890"},
		{"https://chat.whatsapp.com/AbCdEf123456GhIjKl7890?mode=ac_t", "AbCdEf123456GhIjKl7890"},
		{"  AbCdEf123456GhIjKl7890 ", "AbCdEf123456GhIjKl7890"},
		{"", ""},
		{"https://chat.whatsapp.com/", ""},
		{"https://example.com/AbCdEf123456", ""},
		{"Ab/Cd", ""},
		{"code with spaces", ""},
		{strings.Repeat("a", 65), ""},
	}
	for _, tt := range tests {
		got, err := InviteCode(tt.in)
		if tt.want == "" {
			if !errors.Is(err, app.ErrPermanent) {
				t.Errorf("InviteCode(%q) = %q, %v; want a permanent error", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("InviteCode(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestCreateGroupRequest(t *testing.T) {
	req, err := CreateGroupRequest("Team", []string{"5511988880001", "5511988880002@s.whatsapp.net", "222222222222222@lid"})
	if err != nil {
		t.Fatal(err)
	}
	want := whatsmeow.ReqCreateGroup{Name: "Team", Participants: []types.JID{anaPN, boPN, boLID}}
	if !reflect.DeepEqual(req, want) {
		t.Fatalf("got %+v, want %+v", req, want)
	}
	for _, bad := range [][]string{{"120363000000000001@g.us"}, {"nope"}, {"5511988880001", ""}} {
		if _, err := CreateGroupRequest("Team", bad); !errors.Is(err, app.ErrPermanent) {
			t.Errorf("%q: %v, want a permanent error", bad, err)
		}
	}
}

func TestParticipantChange(t *testing.T) {
	for action, want := range map[string]whatsmeow.ParticipantChange{
		"add": whatsmeow.ParticipantChangeAdd, "remove": whatsmeow.ParticipantChangeRemove,
		"promote": whatsmeow.ParticipantChangePromote, "demote": whatsmeow.ParticipantChangeDemote,
	} {
		if got, err := ParticipantChange(action); err != nil || got != want {
			t.Errorf("%s → %q, %v", action, got, err)
		}
	}
	if _, err := ParticipantChange("kick"); !errors.Is(err, app.ErrPermanent) {
		t.Errorf("kick: %v", err)
	}
}

func TestParseGroup(t *testing.T) {
	if g, err := ParseGroup("120363000000000001@g.us"); err != nil || g != groupJID {
		t.Fatalf("%v %v", g, err)
	}
	for _, bad := range []string{"5511988880001", "111@lid", "x@g.us", ""} {
		if _, err := ParseGroup(bad); !errors.Is(err, app.ErrPermanent) {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

// fakeGroups stands in for the whatsmeow client: it records each call as
// text and answers with what the test set.
type fakeGroups struct {
	calls    []string
	err      error // every call fails with it
	errAfter int   // … once this many calls went well (0: from the first)
	info     *types.GroupInfo
	infoErr  error
	answer   []types.GroupParticipant
	joined   types.JID
}

func (f *fakeGroups) call(format string, args ...any) error {
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
	if f.err != nil && len(f.calls) > f.errAfter {
		return f.err
	}
	return nil
}

func (f *fakeGroups) GetJoinedGroups(ctx context.Context) ([]*types.GroupInfo, error) {
	if err := f.call("joined"); err != nil {
		return nil, err
	}
	return []*types.GroupInfo{f.info, nil}, nil
}

func (f *fakeGroups) GetGroupInfo(ctx context.Context, jid types.JID) (*types.GroupInfo, error) {
	if err := f.call("info %s", jid); err != nil {
		return nil, err
	}
	return f.info, f.infoErr
}

func (f *fakeGroups) CreateGroup(ctx context.Context, req whatsmeow.ReqCreateGroup) (*types.GroupInfo, error) {
	if err := f.call("create %q %v", req.Name, req.Participants); err != nil {
		return nil, err
	}
	return f.info, nil
}

func (f *fakeGroups) UpdateGroupParticipants(ctx context.Context, jid types.JID, changes []types.JID, action whatsmeow.ParticipantChange) ([]types.GroupParticipant, error) {
	if err := f.call("participants %s %s %v", jid, action, changes); err != nil {
		return nil, err
	}
	return f.answer, nil
}

func (f *fakeGroups) GetGroupInviteLink(ctx context.Context, jid types.JID, reset bool) (string, error) {
	if err := f.call("invite %s %t", jid, reset); err != nil {
		return "", err
	}
	return whatsmeow.InviteLinkPrefix + "Code123", nil
}

func (f *fakeGroups) JoinGroupWithLink(ctx context.Context, code string) (types.JID, error) {
	if err := f.call("join %s", code); err != nil {
		return types.JID{}, err
	}
	return f.joined, nil
}

func (f *fakeGroups) LeaveGroup(ctx context.Context, jid types.JID) error {
	return f.call("leave %s", jid)
}

func (f *fakeGroups) SetGroupName(ctx context.Context, jid types.JID, name string) error {
	return f.call("name %s %q", jid, name)
}

func (f *fakeGroups) SetGroupTopic(ctx context.Context, jid types.JID, previousID, newID, topic string) error {
	return f.call("topic %s prev=%q new=%q %q", jid, previousID, newID, topic)
}

func (f *fakeGroups) SetGroupAnnounce(ctx context.Context, jid types.JID, announce bool) error {
	return f.call("announce %s %t", jid, announce)
}

func (f *fakeGroups) SetGroupLocked(ctx context.Context, jid types.JID, locked bool) error {
	return f.call("locked %s %t", jid, locked)
}

func ptr[T any](v T) *T { return &v }

func TestUpdateGroupCallsOneSetterPerField(t *testing.T) {
	const g = "120363000000000001@g.us"
	tests := []struct {
		name   string
		change app.GroupChange
		want   []string
	}{
		{"nothing", app.GroupChange{}, nil},
		{"subject", app.GroupChange{Subject: ptr("Team")}, []string{`name ` + g + ` "Team"`}},
		{"description: whatsmeow finds the previous id", app.GroupChange{Description: ptr("Shifts")},
			[]string{`topic ` + g + ` prev="" new="" "Shifts"`}},
		{"empty description deletes it", app.GroupChange{Description: ptr("")}, []string{`topic ` + g + ` prev="" new="" ""`}},
		{"announce off", app.GroupChange{Announce: ptr(false)}, []string{"announce " + g + " false"}},
		{"locked on", app.GroupChange{Locked: ptr(true)}, []string{"locked " + g + " true"}},
		{"all, in order", app.GroupChange{Subject: ptr("T"), Description: ptr("D"), Announce: ptr(true), Locked: ptr(false)},
			[]string{`name ` + g + ` "T"`, `topic ` + g + ` prev="" new="" "D"`, "announce " + g + " true", "locked " + g + " false"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeGroups{}
			if err := updateGroup(context.Background(), f, g, tt.change); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(f.calls, tt.want) {
				t.Fatalf("calls %q, want %q", f.calls, tt.want)
			}
		})
	}

	// A refusal stops the rest and says it is WhatsApp's.
	f := &fakeGroups{err: whatsmeow.ErrIQForbidden, errAfter: 1}
	err := updateGroup(context.Background(), f, g, app.GroupChange{Subject: ptr("T"), Description: ptr("D"), Locked: ptr(true)})
	if !errors.Is(err, app.ErrPermanent) || len(f.calls) != 2 {
		t.Fatalf("err %v after %q", err, f.calls)
	}
	if err := updateGroup(context.Background(), &fakeGroups{}, "5511988880001", app.GroupChange{Subject: ptr("T")}); !errors.Is(err, app.ErrPermanent) {
		t.Fatalf("a person is not a group: %v", err)
	}
}

func TestGroupCallsBuildTheirRequests(t *testing.T) {
	ctx := context.Background()
	info := &types.GroupInfo{JID: groupJID, GroupName: types.GroupName{Name: "Team"}}
	const g = "120363000000000001@g.us"

	f := &fakeGroups{info: info}
	created, err := createGroup(ctx, f, "Team", []string{"5511988880001", "222222222222222@lid"})
	if err != nil || created.JID != g || created.Subject != "Team" {
		t.Fatalf("create: %+v %v", created, err)
	}
	if got := f.calls; len(got) != 1 || got[0] != `create "Team" [5511988880001@s.whatsapp.net 222222222222222@lid]` {
		t.Fatalf("create calls %q", got)
	}

	f = &fakeGroups{answer: []types.GroupParticipant{{JID: anaPN}}}
	res, err := updateParticipants(ctx, f, g, "promote", []string{"5511988880001"})
	if err != nil || len(res) != 1 || !res[0].OK {
		t.Fatalf("promote: %+v %v", res, err)
	}
	if f.calls[0] != "participants "+g+" promote [5511988880001@s.whatsapp.net]" {
		t.Fatalf("promote calls %q", f.calls)
	}
	if _, err := updateParticipants(ctx, &fakeGroups{}, g, "ban", []string{"5511988880001"}); !errors.Is(err, app.ErrPermanent) {
		t.Fatalf("unknown action: %v", err)
	}

	f = &fakeGroups{}
	link, err := inviteLink(ctx, f, g, true)
	if err != nil || link != "https://chat.whatsapp.com/Code123" || f.calls[0] != "invite "+g+" true" {
		t.Fatalf("invite: %q %v %q", link, err, f.calls)
	}

	f = &fakeGroups{}
	if err := leaveGroup(ctx, f, g); err != nil || f.calls[0] != "leave "+g {
		t.Fatalf("leave: %v %q", err, f.calls)
	}

	f = &fakeGroups{info: info}
	all, err := joinedGroups(ctx, f)
	if err != nil || len(all) != 1 || all[0].JID != g {
		t.Fatalf("joined: %+v %v", all, err)
	}
	one, err := groupInfo(ctx, f, g)
	if err != nil || one.Subject != "Team" {
		t.Fatalf("info: %+v %v", one, err)
	}
}

func TestJoinGroup(t *testing.T) {
	ctx := context.Background()
	info := &types.GroupInfo{JID: groupJID, GroupName: types.GroupName{Name: "Team"}}
	f := &fakeGroups{info: info, joined: groupJID}
	got, err := joinGroup(ctx, f, "https://chat.whatsapp.com/AbC123xyz")
	if err != nil || got.JID != "120363000000000001@g.us" || got.Subject != "Team" {
		t.Fatalf("join: %+v %v", got, err)
	}
	if want := []string{"join AbC123xyz", "info 120363000000000001@g.us"}; !reflect.DeepEqual(f.calls, want) {
		t.Fatalf("calls %q, want %q", f.calls, want)
	}

	// Joined as a request the admins must approve: not a member yet.
	f = &fakeGroups{joined: groupJID, infoErr: fmt.Errorf("wrapped: %w", whatsmeow.ErrNotInGroup)}
	if _, err := joinGroup(ctx, f, "AbC123xyz"); !errors.Is(err, app.ErrPermanent) || !strings.Contains(err.Error(), "approve") {
		t.Fatalf("pending approval: %v", err)
	}

	// A bad link never reaches WhatsApp.
	f = &fakeGroups{}
	if _, err := joinGroup(ctx, f, "https://example.com/x"); !errors.Is(err, app.ErrPermanent) || len(f.calls) != 0 {
		t.Fatalf("bad link: %v %q", err, f.calls)
	}
}

func TestGroupErrorsAreClassified(t *testing.T) {
	ctx := context.Background()
	const g = "120363000000000001@g.us"
	tests := []struct {
		name string
		err  error
		want error // nil: transient
	}{
		{"group not found", whatsmeow.ErrGroupNotFound, app.ErrPermanent},
		{"not in group", whatsmeow.ErrNotInGroup, app.ErrPermanent},
		{"invite revoked", whatsmeow.ErrInviteLinkRevoked, app.ErrPermanent},
		{"invite invalid", whatsmeow.ErrInviteLinkInvalid, app.ErrPermanent},
		{"link unauthorized", whatsmeow.ErrGroupInviteLinkUnauthorized, app.ErrPermanent},
		{"iq not authorized", whatsmeow.ErrIQNotAuthorized, app.ErrPermanent},
		{"iq forbidden", whatsmeow.ErrIQForbidden, app.ErrPermanent},
		{"iq not found", whatsmeow.ErrIQNotFound, app.ErrPermanent},
		{"iq bad request", whatsmeow.ErrIQBadRequest, app.ErrPermanent},
		{"iq not acceptable (subject too long)", whatsmeow.ErrIQNotAcceptable, app.ErrPermanent},
		{"iq disconnected", whatsmeow.ErrIQDisconnected, app.ErrNotConnected},
		{"iq timed out", whatsmeow.ErrIQTimedOut, nil},
		{"rate limit", whatsmeow.ErrIQRateOverLimit, nil},
		{"server error", whatsmeow.ErrIQInternalServerError, nil},
	}
	calls := map[string]func(c groupClient) error{
		"joined": func(c groupClient) error { _, err := joinedGroups(ctx, c); return err },
		"info":   func(c groupClient) error { _, err := groupInfo(ctx, c, g); return err },
		"create": func(c groupClient) error { _, err := createGroup(ctx, c, "T", nil); return err },
		"update": func(c groupClient) error { return updateGroup(ctx, c, g, app.GroupChange{Subject: ptr("T")}) },
		"participants": func(c groupClient) error {
			_, err := updateParticipants(ctx, c, g, "add", []string{"5511988880001"})
			return err
		},
		"invite": func(c groupClient) error { _, err := inviteLink(ctx, c, g, false); return err },
		"join":   func(c groupClient) error { _, err := joinGroup(ctx, c, "AbC123"); return err },
		"leave":  func(c groupClient) error { return leaveGroup(ctx, c, g) },
	}
	for _, tt := range tests {
		for name, call := range calls {
			t.Run(tt.name+"/"+name, func(t *testing.T) {
				err := call(&fakeGroups{err: tt.err})
				if !errors.Is(err, tt.err) {
					t.Fatalf("%v lost the original error", err)
				}
				perm, nc := errors.Is(err, app.ErrPermanent), errors.Is(err, app.ErrNotConnected)
				switch tt.want {
				case nil:
					if perm || nc {
						t.Fatalf("%v, want transient", err)
					}
				case app.ErrPermanent:
					if !perm || nc {
						t.Fatalf("%v, want permanent", err)
					}
				case app.ErrNotConnected:
					if !nc || perm {
						t.Fatalf("%v, want not connected", err)
					}
				}
			})
		}
	}
}

func TestGroupCallsNeedASession(t *testing.T) {
	d := &Driver{sessions: map[string]*session{}}
	ctx := context.Background()
	for name, err := range map[string]error{
		"joined": func() error { _, err := d.JoinedGroups(ctx, "i"); return err }(),
		"info":   func() error { _, err := d.GroupInfo(ctx, "i", "1@g.us"); return err }(),
		"create": func() error { _, err := d.CreateGroup(ctx, "i", "T", nil); return err }(),
		"update": d.UpdateGroup(ctx, "i", "1@g.us", app.GroupChange{}),
		"participants": func() error {
			_, err := d.UpdateParticipants(ctx, "i", "1@g.us", "add", nil)
			return err
		}(),
		"invite":  func() error { _, err := d.InviteLink(ctx, "i", "1@g.us", false); return err }(),
		"join":    func() error { _, err := d.JoinGroup(ctx, "i", "x"); return err }(),
		"leave":   d.LeaveGroup(ctx, "i", "1@g.us"),
		"picture": func() error { _, err := d.ProfilePicture(ctx, "i", "5511988880001"); return err }(),
		"block":   d.SetBlocked(ctx, "i", "5511988880001", true),
	} {
		if !errors.Is(err, app.ErrNotConnected) {
			t.Errorf("%s without a session: %v", name, err)
		}
	}
}

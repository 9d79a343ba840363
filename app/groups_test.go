package app

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
)

const (
	testGroup = "120363000000000001@g.us"
	selfPhone = "5511900000001"
	selfJIDv  = selfPhone + "@s.whatsapp.net"
	anaJID    = "5511911110001@s.whatsapp.net"
	beaJID    = "5511911110002@s.whatsapp.net"
	beaLID    = "99887766@lid"
)

// fakeGroupDriver is a WhatsApp driver with groups, answering from groups.
type fakeGroupDriver struct {
	fakeChecker
	groups  map[string]GroupInfo
	results []ParticipantResult
	// asked runs once JoinedGroups has taken its answer, as news that
	// arrives while WhatsApp is being asked.
	asked func()
}

func (d *fakeGroupDriver) JoinedGroups(ctx context.Context, instanceID string) ([]GroupInfo, error) {
	var out []GroupInfo
	for _, g := range d.groups {
		out = append(out, g)
	}
	if d.asked != nil {
		d.asked()
	}
	return out, nil
}

func (d *fakeGroupDriver) GroupInfo(ctx context.Context, instanceID, jid string) (*GroupInfo, error) {
	g, ok := d.groups[jid]
	if !ok {
		return nil, ErrPermanent
	}
	return &g, nil
}

func (d *fakeGroupDriver) CreateGroup(ctx context.Context, instanceID, subject string, participants []string) (*GroupInfo, error) {
	g := GroupInfo{JID: testGroup, Subject: subject, Owner: selfJIDv,
		Participants: []GroupParticipant{{JID: selfJIDv, Role: RoleSuperAdmin}}}
	for _, p := range participants {
		g.Participants = append(g.Participants, GroupParticipant{JID: p})
	}
	d.groups[g.JID] = g
	return &g, nil
}

func (d *fakeGroupDriver) UpdateGroup(ctx context.Context, instanceID, jid string, change GroupChange) error {
	g := d.groups[jid]
	applyGroupChange(&g, change)
	d.groups[jid] = g
	return nil
}

func (d *fakeGroupDriver) UpdateParticipants(ctx context.Context, instanceID, jid, action string, participants []string) ([]ParticipantResult, error) {
	return d.results, nil
}

func (d *fakeGroupDriver) InviteLink(ctx context.Context, instanceID, jid string, reset bool) (string, error) {
	return domain.InviteLinkPrefix + "code", nil
}

func (d *fakeGroupDriver) JoinGroup(ctx context.Context, instanceID, link string) (*GroupInfo, error) {
	g := d.groups[testGroup]
	return &g, nil
}

func (d *fakeGroupDriver) LeaveGroup(ctx context.Context, instanceID, jid string) error {
	delete(d.groups, jid)
	return nil
}

// newGroupApp is an app on a group driver, with a linked instance.
func newGroupApp(t *testing.T) (*App, *fakeStore, *fakeGroupDriver, string) {
	t.Helper()
	d := &fakeGroupDriver{groups: map[string]GroupInfo{}}
	a, store, _, id := newCommandApp(t, &d.fakeChecker)
	a.wa, a.groups = d, store
	in := store.instances[id]
	in.Phone = selfPhone
	store.instances[id] = in
	return a, store, d, id
}

// eventTypes lists the types published since the last call, and forgets them.
func eventTypes(store *fakeStore) []string {
	var out []string
	for _, e := range store.published {
		if !events.IsCommand(e.Type) {
			out = append(out, e.Type)
		}
	}
	store.published = nil
	return out
}

func TestApplyParticipants(t *testing.T) {
	base := func() GroupInfo {
		return GroupInfo{Participants: []GroupParticipant{
			{JID: selfJIDv, Phone: selfPhone, Role: RoleSuperAdmin},
			{JID: anaJID, Phone: "5511911110001", Role: RoleMember},
			{JID: beaJID, Phone: "5511911110002", Role: RoleAdmin},
		}}
	}
	tests := []struct {
		action  string
		jids    []string
		changed []string
		roles   map[string]string // "" = absent
	}{
		{ParticipantAdd, []string{anaJID, beaLID}, []string{beaLID}, map[string]string{beaLID: RoleMember, anaJID: RoleMember}},
		{ParticipantRemove, []string{anaJID, beaLID}, []string{anaJID}, map[string]string{anaJID: ""}},
		{ParticipantPromote, []string{anaJID, beaJID, selfJIDv}, []string{anaJID}, map[string]string{anaJID: RoleAdmin, selfJIDv: RoleSuperAdmin}},
		{ParticipantDemote, []string{anaJID, beaJID, selfJIDv}, []string{beaJID}, map[string]string{beaJID: RoleMember, selfJIDv: RoleSuperAdmin}},
		{"kick", []string{anaJID}, []string{}, map[string]string{anaJID: RoleMember}},
	}
	for _, tt := range tests {
		g := base()
		got := applyParticipants(&g, tt.action, tt.jids)
		if !slices.Equal(got, tt.changed) {
			t.Errorf("%s %v changed %v, want %v", tt.action, tt.jids, got, tt.changed)
		}
		for jid, role := range tt.roles {
			i := slices.IndexFunc(g.Participants, func(p GroupParticipant) bool { return p.JID == jid })
			if (role == "") != (i < 0) || (i >= 0 && g.Participants[i].Role != role) {
				t.Errorf("%s: %s = %v, want role %q", tt.action, jid, g.Participants, role)
			}
		}
		// Applying it again changes nothing.
		if again := applyParticipants(&g, tt.action, tt.jids); len(again) != 0 {
			t.Errorf("%s twice changed %v", tt.action, again)
		}
	}
}

func TestGroupIntakeEmitsEachChangeOnce(t *testing.T) {
	a, store, _, id := newGroupApp(t)
	ctx := context.Background()
	g := GroupInfo{JID: testGroup, Subject: "Team", Owner: selfJIDv, CreatedAt: time.Unix(1700000000, 0).UTC(),
		Participants: []GroupParticipant{{JID: selfJIDv, Role: RoleSuperAdmin}, {JID: beaJID, LID: beaLID}}}
	subject := "Team 2"
	steps := []struct {
		name string
		do   func() error
		want []string
	}{
		{"joined", func() error { return a.GroupJoined(ctx, id, g) }, []string{events.GroupJoined}},
		{"joined again", func() error { return a.GroupJoined(ctx, id, g) }, nil},
		{"changed", func() error { return a.GroupChanged(ctx, id, testGroup, GroupChange{Subject: &subject}, beaJID) }, []string{events.GroupUpdated}},
		{"changed again", func() error { return a.GroupChanged(ctx, id, testGroup, GroupChange{Subject: &subject}, beaJID) }, nil},
		{"added", func() error { return a.GroupParticipantsChanged(ctx, id, testGroup, "add", []string{anaJID}, beaJID) }, []string{events.GroupParticipants}},
		{"added again", func() error { return a.GroupParticipantsChanged(ctx, id, testGroup, "add", []string{anaJID}, beaJID) }, nil},
		{"left", func() error { return a.GroupLeft(ctx, id, testGroup) }, []string{events.GroupLeft}},
		{"left again", func() error { return a.GroupLeft(ctx, id, testGroup) }, nil},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := eventTypes(store); !slices.Equal(got, s.want) {
			t.Fatalf("%s: events %v, want %v", s.name, got, s.want)
		}
	}
	// The participants taught their phone and LID together; the instance
	// is not its own contact.
	var bea bool
	for _, o := range store.contactObservations {
		if o.JID == selfJIDv {
			t.Errorf("the instance recorded itself as a contact: %+v", o)
		}
		bea = bea || (o.JID == beaJID && o.LID == beaLID)
	}
	if !bea {
		t.Errorf("contacts %+v lack Bea's phone with her LID", store.contactObservations)
	}
}

func TestGroupParticipantsChangedRemovingTheInstanceLeaves(t *testing.T) {
	a, store, _, id := newGroupApp(t)
	ctx := context.Background()
	g := GroupInfo{JID: testGroup, Subject: "Team", Participants: []GroupParticipant{{JID: selfJIDv}, {JID: beaJID, Role: RoleAdmin}}}
	if err := a.GroupJoined(ctx, id, g); err != nil {
		t.Fatal(err)
	}
	eventTypes(store)
	if err := a.GroupParticipantsChanged(ctx, id, testGroup, "remove", []string{selfJIDv}, beaJID); err != nil {
		t.Fatal(err)
	}
	if got, want := eventTypes(store), []string{events.GroupParticipants, events.GroupLeft}; !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	if _, err := a.GetGroup(ctx, id, testGroup); !domain.IsNotFound(err) {
		t.Fatalf("GetGroup after removal = %v, want not found", err)
	}
}

func TestSyncGroupsJoinsNewAndLeavesGone(t *testing.T) {
	a, store, d, id := newGroupApp(t)
	ctx := context.Background()
	old := GroupInfo{JID: "120363000000000009@g.us", Subject: "Old", Participants: []GroupParticipant{{JID: selfJIDv}}}
	if err := a.GroupJoined(ctx, id, old); err != nil {
		t.Fatal(err)
	}
	d.groups[testGroup] = GroupInfo{JID: testGroup, Subject: "New", Participants: []GroupParticipant{{JID: selfJIDv}}}
	eventTypes(store)
	if err := a.SyncGroups(ctx, id); err != nil {
		t.Fatal(err)
	}
	if got, want := eventTypes(store), []string{events.GroupJoined, events.GroupLeft}; !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	if err := a.SyncGroups(ctx, id); err != nil {
		t.Fatal(err)
	}
	if got := eventTypes(store); len(got) != 0 {
		t.Fatalf("a second sync emitted %v", got)
	}
}

func TestGroupCommandsEndWithRowsAndEvents(t *testing.T) {
	a, store, d, id := newGroupApp(t)
	ctx := context.Background()
	run := func(cmd *domain.Command, err error) json.RawMessage {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		if err := a.RunCommand(ctx, id, cmd.ID); err != nil {
			t.Fatal(err)
		}
		got, err := a.GetCommand(ctx, id, cmd.ID)
		if err != nil || got.Status != domain.CommandDone {
			t.Fatalf("command %s = %+v, %v", cmd.Type, got, err)
		}
		return got.Result
	}
	var created events.Group
	if err := json.Unmarshal(run(a.CreateGroup(ctx, id, "Team", []string{"5511911110001"})), &created); err != nil {
		t.Fatal(err)
	}
	if created.JID != testGroup || created.ParticipantsCount != 2 || created.Participants[1].Phone != "5511911110001" {
		t.Fatalf("created %+v", created)
	}
	if got, want := eventTypes(store), []string{events.GroupJoined}; !slices.Equal(got, want) {
		t.Fatalf("create events %v, want %v", got, want)
	}
	yes := true
	u, _ := domain.NewGroupUpdate(nil, nil, &yes, nil)
	run(a.UpdateGroup(ctx, id, testGroup, u))
	if got, want := eventTypes(store), []string{events.GroupUpdated}; !slices.Equal(got, want) {
		t.Fatalf("update events %v, want %v", got, want)
	}
	d.results = []ParticipantResult{{JID: beaJID, OK: true}, {JID: "5511911110009@s.whatsapp.net", Error: "not on WhatsApp"}}
	var res ParticipantsUpdated
	if err := json.Unmarshal(run(a.UpdateGroupParticipants(ctx, id, testGroup, "add",
		[]string{beaJID, "5511911110009", "5511911110008"})), &res); err != nil {
		t.Fatal(err)
	}
	oks := []bool{}
	for _, r := range res.Items {
		oks = append(oks, r.OK)
	}
	if !slices.Equal(oks, []bool{true, false, false}) || res.Items[2].Error == "" {
		t.Fatalf("participants result %+v", res)
	}
	if got, want := eventTypes(store), []string{events.GroupParticipants}; !slices.Equal(got, want) {
		t.Fatalf("participants events %v, want %v", got, want)
	}
	g, err := a.GetGroup(ctx, id, testGroup)
	if err != nil || len(g.Participants) != 3 || !g.Announce {
		t.Fatalf("group = %+v, %v", g, err)
	}
	run(a.LeaveGroup(ctx, id, testGroup))
	if got, want := eventTypes(store), []string{events.GroupLeft}; !slices.Equal(got, want) {
		t.Fatalf("leave events %v, want %v", got, want)
	}
}

func TestGroupRequestsRefuseBadInput(t *testing.T) {
	a, store, _, id := newGroupApp(t)
	ctx := context.Background()
	subject := "x"
	tests := []struct {
		name  string
		do    func() (*domain.Command, error)
		field string
	}{
		{"empty subject", func() (*domain.Command, error) { return a.CreateGroup(ctx, id, "", nil) }, "subject"},
		{"group as participant", func() (*domain.Command, error) { return a.CreateGroup(ctx, id, "x", []string{testGroup}) }, "participants"},
		{"person as group", func() (*domain.Command, error) {
			return a.UpdateGroup(ctx, id, anaJID, domain.GroupUpdate{Subject: &subject})
		}, "jid"},
		{"bad action", func() (*domain.Command, error) {
			return a.UpdateGroupParticipants(ctx, id, testGroup, "kick", []string{anaJID})
		}, "action"},
		{"no participants", func() (*domain.Command, error) {
			return a.UpdateGroupParticipants(ctx, id, testGroup, "add", nil)
		}, "participants"},
		{"bad link", func() (*domain.Command, error) { return a.JoinGroup(ctx, id, "https://evil.example/x") }, "link"},
		{"leave a person", func() (*domain.Command, error) { return a.LeaveGroup(ctx, id, "5511911110001") }, "jid"},
		{"link of a person", func() (*domain.Command, error) { return a.GroupInviteLink(ctx, id, anaJID, false) }, "jid"},
	}
	for _, tt := range tests {
		_, err := tt.do()
		var de *domain.Error
		if !errors.As(err, &de) || de.Kind != domain.KindInvalid || de.Fields[tt.field] == "" {
			t.Errorf("%s: err = %v, want invalid %s", tt.name, err, tt.field)
		}
	}
	if len(store.commands) != 0 {
		t.Fatal("a refused request stored a command")
	}
}

// News that arrives while the sync asks WhatsApp is newer than the sync's
// answer: the sync leaves that group as the news made it.
func TestSyncGroupsKeepsNewsThatArrivedMeanwhile(t *testing.T) {
	a, store, d, id := newGroupApp(t)
	ctx := context.Background()
	g := GroupInfo{JID: testGroup, Subject: "Old", Participants: []GroupParticipant{{JID: selfJIDv}}}
	if err := a.GroupJoined(ctx, id, g); err != nil {
		t.Fatal(err)
	}
	d.groups[testGroup] = g
	fresh := "Fresh"
	d.asked = func() {
		if err := a.GroupChanged(ctx, id, testGroup, GroupChange{Subject: &fresh}, beaJID); err != nil {
			t.Error(err)
		}
	}
	eventTypes(store)
	if err := a.SyncGroups(ctx, id); err != nil {
		t.Fatal(err)
	}
	if got, want := eventTypes(store), []string{events.GroupUpdated}; !slices.Equal(got, want) {
		t.Fatalf("events %v, want only the news' %v", got, want)
	}
	if got, _ := a.GetGroup(ctx, id, testGroup); got.Subject != "Fresh" {
		t.Fatalf("the sync reverted the news: %+v", got)
	}
}

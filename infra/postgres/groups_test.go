package postgres_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
)

const teamJID = "120363000000000001@g.us"

func saveGroup(t *testing.T, s *postgres.Store, instanceID string, g app.GroupInfo) {
	t.Helper()
	err := s.InTx(context.Background(), func(tx app.Tx) error {
		return tx.SaveGroup(context.Background(), instanceID, g, time.Now().UTC())
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestGroupsRoundTripPageAndDelete(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	in, other := newInstance(t, s), newInstance(t, s)
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	team := app.GroupInfo{JID: teamJID, Subject: "Team", Description: "d", Owner: anaJID, Announce: true, CreatedAt: created,
		Participants: []app.GroupParticipant{
			{JID: anaJID, Phone: "5511988880001", LID: anaLID, Role: app.RoleSuperAdmin},
			{JID: "77@lid", LID: "77@lid", Role: app.RoleMember},
		}}
	saveGroup(t, s, in.ID, team)
	saveGroup(t, s, in.ID, app.GroupInfo{JID: "120363000000000002@g.us", Subject: "Empty", CreatedAt: created})

	got, err := s.Group(ctx, in.ID, teamJID)
	if err != nil {
		t.Fatal(err)
	}
	want := team
	slices.SortFunc(want.Participants, func(a, b app.GroupParticipant) int { return cmpStr(a.JID, b.JID) })
	if got.Subject != want.Subject || !got.CreatedAt.Equal(created) || !slices.Equal(got.Participants, want.Participants) || !got.Announce {
		t.Fatalf("Group = %+v, want %+v", got, want)
	}
	page, next, err := s.ListGroups(ctx, in.ID, app.Page{Limit: 1})
	if err != nil || len(page) != 1 || page[0].JID != teamJID || page[0].ParticipantsCount != 2 || next == "" {
		t.Fatalf("first page = %+v, %q, %v", page, next, err)
	}
	page, next, err = s.ListGroups(ctx, in.ID, app.Page{Limit: 1, Cursor: next})
	if err != nil || len(page) != 1 || page[0].ParticipantsCount != 0 || next != "" {
		t.Fatalf("second page = %+v, %q, %v", page, next, err)
	}
	members, err := s.GroupMemberJIDs(ctx, in.ID, teamJID)
	if err != nil || !slices.Equal(members, []string{anaJID, "77@lid"}) {
		t.Fatalf("members = %v, %v", members, err)
	}
	if m, err := s.GroupMemberJIDs(ctx, in.ID, "120363000000000002@g.us"); err != nil || len(m) != 0 {
		t.Fatalf("members of an empty group = %v, %v", m, err)
	}
	// Tenants: the other instance sees nothing.
	if _, err := s.Group(ctx, other.ID, teamJID); !domain.IsNotFound(err) {
		t.Fatalf("other instance reads the group: %v", err)
	}
	if _, err := s.GroupMemberJIDs(ctx, other.ID, teamJID); !domain.IsNotFound(err) {
		t.Fatalf("other instance reads the members: %v", err)
	}
	// Saving again replaces the participants.
	team.Participants = team.Participants[:1]
	saveGroup(t, s, in.ID, team)
	if got, _ := s.Group(ctx, in.ID, teamJID); len(got.Participants) != 1 {
		t.Fatalf("participants after replace = %+v", got.Participants)
	}
	if err := s.InTx(ctx, func(tx app.Tx) error { return tx.DeleteGroup(ctx, in.ID, teamJID) }); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Group(ctx, in.ID, teamJID); !domain.IsNotFound(err) {
		t.Fatalf("deleted group reads %v", err)
	}
	versions, err := s.GroupVersions(ctx, in.ID)
	v, ok := versions["120363000000000002@g.us"]
	if err != nil || len(versions) != 1 || !ok {
		t.Fatalf("GroupVersions = %v, %v", versions, err)
	}
	saveGroup(t, s, in.ID, app.GroupInfo{JID: "120363000000000002@g.us", Subject: "Empty", CreatedAt: created})
	if again, _ := s.GroupVersions(ctx, in.ID); again["120363000000000002@g.us"] == v {
		t.Fatalf("a write kept version %d", v)
	}
	if _, _, err := s.ListGroups(ctx, in.ID, app.Page{Limit: 1, Cursor: "x"}); err == nil {
		t.Fatal("a bad cursor was accepted")
	}
}

func cmpStr(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// Two first reports of one group at once: the lock makes the second see
// the first's row, so exactly one of them takes the group as new.
func TestLockGroupSerializesFirstReports(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	in := newInstance(t, s)
	const n = 6
	var wg sync.WaitGroup
	news := make(chan bool, n)
	start := make(chan struct{})
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			err := s.InTx(ctx, func(tx app.Tx) error {
				_, err := tx.LockGroup(ctx, in.ID, teamJID)
				if domain.IsNotFound(err) {
					news <- true
					return tx.SaveGroup(ctx, in.ID, app.GroupInfo{JID: teamJID, Subject: "Team", CreatedAt: time.Now()}, time.Now())
				}
				return err
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	close(start)
	wg.Wait()
	close(news)
	if c := len(news); c != 1 {
		t.Fatalf("%d transactions took the group as new, want 1", c)
	}
}

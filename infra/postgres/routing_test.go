package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
)

// routingApp is one process's app over the shared database, on its own
// connection pool.
func routingApp(t *testing.T, dsn string) (*app.App, *postgres.Store) {
	t.Helper()
	db, err := postgres.Open(context.Background(), dsn, 1, quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	s := postgres.NewStore(db, quiet)
	return app.New(app.Deps{AdminToken: "admin-token", Store: s, Attendances: s, Attendants: s, Feedback: s, Teams: s, Presence: s,
		EventLog: postgres.NewEventLog(s), PublicURL: "https://zap.example", Log: quiet}), s
}

func newAttendant(t *testing.T, a *app.App, name string, maxOpen int) *domain.Attendant {
	t.Helper()
	ctx := context.Background()
	at, err := a.CreateAttendant(ctx, name, name+"@example.com", "password123", domain.RoleAttendant)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.UpdateAttendant(ctx, at.ID, domain.AttendantChange{MaxOpen: &maxOpen}); err != nil {
		t.Fatal(err)
	}
	return at
}

// TestRoutingFromTwoProcessesNeverExceedsCapacity: two apps on separate
// pools (two API/consumer processes) file and route a burst of new
// attendances on two teams that share a member, while both also sweep the
// queues: no member ends over max_open, no attendance is assigned twice,
// and every bit of room is used.
func TestRoutingFromTwoProcessesNeverExceedsCapacity(t *testing.T) {
	t.Parallel()
	_, dsn := pgtest.New(t)
	ctx := context.Background()
	a1, s1 := routingApp(t, dsn)
	a2, _ := routingApp(t, dsn)
	in1, in2 := newInstance(t, s1), newInstance(t, s1)
	ana, bia, caio := newAttendant(t, a1, "ana", 3), newAttendant(t, a1, "bia", 4), newAttendant(t, a1, "caio", 2)
	capacity := map[string]int{ana.ID: 3, bia.ID: 4, caio.ID: 2}
	for _, at := range []*domain.Attendant{ana, bia, caio} {
		if _, err := a1.OpenFeed(ctx, at.ID, domain.NewID(time.Now())); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := a1.CreateTeam(ctx, "one", []string{in1.ID}, []string{ana.ID, bia.ID}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := a2.CreateTeam(ctx, "two", []string{in2.ID}, []string{bia.ID, caio.ID}, ""); err != nil {
		t.Fatal(err)
	}

	const perInstance = 20
	var wg sync.WaitGroup
	errs := make(chan error, 4*perInstance+2)
	start := time.Now().UTC()
	for i := range perInstance {
		for k, in := range []*domain.Instance{in1, in2} {
			proc := []*app.App{a1, a2}[(i+k)%2]
			wg.Add(1)
			go func() {
				defer wg.Done()
				d := domain.IncomingDraft{InstanceID: in.ID, WAMessageID: fmt.Sprintf("W%d", i), From: fmt.Sprintf("55119%08d", i),
					Type: domain.TypeText, Text: "hi", At: start.Add(time.Duration(i) * time.Millisecond)}
				m, _, err := proc.ReceiveMessage(ctx, d, nil)
				if err == nil {
					err = proc.AttendIncoming(ctx, app.MessageData(m))
				}
				errs <- err
			}()
		}
	}
	for _, proc := range []*app.App{a1, a2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if _, err := proc.RouteWaiting(ctx); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, proc := range []*app.App{a1, a2} {
		if _, err := proc.RouteWaiting(ctx); err != nil {
			t.Fatal(err)
		}
	}

	open, _, err := a1.ListAttendances(ctx, app.Principal{Admin: true}, app.AttendanceFilter{Page: app.Page{Limit: 500}, Status: "open"})
	if err != nil || len(open) != 2*perInstance {
		t.Fatalf("%d open attendances, %v", len(open), err)
	}
	held := map[string]int{}
	for _, v := range open {
		if v.Attendance.AttendantID != "" {
			held[v.Attendance.AttendantID]++
		}
	}
	for id, n := range held {
		if n > capacity[id] {
			t.Errorf("attendant %s holds %d, max_open %d", id, n, capacity[id])
		}
	}
	if held[ana.ID]+held[bia.ID]+held[caio.ID] != 9 {
		t.Errorf("assigned %v; want every member full (9)", held)
	}
	// The event log lists a commit once every older transaction in the
	// cluster has ended (its horizon), and other tests' transactions may
	// still run: wait for the nine, then check none came twice.
	var seen map[string]bool
	for deadline := time.Now().Add(30 * time.Second); ; {
		evs, _, err := postgres.NewEventLog(s1).ListEvents(ctx, app.EventFilter{Page: app.Page{Limit: 500}, Types: []string{events.AttendanceAssigned}})
		if err != nil {
			t.Fatal(err)
		}
		seen = map[string]bool{}
		for _, e := range evs {
			var d events.AttendanceAssignedData
			if err := json.Unmarshal(e.Data, &d); err != nil {
				t.Fatal(err)
			}
			if seen[d.AttendanceID] {
				t.Errorf("attendance %s assigned twice", d.AttendanceID)
			}
			seen[d.AttendanceID] = true
			if d.By != events.ByRouting {
				t.Errorf("by = %q", d.By)
			}
		}
		if len(seen) >= 9 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond) // polling the event log for the fact above
	}
	if len(seen) != 9 {
		t.Errorf("%d attendance.assigned events, want 9", len(seen))
	}

	// Room appears: a close gives the oldest waiting attendance of the
	// closer's team to them.
	var anas []app.AttendanceView
	for _, v := range open {
		if v.Attendance.AttendantID == ana.ID {
			anas = append(anas, v)
		}
	}
	var oldest *app.AttendanceView
	for i, v := range open {
		if v.Attendance.AttendantID == "" && v.Attendance.InstanceID == in1.ID && (oldest == nil || v.Attendance.OpenedAt.Before(oldest.Attendance.OpenedAt) ||
			v.Attendance.OpenedAt.Equal(oldest.Attendance.OpenedAt) && v.Attendance.ID < oldest.Attendance.ID) {
			oldest = &open[i]
		}
	}
	if _, err := a2.CloseAttendance(ctx, anas[0].Attendance.ID, ""); err != nil {
		t.Fatal(err)
	}
	got, err := s1.Attendance(ctx, oldest.Attendance.ID)
	if err != nil || got.Attendance.AttendantID != ana.ID {
		t.Fatalf("oldest waiting after a close: %+v, %v; want it assigned to ana", got, err)
	}
}

// TestPresenceIsClusterWideAndExpires: a dashboard connection counts on
// every process; the connections of a process that stopped renewing them
// (it died) expire, and the renewing process's ones stay.
func TestPresenceIsClusterWideAndExpires(t *testing.T) {
	t.Parallel()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	now := time.Now().UTC()
	clock := func() time.Time { return now }
	a := app.New(app.Deps{AdminToken: "admin-token", Store: s, Attendances: s, Attendants: s, Feedback: s, Teams: s, Presence: s,
		Clock: clock, Log: quiet})
	ctx := context.Background()
	ana, bia := newAttendant(t, a, "ana", 10), newAttendant(t, a, "bia", 10)
	dead, alive := domain.NewID(now), domain.NewID(now)
	if _, err := a.OpenFeed(ctx, ana.ID, dead); err != nil {
		t.Fatal(err)
	}
	if _, err := a.OpenFeed(ctx, bia.ID, alive); err != nil {
		t.Fatal(err)
	}
	connected := func() map[string]bool {
		t.Helper()
		loads, err := a.AttendantLoads(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return map[string]bool{"ana": loads[ana.ID].Connected, "bia": loads[bia.ID].Connected}
	}
	if c := connected(); !c["ana"] || !c["bia"] {
		t.Fatalf("connected = %v", c)
	}
	// Only the live process renews; past the TTL its attendant alone is on.
	for range 3 {
		now = now.Add(app.FeedTTL / 2)
		if err := a.KeepFeeds(ctx, alive); err != nil {
			t.Fatal(err)
		}
	}
	if c := connected(); c["ana"] || !c["bia"] {
		t.Fatalf("after the dead process's TTL: %v", c)
	}
	// Ana's dashboard reconnects to the live process: she comes online.
	feed, err := a.OpenFeed(ctx, ana.ID, alive)
	if err != nil || !connected()["ana"] {
		t.Fatalf("reconnected: %v %v", connected(), err)
	}
	if err := a.CloseFeed(ctx, feed); err != nil || connected()["ana"] {
		t.Fatalf("closed: %v %v", connected(), err)
	}
}

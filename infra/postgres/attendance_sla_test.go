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

// TestSLABreachesFromTwoSweepersComeOnce: two processes sweep the same
// database at once, in small batches: every late, unanswered, open
// attendance is reported exactly once; answered, closed and not-yet-due
// ones never are.
func TestSLABreachesFromTwoSweepersComeOnce(t *testing.T) {
	t.Parallel()
	_, dsn := pgtest.New(t)
	ctx := context.Background()
	a1, s1 := routingApp(t, dsn)
	a2, _ := routingApp(t, dsn)
	in := newInstance(t, s1)
	sla := "15m"
	if _, err := a1.UpdateInstance(ctx, in.ID, app.InstancePatch{FirstResponseSLA: &sla}); err != nil {
		t.Fatal(err)
	}

	// Opened an hour ago: late. Opened now: due in 15 minutes.
	past := time.Now().UTC().Add(-time.Hour).Truncate(time.Millisecond)
	const late = 24
	lateIDs := map[string]bool{}
	for i := range late {
		v := receive(t, a1, in.ID, fmt.Sprintf("55119%08d", i), fmt.Sprintf("L%d", i), past)
		if v.Attendance.SLADueAt == nil || !v.Attendance.SLADueAt.Equal(past.Add(15*time.Minute)) {
			t.Fatalf("sla_due_at = %v, want opened_at + 15m", v.Attendance.SLADueAt)
		}
		lateIDs[v.Attendance.ID] = true
	}
	answered := receive(t, a1, in.ID, "5511900000100", "A", past)
	if _, err := a1.Reply(ctx, answered.Attendance.ID, app.SendMessage{Type: string(domain.TypeText), Text: "hello"}); err != nil {
		t.Fatal(err)
	}
	closed := receive(t, a1, in.ID, "5511900000101", "C", past)
	if _, err := a1.CloseAttendance(ctx, closed.Attendance.ID, ""); err != nil {
		t.Fatal(err)
	}
	notDue := receive(t, a1, in.ID, "5511900000102", "N", time.Now().UTC())
	delete(lateIDs, answered.Attendance.ID)
	delete(lateIDs, closed.Attendance.ID)
	delete(lateIDs, notDue.Attendance.ID)

	var wg sync.WaitGroup
	counts := make([]int, 2)
	errs := make([]error, 2)
	for k, proc := range []*app.App{a1, a2} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				n, err := proc.BreachSLAs(ctx, 3)
				if err != nil {
					errs[k] = err
					return
				}
				counts[k] += n
				if n == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if counts[0]+counts[1] != late {
		t.Errorf("claimed %v, want %d in all", counts, late)
	}
	if n, err := a1.BreachSLAs(ctx, 100); err != nil || n != 0 {
		t.Errorf("a later sweep claimed %d, %v; want none", n, err)
	}

	for id := range lateIDs {
		v, err := s1.Attendance(ctx, id)
		if err != nil || v.Attendance.SLABreachedAt == nil {
			t.Errorf("late attendance %s: sla_breached_at unset (%v)", id, err)
		}
	}
	for _, id := range []string{answered.Attendance.ID, closed.Attendance.ID, notDue.Attendance.ID} {
		v, err := s1.Attendance(ctx, id)
		if err != nil || v.Attendance.SLABreachedAt != nil {
			t.Errorf("attendance %s: sla_breached_at = %v (%v); want none", id, v.Attendance.SLABreachedAt, err)
		}
	}

	// The event log lists a commit once every older transaction in the
	// cluster has ended (other tests run alongside): wait for them all,
	// then check none came twice.
	var seen map[string]int
	for deadline := time.Now().Add(30 * time.Second); ; {
		evs, _, err := postgres.NewEventLog(s1).ListEvents(ctx, app.EventFilter{Page: app.Page{Limit: 500}, Types: []string{events.AttendanceSLABreached}})
		if err != nil {
			t.Fatal(err)
		}
		seen = map[string]int{}
		for _, e := range evs {
			var d events.AttendanceSLABreachedData
			if err := json.Unmarshal(e.Data, &d); err != nil {
				t.Fatal(err)
			}
			seen[d.AttendanceID]++
			if d.SLASeconds != 900 || d.InstanceID != in.ID || !d.OpenedAt.Equal(past) {
				t.Errorf("event data %+v", d)
			}
		}
		if len(seen) >= late || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond) // polling the event log for the fact above
	}
	for id, n := range seen {
		if !lateIDs[id] || n != 1 {
			t.Errorf("attendance %s: %d events (late: %v)", id, n, lateIDs[id])
		}
	}
	if len(seen) != late {
		t.Errorf("%d attendances reported, want %d", len(seen), late)
	}
}

// TestAssignedAtIsTheFirstAssignment: the milestone is stamped by the
// first assignment and kept through later ones.
func TestAssignedAtIsTheFirstAssignment(t *testing.T) {
	t.Parallel()
	_, dsn := pgtest.New(t)
	ctx := context.Background()
	a, s := routingApp(t, dsn)
	in := newInstance(t, s)
	ana, bia := newAttendant(t, a, "ana", 5), newAttendant(t, a, "bia", 5)
	v := receive(t, a, in.ID, "5511900000200", "X", time.Now().UTC())
	if v.Attendance.AssignedAt != nil || v.Attendance.SLADueAt != nil {
		t.Fatalf("new attendance: assigned_at %v, sla_due_at %v; want none", v.Attendance.AssignedAt, v.Attendance.SLADueAt)
	}
	first, err := a.AssignAttendance(ctx, v.Attendance.ID, ana.ID, "")
	if err != nil || first.AssignedAt == nil {
		t.Fatalf("assigned: %+v, %v", first, err)
	}
	if _, err := a.AssignAttendance(ctx, v.Attendance.ID, bia.ID, ""); err != nil {
		t.Fatal(err)
	}
	got, err := s.Attendance(ctx, v.Attendance.ID)
	if err != nil || got.Attendance.AssignedAt == nil || !got.Attendance.AssignedAt.Equal(*first.AssignedAt) {
		t.Fatalf("after reassignment assigned_at = %v, want %v (%v)", got.Attendance.AssignedAt, first.AssignedAt, err)
	}
}

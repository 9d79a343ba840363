package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
)

const (
	lidPhone = "5511977776666"
	lidJID   = "201234567890123@lid"
)

// clientsApp is attendanceApp with the database, to count rows.
func clientsApp(t *testing.T) (*app.App, *sqlx.DB, *domain.Instance) {
	t.Helper()
	db, _ := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	in := newInstance(t, s)
	now := time.Now().UTC()
	a := app.New(app.Deps{AdminToken: "admin-token", Store: s, Attendances: s, Attendants: s, Feedback: s, Tools: s,
		PublicURL: "https://zap.example", Clock: func() time.Time { return now }, Log: quiet})
	return a, db, in
}

// writeIn receives one message from (a phone or a LID) with lid as its
// from_lid, and files it as the attendance consumer would.
func writeIn(ctx context.Context, a *app.App, instanceID, from, lid, wa string, at time.Time) error {
	m, _, err := a.ReceiveMessage(ctx, domain.IncomingDraft{InstanceID: instanceID, WAMessageID: wa, From: from, FromLID: lid,
		PushName: "Ana", Type: domain.TypeText, Text: wa, At: at}, nil)
	if err != nil {
		return err
	}
	return a.AttendIncoming(ctx, app.MessageData(m))
}

type clientRow struct {
	ID    string `db:"id"`
	Phone string `db:"phone"`
	LID   string `db:"lid"`
}

func clientsOf(t *testing.T, db *sqlx.DB, instanceID string) []clientRow {
	t.Helper()
	var rows []clientRow
	if err := db.Select(&rows, `SELECT id, phone, lid FROM clients WHERE instance_id = $1 ORDER BY first_seen_at`, instanceID); err != nil {
		t.Fatal(err)
	}
	return rows
}

// attendancesOf counts an instance's attendances by status and reason, and
// the messages filed in the open ones.
func attendancesOf(t *testing.T, db *sqlx.DB, instanceID string) (open, merged, filedOpen, unfiled int) {
	t.Helper()
	q := func(dst *int, query string) {
		if err := db.Get(dst, query, instanceID); err != nil {
			t.Fatal(err)
		}
	}
	q(&open, `SELECT count(*) FROM attendances WHERE instance_id = $1 AND status = 'open'`)
	q(&merged, `SELECT count(*) FROM attendances WHERE instance_id = $1 AND closed_reason = 'merged'`)
	q(&filedOpen, `SELECT count(*) FROM messages m JOIN attendances a ON a.id = m.attendance_id WHERE a.instance_id = $1 AND a.status = 'open'`)
	q(&unfiled, `SELECT count(*) FROM messages WHERE instance_id = $1 AND direction = 'in' AND attendance_id IS NULL`)
	return
}

func TestClientKnownByLIDGainsItsPhone(t *testing.T) {
	t.Parallel()
	a, db, in := clientsApp(t)
	ctx := context.Background()
	t0 := time.Now().UTC()
	if err := writeIn(ctx, a, in.ID, lidJID, lidJID, "L1", t0); err != nil {
		t.Fatal(err)
	}
	cs := clientsOf(t, db, in.ID)
	if len(cs) != 1 || cs[0].Phone != "" || cs[0].LID != lidJID {
		t.Fatalf("a LID-only writer: %+v", cs)
	}
	first := cs[0].ID
	if err := writeIn(ctx, a, in.ID, lidPhone, lidJID, "L2", t0.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := writeIn(ctx, a, in.ID, lidPhone, "", "L3", t0.Add(2*time.Second)); err != nil {
		t.Fatal(err)
	}
	cs = clientsOf(t, db, in.ID)
	if len(cs) != 1 || cs[0].ID != first || cs[0].Phone != lidPhone || cs[0].LID != lidJID {
		t.Fatalf("after the phone showed: %+v (first %s)", cs, first)
	}
	open, merged, filed, unfiled := attendancesOf(t, db, in.ID)
	if open != 1 || merged != 0 || filed != 3 || unfiled != 0 {
		t.Fatalf("open %d, merged %d, filed %d, unfiled %d", open, merged, filed, unfiled)
	}
	items, _, err := a.ListAttendances(ctx, app.Principal{Admin: true}, app.AttendanceFilter{Page: app.Page{Limit: 10}, InstanceID: in.ID})
	if err != nil || len(items) != 1 || items[0].Client.LID != lidJID || items[0].Client.Phone != lidPhone || items[0].Attendance.Unread != 3 {
		t.Fatalf("view %+v %v", items, err)
	}
}

// A phone-only and a LID-only client shown to be one person become one:
// the older stays, the younger's open attendance hands its messages over
// and closes as merged.
func TestClientsByPhoneAndByLIDMerge(t *testing.T) {
	t.Parallel()
	for _, phoneFirst := range []bool{true, false} {
		t.Run(fmt.Sprintf("phone first %v", phoneFirst), func(t *testing.T) {
			t.Parallel()
			a, db, in := clientsApp(t)
			ctx := context.Background()
			t0 := time.Now().UTC()
			firstFrom, secondFrom := lidPhone, lidJID
			if !phoneFirst {
				firstFrom, secondFrom = secondFrom, firstFrom
			}
			for i, from := range []string{firstFrom, secondFrom, firstFrom} {
				if err := writeIn(ctx, a, in.ID, from, "", fmt.Sprintf("M%d", i), t0.Add(time.Duration(i)*time.Second)); err != nil {
					t.Fatal(err)
				}
			}
			cs := clientsOf(t, db, in.ID)
			if len(cs) != 2 {
				t.Fatalf("before they are known as one: %+v", cs)
			}
			older := cs[0].ID
			if err := writeIn(ctx, a, in.ID, lidPhone, lidJID, "BOTH", t0.Add(5*time.Second)); err != nil {
				t.Fatal(err)
			}
			cs = clientsOf(t, db, in.ID)
			if len(cs) != 1 || cs[0].ID != older || cs[0].Phone != lidPhone || cs[0].LID != lidJID {
				t.Fatalf("merged into %+v, want the older %s", cs, older)
			}
			open, merged, filed, unfiled := attendancesOf(t, db, in.ID)
			if open != 1 || merged != 1 || filed != 4 || unfiled != 0 {
				t.Fatalf("open %d, merged %d, filed %d, unfiled %d", open, merged, filed, unfiled)
			}
			items, _, err := a.ListAttendances(ctx, app.Principal{Admin: true}, app.AttendanceFilter{Page: app.Page{Limit: 10}, Status: "open", InstanceID: in.ID})
			if err != nil || len(items) != 1 || items[0].Attendance.Unread != 4 || items[0].Client.ID != older {
				t.Fatalf("open %+v %v", items, err)
			}
			// Every attendance, the merged one too, now belongs to the one client.
			var others int
			if err := db.Get(&others, `SELECT count(*) FROM attendances WHERE instance_id = $1 AND client_id <> $2`, in.ID, older); err != nil || others != 0 {
				t.Fatalf("%d attendances of another client, %v", others, err)
			}
		})
	}
}

// Messages of one person from both addresses, all at once: one client, one
// open attendance, every message filed in it.
func TestClientsSurviveConcurrentAddresses(t *testing.T) {
	t.Parallel()
	a, db, in := clientsApp(t)
	ctx := context.Background()
	t0 := time.Now().UTC()
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n*3)
	for g := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 3 {
				from, lid := lidPhone, ""
				switch (g + j) % 3 {
				case 1:
					from = lidJID
				case 2:
					lid = lidJID
				}
				at := t0.Add(time.Duration(g*3+j) * time.Millisecond)
				if err := writeIn(ctx, a, in.ID, from, lid, fmt.Sprintf("C%d-%d", g, j), at); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	cs := clientsOf(t, db, in.ID)
	if len(cs) != 1 || cs[0].Phone != lidPhone || cs[0].LID != lidJID {
		t.Fatalf("clients %+v", cs)
	}
	open, merged, filed, unfiled := attendancesOf(t, db, in.ID)
	t.Logf("%d attendances merged on the way", merged)
	if open != 1 || filed != n*3 || unfiled != 0 {
		t.Fatalf("open %d, filed %d of %d, unfiled %d", open, filed, n*3, unfiled)
	}
	items, _, err := a.ListAttendances(ctx, app.Principal{Admin: true}, app.AttendanceFilter{Page: app.Page{Limit: 10}, Status: "open", InstanceID: in.ID})
	if err != nil || len(items) != 1 || items[0].Attendance.Unread != n*3 {
		t.Fatalf("open %+v %v", items, err)
	}
}

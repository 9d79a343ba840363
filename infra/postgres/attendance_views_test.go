package postgres_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/zapgate/zapgate/app"
	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/events"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
)

// TestListAttendancesReadsLastMessagesAtOnce lists many attendances, each
// with a different number of messages: every one comes with its own last
// message, and a page costs the same few statements however long it is
// (no statement per attendance).
func TestListAttendancesReadsLastMessagesAtOnce(t *testing.T) {
	t.Parallel()
	db, dsn := pgtest.New(t)
	s := postgres.NewStore(db, quiet)
	in := newInstance(t, s)
	// A clock that moves a millisecond a call keeps message ids in the
	// order the messages came.
	base := time.Now().UTC()
	var tick int64
	clock := func() time.Time { tick++; return base.Add(time.Duration(tick) * time.Millisecond) }
	a := app.New(app.Deps{AdminToken: "admin-token", Store: s, Attendances: s, Attendants: s, Feedback: s, Tools: s,
		PublicURL: "https://zap.example", Clock: clock, Log: quiet})
	ctx := context.Background()

	const clients = 40
	wantLast := map[string]string{} // by phone: the text of the last message
	var batch []events.Message
	for round := range 3 {
		for i := range clients {
			if round > i%3 {
				continue // client i writes i%3+1 messages
			}
			phone := fmt.Sprintf("55119777%05d", i)
			text := fmt.Sprintf("client %d message %d", i, round)
			m, _, err := a.ReceiveMessage(ctx, domain.IncomingDraft{InstanceID: in.ID, WAMessageID: fmt.Sprint("V", round, "-", i),
				From: phone, Type: domain.TypeText, Text: text, At: clock()}, nil)
			if err != nil {
				t.Fatal(err)
			}
			batch = append(batch, app.MessageData(m))
			wantLast[phone] = text
		}
	}
	if err := a.AttendIncoming(ctx, batch...); err != nil {
		t.Fatal(err)
	}

	var statements atomic.Int64
	counted := countingStore(t, dsn, &statements)
	for _, limit := range []int{clients, 7} {
		statements.Store(0)
		items, next, err := counted.ListAttendances(ctx, app.AttendanceFilter{Page: app.Page{Limit: limit}, InstanceID: in.ID})
		if err != nil {
			t.Fatal(err)
		}
		if n := statements.Load(); n > 2 {
			t.Fatalf("a page of %d attendances took %d statements; want at most 2 (attendances, then their last messages)", len(items), n)
		}
		if len(items) != limit || (limit < clients) != (next != "") {
			t.Fatalf("limit %d: %d attendances, next %q", limit, len(items), next)
		}
		for _, v := range items {
			if v.LastMessage == nil {
				t.Fatalf("attendance of %s listed without its last message", v.Client.Phone)
			}
			if v.LastMessage.Text != wantLast[v.Client.Phone] || v.LastMessage.AttendanceID != v.Attendance.ID {
				t.Fatalf("attendance of %s lists %q (attendance %s), want %q (attendance %s)", v.Client.Phone,
					v.LastMessage.Text, v.LastMessage.AttendanceID, wantLast[v.Client.Phone], v.Attendance.ID)
			}
		}
	}
	// One attendance alone reads the same way.
	items, _, err := counted.ListAttendances(ctx, app.AttendanceFilter{Page: app.Page{Limit: 1}, InstanceID: in.ID})
	if err != nil || len(items) != 1 {
		t.Fatalf("%d attendances, %v", len(items), err)
	}
	v, err := counted.Attendance(ctx, items[0].Attendance.ID)
	if err != nil || v.LastMessage == nil || v.LastMessage.Text != wantLast[v.Client.Phone] {
		t.Fatalf("attendance %+v, %v", v, err)
	}
}

// countingStore is a store on its own pool that counts the statements it
// sends: its connections only know Prepare, so database/sql prepares every
// statement through them.
func countingStore(t *testing.T, dsn string, n *atomic.Int64) *postgres.Store {
	t.Helper()
	c, err := pq.NewConnector(dsn)
	if err != nil {
		t.Fatal(err)
	}
	db := sqlx.NewDb(sql.OpenDB(countingConnector{Connector: c, n: n}), "postgres")
	t.Cleanup(func() { _ = db.Close() })
	return postgres.NewStore(db, quiet)
}

type countingConnector struct {
	driver.Connector
	n *atomic.Int64
}

func (c countingConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return countingConn{Conn: conn, n: c.n}, nil
}

type countingConn struct {
	driver.Conn
	n *atomic.Int64
}

func (c countingConn) Prepare(query string) (driver.Stmt, error) {
	c.n.Add(1)
	return c.Conn.Prepare(query)
}

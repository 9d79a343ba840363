package postgres_test

import (
	"context"
	"io/fs"
	"sort"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/jmoiron/sqlx"

	"github.com/zapgate/zapgate/domain"
	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
	"github.com/zapgate/zapgate/migrations"
)

// databaseBefore is a new database migrated up to, not including, the
// first migration whose name contains marker.
func databaseBefore(t *testing.T, marker string) *sqlx.DB {
	t.Helper()
	ctx := context.Background()
	db, err := postgres.Open(ctx, pgtest.NewDatabase(t), 1, quiet)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := postgres.Migrate(ctx, db, migrationsBefore(t, marker), quiet); err != nil {
		t.Fatal(err)
	}
	return db
}

// migrationsBefore are the migrations that come before the first whose
// name contains marker.
func migrationsBefore(t *testing.T, marker string) fs.FS {
	t.Helper()
	names, err := fs.Glob(migrations.FS, "*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(names)
	before := fstest.MapFS{}
	for _, n := range names {
		if strings.Contains(n, marker) {
			return before
		}
		body, err := fs.ReadFile(migrations.FS, n)
		if err != nil {
			t.Fatal(err)
		}
		before[n] = &fstest.MapFile{Data: body}
	}
	t.Fatalf("no %s migration", marker)
	return nil
}

// Messages stored before addresses existed gain their chat: the person for
// direct messages; group messages keep theirs.
func TestAddressesMigrationFillsChat(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := databaseBefore(t, "_addresses")
	const inst = "01a22d80-8c69-7739-9b64-52254f01d515"
	rows := []struct {
		id, direction, to, from, chat string
		group                         bool
		want                          string
	}{
		{"01a22d80-0000-7000-8000-000000000001", "out", "5511999990001", "", "", false, "5511999990001@s.whatsapp.net"},
		{"01a22d80-0000-7000-8000-000000000002", "in", "", "5511999990002", "", false, "5511999990002@s.whatsapp.net"},
		{"01a22d80-0000-7000-8000-000000000003", "in", "", "123456789@lid", "", false, "123456789@lid"},
		{"01a22d80-0000-7000-8000-000000000004", "in", "", "5511999990004", "1@g.us", true, "1@g.us"},
	}
	for i, r := range rows {
		if _, err := db.ExecContext(ctx, `INSERT INTO messages (id, instance_id, direction, status, to_phone, from_phone,
			type, wa_message_id, chat, is_group, created_at) VALUES ($1, $2, $3, 'sent', $4, $5, 'text', $6, $7, $8, now())`,
			r.id, inst, r.direction, r.to, r.from, "W"+string(rune('0'+i)), r.chat, r.group); err != nil {
			t.Fatal(err)
		}
	}
	if err := postgres.Migrate(ctx, db, migrations.FS, quiet); err != nil {
		t.Fatal(err)
	}
	s := postgres.NewStore(db, quiet)
	for _, r := range rows {
		m, err := s.Message(ctx, inst, r.id)
		if err != nil {
			t.Fatal(err)
		}
		if m.Chat != r.want || m.FromLID != "" || m.ToLID != "" || m.Participant != "" {
			t.Errorf("message %s: chat %q, lids %q %q, participant %q; want chat %q", r.id, m.Chat, m.FromLID, m.ToLID, m.Participant, r.want)
		}
		if a, ok := domain.ParseAddress(m.Chat); !ok || a.JID() != m.Chat {
			t.Errorf("message %s: chat %q is not an address", r.id, m.Chat)
		}
	}
}

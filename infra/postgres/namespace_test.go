package postgres_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/infra/postgres/pgtest"
	"github.com/zapgate/zapgate/migrations"
)

func TestNamespaceOfANewDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var seen []string
	for range 2 {
		db, dsn := pgtest.New(t)
		ns, err := postgres.Namespace(ctx, db)
		if err != nil {
			t.Fatal(err)
		}
		// The database's name (zapgate_test_<hex>, cut to 20) and a random suffix.
		dbName := dsn[strings.LastIndex(dsn, "/")+1:]
		if !regexp.MustCompile(`^[a-z0-9_-]{1,32}$`).MatchString(ns) || !strings.HasPrefix(ns, dbName[:20]+"-") || len(ns) != 29 {
			t.Fatalf("namespace of %s = %q", dbName, ns)
		}
		// Migrating again keeps it.
		if err := postgres.Migrate(ctx, db, migrations.FS, quiet); err != nil {
			t.Fatal(err)
		}
		if again, err := postgres.Namespace(ctx, db); err != nil || again != ns {
			t.Fatalf("after migrating again: %q %v, want %q", again, err, ns)
		}
		seen = append(seen, ns)
	}
	if seen[0] == seen[1] {
		t.Fatalf("two databases share namespace %q", seen[0])
	}
}

func TestNamespaceOfAnUpgradedDatabase(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		served bool // the old version ran on it: messages may wait in the legacy queues
		legacy bool
	}{
		{"served before", true, true},
		{"migrated but never served", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			db := databaseBefore(t, "_namespace")
			if tt.served {
				newInstance(t, postgres.NewStore(db, quiet))
			}
			if err := postgres.Migrate(ctx, db, migrations.FS, quiet); err != nil {
				t.Fatal(err)
			}
			ns, err := postgres.Namespace(ctx, db)
			if err != nil {
				t.Fatal(err)
			}
			if (ns == "") != tt.legacy {
				t.Fatalf("namespace = %q, want legacy (empty) %v", ns, tt.legacy)
			}
		})
	}
}

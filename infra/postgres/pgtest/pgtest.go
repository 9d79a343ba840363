// Package pgtest gives each test its own Postgres database, migrated,
// created at the start and dropped at the end. A test that cannot reach
// Postgres fails: it never skips.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the postgres driver

	"github.com/zapgate/zapgate/infra/postgres"
	"github.com/zapgate/zapgate/migrations"
)

// AdminURL is the server the tests use: ZAPGATE_TEST_DATABASE_URL or the
// local default.
func AdminURL() string {
	if u := os.Getenv("ZAPGATE_TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// NewDatabase creates an empty database and returns its URL; it is dropped
// when the test ends.
func NewDatabase(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := sqlx.Open("postgres", AdminURL())
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	if err := admin.PingContext(ctx); err != nil {
		t.Fatalf("pgtest: Postgres at %s is not reachable (run `task services`): %v", AdminURL(), err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "zapgate_test_" + hex.EncodeToString(b[:])
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+name); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
		_ = admin.Close()
	})
	u, _ := url.Parse(AdminURL())
	u.Path = "/" + name
	return u.String()
}

// New creates a migrated database and returns a pool on it.
func New(t testing.TB) (*sqlx.DB, string) {
	t.Helper()
	dsn := NewDatabase(t)
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	db, err := postgres.Open(ctx, dsn, 1, log)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	if err := postgres.Migrate(ctx, db, migrations.FS, log); err != nil {
		t.Fatalf("pgtest: migrate: %v", err)
	}
	return db, dsn
}

// Package postgres implements zapgate's storage ports on PostgreSQL with sqlx.
package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"time"

	"github.com/jmoiron/sqlx"
)

// Open connects to Postgres, retrying with backoff until ctx ends or
// attempts run out, so a database that starts a little later is waited for.
// A server that answers that the database does not exist is not retried: it
// is a *MissingDatabaseError.
func Open(ctx context.Context, url string, attempts int, log *slog.Logger) (*sqlx.DB, error) {
	// binary_parameters makes lib/pq send a statement with its parameters
	// in one round trip instead of preparing it first (two). It also sends
	// []byte parameters in binary form, which bytea and json read as is;
	// jsonb values are sent as text (see jsonText).
	// The connector translates lost-connection errors into
	// domain.Unavailable (see unavailable.go).
	c, err := newConnector(WithParam(url, "binary_parameters", "yes"))
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	db := sqlx.NewDb(sql.OpenDB(c), "postgres")
	// Sized for a small machine: enough for the HTTP handlers, the bot, the
	// forwarder's subscriber and the schedulers without thrashing 2 cores.
	db.SetMaxOpenConns(40)
	db.SetMaxIdleConns(20)
	db.SetConnMaxIdleTime(5 * time.Minute)
	wait := 250 * time.Millisecond
	for i := 1; ; i++ {
		pctx, cancel := context.WithTimeout(ctx, 3*time.Second)
		err = db.PingContext(pctx)
		cancel()
		if err == nil {
			return db, nil
		}
		if isMissingDatabase(err) {
			_ = db.Close()
			name, nerr := DatabaseName(url)
			if nerr != nil {
				return nil, fmt.Errorf("postgres: %w", err)
			}
			return nil, &MissingDatabaseError{Name: name}
		}
		if i >= attempts || ctx.Err() != nil {
			_ = db.Close()
			return nil, fmt.Errorf("postgres unreachable after %d attempts: %w", i, err)
		}
		log.Warn("postgres not reachable yet", "attempt", i, "err", err)
		select {
		case <-ctx.Done():
		case <-time.After(wait):
		}
		wait = min(wait*2, 5*time.Second)
	}
}

// WithParam adds a server setting to a connection string (URL or key=value
// form); lib/pq passes settings it does not know itself to the server when
// it connects.
func WithParam(dsn, key, value string) string {
	if u, err := url.Parse(dsn); err == nil && (u.Scheme == "postgres" || u.Scheme == "postgresql") {
		q := u.Query()
		q.Set(key, value)
		u.RawQuery = q.Encode()
		return u.String()
	}
	return dsn + " " + key + "=" + value
}

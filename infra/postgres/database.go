package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// MissingDatabaseError is a server that answers but has no database by the
// configured name. Retrying cannot fix it, so Open gives up at once and says
// how to create it.
type MissingDatabaseError struct{ Name string }

func (e *MissingDatabaseError) Error() string {
	return fmt.Sprintf("database %q does not exist: create it with `zapgate migrate --create-database` (or `createdb %s`)", e.Name, e.Name)
}

// isMissingDatabase reports Postgres' invalid_catalog_name (3D000), which
// the server answers when the database named in the connection is absent.
func isMissingDatabase(err error) bool {
	var pqErr *pq.Error
	return errors.As(err, &pqErr) && pqErr.Code == "3D000"
}

// DatabaseName is the database a postgres:// URL names ("postgres" when the
// path is empty, as lib/pq defaults to the user name only without a URL).
func DatabaseName(dsn string) (string, error) {
	u, err := url.Parse(dsn)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("database URL: not a postgres:// URL")
	}
	if name := u.Query().Get("dbname"); name != "" {
		return name, nil
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" {
		return "", fmt.Errorf("database URL: no database name in %q", u.Redacted())
	}
	return name, nil
}

// withDatabase is dsn pointed at another database of the same server.
func withDatabase(dsn, name string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	q.Del("dbname")
	u.RawQuery = q.Encode()
	u.Path = "/" + name
	return u.String()
}

// CreateDatabase creates the database dsn names when it does not exist yet,
// connecting to the same server's maintenance database (postgres, else
// template1) as the same user. It reports whether it created it.
func CreateDatabase(ctx context.Context, dsn string, attempts int, log *slog.Logger) (bool, error) {
	name, err := DatabaseName(dsn)
	if err != nil {
		return false, err
	}
	var admin *sqlx.DB
	for _, maint := range []string{"postgres", "template1"} {
		admin, err = Open(ctx, withDatabase(dsn, maint), attempts, log)
		if err == nil {
			break
		}
		var missing *MissingDatabaseError
		if !errors.As(err, &missing) {
			return false, fmt.Errorf("create database %q: %w", name, err)
		}
	}
	if admin == nil {
		return false, fmt.Errorf("create database %q: no maintenance database (postgres, template1) to connect to: %w", name, err)
	}
	defer admin.Close()
	var exists bool
	if err := admin.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name); err != nil {
		return false, fmt.Errorf("create database %q: %w", name, err)
	}
	if exists {
		return false, nil
	}
	// CREATE DATABASE takes no parameters: the name is quoted instead.
	if _, err := admin.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name)); err != nil {
		var pqErr *pq.Error
		if errors.As(err, &pqErr) && pqErr.Code == "42P04" { // duplicate_database: created meanwhile
			return false, nil
		}
		return false, fmt.Errorf("create database %q: %w", name, err)
	}
	log.Info("database created", "name", name)
	return true, nil
}

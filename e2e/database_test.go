package e2e

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/zapgate/zapgate/infra/postgres/pgtest"
	"github.com/zapgate/zapgate/infra/rabbitmq/amqptest"
)

// TestMissingDatabaseIsNamedAndCreated: when the configured database does
// not exist, serve and migrate say so and how to create it at once, instead
// of retrying as if Postgres were unreachable; `migrate --create-database`
// creates it (a name that needs quoting), twice is harmless, and serve then
// starts on it.
func TestMissingDatabaseIsNamedAndCreated(t *testing.T) {
	t.Parallel()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "zapgate_test_New-DB_" + hex.EncodeToString(b[:])
	u, err := url.Parse(pgtest.AdminURL())
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	dbURL := u.String()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		admin, err := sqlx.Open("postgres", pgtest.AdminURL())
		if err != nil {
			t.Error(err)
			return
		}
		defer admin.Close()
		if _, err := admin.ExecContext(ctx, `DROP DATABASE IF EXISTS `+pq.QuoteIdentifier(name)+` WITH (FORCE)`); err != nil {
			t.Errorf("drop database %s: %v", name, err)
		}
	})
	zapgate := func(args ...string) (string, error) {
		cmd := exec.Command(binary, args...)
		cmd.Env = append(os.Environ(), "ZAPGATE_ADMIN_TOKEN="+adminToken, "ZAPGATE_DATABASE_URL="+dbURL,
			"ZAPGATE_AMQP_URL=amqp://guest:guest@127.0.0.1:1/", "ZAPGATE_WHATSAPP_DRIVER=sim",
			"ZAPGATE_STORAGE=file://"+t.TempDir(), "ZAPGATE_HTTP_ADDR=127.0.0.1:0")
		out, err := cmd.CombinedOutput()
		return string(out), err
	}

	for _, command := range []string{"serve", "migrate"} {
		out, err := zapgate(command)
		if err == nil {
			t.Fatalf("%s succeeded without its database:\n%s", command, out)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		last := lines[len(lines)-1]
		want := `database "` + name + `" does not exist: create it with ` + "`zapgate migrate --create-database`"
		if !strings.Contains(last, want) {
			t.Errorf("%s: last line = %q, want it to contain %q", command, last, want)
		}
		// The connect retry logs one line per attempt; none means no retry.
		if strings.Contains(out, "not reachable") {
			t.Errorf("%s retried a missing database as unreachable:\n%s", command, out)
		}
	}

	out, err := zapgate("migrate", "--create-database")
	if err != nil {
		t.Fatalf("migrate --create-database: %v\n%s", err, out)
	}
	if !strings.Contains(out, `"database created"`) || !strings.Contains(out, `"migration applied"`) {
		t.Fatalf("migrate --create-database did not create and migrate:\n%s", out)
	}
	out, err = zapgate("migrate", "--create-database")
	if err != nil || strings.Contains(out, `"database created"`) || strings.Contains(out, `"migration applied"`) {
		t.Fatalf("a second migrate --create-database: %v\n%s", err, out)
	}

	e := &env{t: t, dbURL: dbURL, amqpURL: amqptest.NewVhost(t), media: t.TempDir()}
	p := e.start()
	p.must(201, "POST", "/v1/instances", adminToken, map[string]any{"name": "fresh"})
}

// Package amqptest gives each test its own RabbitMQ virtual host, so queues
// and consumer groups of parallel tests never meet. A test that cannot
// reach RabbitMQ fails: it never skips.
package amqptest

import (
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	amqp "github.com/rabbitmq/amqp091-go"
)

// AMQPURL is the RabbitMQ the tests use: ZAPGATE_TEST_AMQP_URL or the local
// default.
func AMQPURL() string {
	if u := os.Getenv("ZAPGATE_TEST_AMQP_URL"); u != "" {
		return u
	}
	return "amqp://guest:guest@127.0.0.1:5672/"
}

// NewVhost creates a virtual host for the test (deleted when it ends) and
// returns the AMQP URL to it.
func NewVhost(t testing.TB) string {
	t.Helper()
	base := AMQPURL()
	conn, err := amqp.Dial(base)
	if err != nil {
		t.Fatalf("amqptest: RabbitMQ at %s is not reachable (run `task services`): %v", base, err)
	}
	_ = conn.Close()
	var b [6]byte
	_, _ = rand.Read(b[:])
	vhost := "zapgate_test_" + hex.EncodeToString(b[:])
	ctl(t, "add_vhost", vhost)
	u, _ := url.Parse(base)
	user := u.User.Username()
	ctl(t, "set_permissions", "-p", vhost, user, ".*", ".*", ".*")
	t.Cleanup(func() { ctl(t, "delete_vhost", vhost) })
	u.Path = "/" + vhost
	return u.String()
}

func ctl(t testing.TB, args ...string) {
	t.Helper()
	out, err := exec.Command("rabbitmqctl", append([]string{"-q"}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("amqptest: rabbitmqctl %s: %v: %s", strings.Join(args, " "), err, out)
	}
}

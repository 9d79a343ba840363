// Package e2e drives the real zapgate binary over HTTP, with the sim
// WhatsApp driver, a fresh Postgres database and its own RabbitMQ vhost per
// test.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"github.com/zapgate/zapgate/infra/postgres/pgtest"
	"github.com/zapgate/zapgate/infra/rabbitmq/amqptest"
)

const adminToken = "e2e-admin-token-0123456789"

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "zapgate-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "zapgate")
	args := []string{"build", "-o", binary}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, "../cmd/zapgate")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building zapgate:", err)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// env is one test's infrastructure: a database and a vhost.
type env struct {
	t       *testing.T
	dbURL   string
	amqpURL string
	media   string
}

func newEnv(t *testing.T) *env {
	t.Helper()
	return &env{t: t, dbURL: pgtest.NewDatabase(t), amqpURL: amqptest.NewVhost(t), media: t.TempDir()}
}

// proc is a running zapgate.
type proc struct {
	t    *testing.T
	env  *env
	cmd  *exec.Cmd
	base string
	logs *logBuffer
	done chan error
}

type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// start runs zapgate serve with the env's services and extra variables,
// and waits until /readyz answers 200 (when the api role runs).
func (e *env) start(extra ...string) *proc {
	e.t.Helper()
	port := freePort(e.t)
	cmd := exec.Command(binary, "serve")
	cmd.Env = append(os.Environ(),
		"ZAPGATE_HTTP_ADDR=127.0.0.1:"+fmt.Sprint(port),
		"ZAPGATE_DATABASE_URL="+e.dbURL,
		"ZAPGATE_AMQP_URL="+e.amqpURL,
		"ZAPGATE_ADMIN_TOKEN="+adminToken,
		"ZAPGATE_WHATSAPP_DRIVER=sim",
		"ZAPGATE_STORAGE=file://"+e.media,
		"ZAPGATE_SEND_RATE=0",
		"ZAPGATE_NEW_CONTACTS_PER_DAY=0",
		"ZAPGATE_WARMUP_DAYS=0",
		// Several servers run at once against one Postgres: keep each pool
		// small so that together they stay under max_connections.
		"ZAPGATE_DB_MAX_CONNS=12",
		"ZAPGATE_PUBLIC_URL=http://127.0.0.1:"+fmt.Sprint(port),
	)
	cmd.Env = append(cmd.Env, extra...)
	logs := &logBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	p := &proc{t: e.t, env: e, cmd: cmd, base: fmt.Sprintf("http://127.0.0.1:%d", port), logs: logs, done: make(chan error, 1)}
	go func() { p.done <- cmd.Wait() }()
	e.t.Cleanup(func() {
		p.stop()
		if e.t.Failed() {
			e.t.Logf("zapgate logs:\n%s", tail(logs.String(), 60))
		}
	})
	if !strings.Contains(strings.Join(extra, " "), "ZAPGATE_ROLES=") || strings.Contains(strings.Join(extra, " "), "api") {
		p.waitReady()
	}
	return p
}

// logLines counts the lines of the process's log that hold every one of
// parts: a log line is how some facts (a retried send) show from outside.
func (p *proc) logLines(parts ...string) int {
	n := 0
	for _, line := range strings.Split(p.logs.String(), "\n") {
		all := true
		for _, part := range parts {
			all = all && strings.Contains(line, part)
		}
		if all {
			n++
		}
	}
	return n
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func (p *proc) waitReady() {
	p.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.done:
			p.t.Fatalf("zapgate exited before ready: %v\n%s", err, tail(p.logs.String(), 40))
		default:
		}
		resp, err := http.Get(p.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(100 * time.Millisecond) // polling /readyz
	}
	p.t.Fatalf("zapgate not ready within 60s\n%s", tail(p.logs.String(), 40))
}

// stop sends SIGTERM and waits for a graceful exit.
func (p *proc) stop() error {
	if p.cmd.ProcessState != nil {
		return nil
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
		return err
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		return fmt.Errorf("zapgate did not stop within 30s")
	}
}

// kill ends the process at once, as a crash would.
func (p *proc) kill() {
	_ = p.cmd.Process.Kill()
	err := <-p.done
	p.done <- err
}

// response is a decoded API answer.
type response struct {
	Status int
	Body   []byte
	Header http.Header
}

func (r response) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("not JSON (%d): %s", r.Status, r.Body)
	}
	return m
}

func (r response) ErrorCode(t *testing.T) string {
	t.Helper()
	e, _ := r.JSON(t)["error"].(map[string]any)
	if e == nil {
		t.Fatalf("no error object in %d %s", r.Status, r.Body)
	}
	code, _ := e["code"].(string)
	return code
}

// do sends a request; body may be nil, a string, []byte or a value to JSON.
func (p *proc) do(method, path, token string, body any, headers ...string) response {
	p.t.Helper()
	var rd io.Reader
	ctype := "application/json"
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			p.t.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, method, p.base+path, rd)
	if err != nil {
		p.t.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", ctype)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Body: raw, Header: resp.Header}
}

// doWith sends a JSON request with client and returns transport errors.
func (p *proc) doWith(c *http.Client, method, path, token string, body any) (response, error) {
	var rd io.Reader
	if body != nil {
		raw, err := json.Marshal(body)
		if err != nil {
			return response{}, err
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, p.base+path, rd)
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := c.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Body: raw, Header: resp.Header}, err
}

// must asserts the status and returns the JSON body.
func (p *proc) must(want int, method, path, token string, body any, headers ...string) map[string]any {
	p.t.Helper()
	r := p.do(method, path, token, body, headers...)
	if r.Status != want {
		p.t.Fatalf("%s %s = %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	if len(r.Body) == 0 {
		return nil
	}
	return r.JSON(p.t)
}

// eventually polls cond until it holds or the deadline passes.
func eventually(t *testing.T, within time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", within, what)
		}
		time.Sleep(50 * time.Millisecond) // polling cond
	}
}

// instance creates an instance, links it in the sim and returns id and token.
func (p *proc) linkedInstance(name, phone string) (string, string) {
	p.t.Helper()
	in := p.must(201, "POST", "/v1/instances", adminToken, map[string]any{"name": name})
	id, token := in["id"].(string), in["token"].(string)
	p.link(id, phone)
	return id, token
}

// link scans the instance's QR in the sim and waits until it is connected.
func (p *proc) link(id, phone string) {
	p.t.Helper()
	eventually(p.t, 20*time.Second, "instance shows a QR", func() bool {
		return p.must(200, "GET", "/v1/instances/"+id, adminToken, nil)["status"] == "qr"
	})
	p.must(200, "POST", "/v1/sim/instances/"+id+"/scan", adminToken, map[string]any{"phone": phone})
	eventually(p.t, 10*time.Second, "instance connected", func() bool {
		return p.must(200, "GET", "/v1/instances/"+id, adminToken, nil)["status"] == "connected"
	})
}

// countRows runs a count query on the test's database.
func countRows(t *testing.T, p *proc, query string) int {
	t.Helper()
	db, err := sqlx.Open("postgres", p.env.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	if err := db.Get(&n, query); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

// sendCommands counts the send commands written for an instance: one per
// message sent (or fired by a scheduler), whatever reaches WhatsApp.
func sendCommands(t *testing.T, p *proc, instance string) int {
	t.Helper()
	return countRows(t, p, `SELECT count(*) FROM watermill_outbox_commands
		WHERE event_type = 'cmd.send_message' AND instance_id = '`+instance+`'`)
}

// rawHeadersOnly sends a request's headers announcing contentLength bytes of
// body, sends only its first 64 KiB (the server reads a few KiB before it
// looks at a request), and returns the status and body of the answer.
func (p *proc) rawHeadersOnly(method, path, token string, contentLength int) (int, string) {
	p.t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(p.base, "http://"))
	if err != nil {
		p.t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "%s %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		method, path, token, contentLength)
	_, _ = conn.Write(bytes.Repeat([]byte{' '}, min(contentLength, 64<<10)))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		p.t.Fatalf("reading the answer: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

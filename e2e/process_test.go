package e2e

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestStartupRefusesBadConfiguration(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  []string
		want []string
	}{
		{"no admin token", []string{"ZAPGATE_ADMIN_TOKEN="}, []string{"ZAPGATE_ADMIN_TOKEN is required"}},
		{"every problem at once", []string{"ZAPGATE_ADMIN_TOKEN=", "ZAPGATE_DATABASE_URL=mysql://x", "ZAPGATE_WHATSAPP_DRIVER=telegram", "ZAPGATE_ROLES=api,cook"},
			[]string{"ZAPGATE_ADMIN_TOKEN", "ZAPGATE_DATABASE_URL", "ZAPGATE_WHATSAPP_DRIVER", "ZAPGATE_ROLES"}},
		{"bad duration", []string{"ZAPGATE_ADMIN_TOKEN=" + adminToken, "ZAPGATE_ATTENDANCE_IDLE=soon"}, []string{"ZAPGATE_ATTENDANCE_IDLE"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(binary, "serve")
			cmd.Env = append(os.Environ(), tt.env...)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("zapgate started with bad configuration: %s", out)
			}
			for _, w := range tt.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
		})
	}
}

func TestStartupFailsWhenPostgresIsUnreachable(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(binary, "migrate")
	cmd.Env = append(os.Environ(), "ZAPGATE_ADMIN_TOKEN="+adminToken,
		"ZAPGATE_DATABASE_URL=postgres://postgres@127.0.0.1:1/zapgate?sslmode=disable")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("migrate succeeded without Postgres: %s", out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	last := lines[len(lines)-1]
	if !strings.Contains(last, "postgres unreachable after") {
		t.Fatalf("last line = %q", last)
	}
	t.Logf("gave up after %s", time.Since(start).Round(time.Second))
}

func TestVersionAndMigrateTwice(t *testing.T) {
	t.Parallel()
	out, err := exec.Command(binary, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "zapgate ") {
		t.Fatalf("version: %v %s", err, out)
	}
	e := newEnv(t)
	for i := range 2 {
		cmd := exec.Command(binary, "migrate")
		cmd.Env = append(os.Environ(), "ZAPGATE_ADMIN_TOKEN="+adminToken, "ZAPGATE_DATABASE_URL="+e.dbURL)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("migrate run %d: %v\n%s", i+1, err, out)
		}
	}
}

func TestGracefulShutdownFinishesInFlightWork(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.start()
	id, token := p.linkedInstance("sales", "5511900000009")
	for i := range 50 {
		p.must(202, "POST", "/v1/instances/"+id+"/messages", token, map[string]any{"to": "5511999998888", "type": "text", "text": "m" + string(rune('a'+i%26))})
	}
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-p.done; err != nil {
		t.Fatalf("exit after SIGTERM: %v", err)
	}
	p.done <- nil
	t.Logf("stopped in %s", time.Since(start).Round(time.Millisecond))
	// A restart sends whatever was left, and nothing twice.
	q := e.start()
	eventually(t, 60*time.Second, "all 50 sent", func() bool {
		items := q.must(200, "GET", "/v1/instances/"+id+"/messages?status=sent&limit=500", token, nil)["items"].([]any)
		return len(items) == 50
	})
	stats := q.must(200, "GET", "/v1/sim/stats", adminToken, nil)
	if stats["sent"] != float64(50) || stats["distinct"] != float64(50) {
		t.Fatalf("sim stats = %v, want 50 sends, none repeated", stats)
	}
}

func TestHealthReadyMetrics(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	p.must(200, "GET", "/healthz", "", nil)
	ready := p.must(200, "GET", "/readyz", "", nil)
	if ready["ready"] != true {
		t.Fatalf("readyz = %v", ready)
	}
	id, token := p.linkedInstance("m", "5511900000010")
	p.must(202, "POST", "/v1/instances/"+id+"/messages", token, map[string]any{"to": "5511999998888", "type": "text", "text": "x"})
	eventually(t, 30*time.Second, "sent metric", func() bool {
		r := p.do("GET", "/metrics", "", nil)
		return strings.Contains(string(r.Body), "zapgate_messages_sent_total 1")
	})
	body := string(p.do("GET", "/metrics", "", nil).Body)
	for _, want := range []string{`zapgate_http_requests_total{code="202",method="POST",route="/v1/instances/:id/messages"} 1`,
		`zapgate_messages_accepted_total{type="text"} 1`, "zapgate_outbox_lag_seconds"} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// The real driver starts with nothing linked (and, here, no route to
// WhatsApp): the API works and instances wait to be linked.
func TestWhatsmeowDriverStartsWithoutALinkedDevice(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start("ZAPGATE_WHATSAPP_DRIVER=whatsmeow")
	in := p.must(201, "POST", "/v1/instances", adminToken, map[string]any{"name": "real"})
	id := in["id"].(string)
	// The bot has tried to connect it: a QR round began, or the attempt
	// failed and said so.
	eventually(t, 60*time.Second, "the bot's connect attempt", func() bool {
		return p.must(200, "GET", "/v1/instances/"+id, adminToken, nil)["status"] != "created" ||
			p.logLines(`"msg":"connect instance"`, `"instance":"`+id+`"`) > 0
	})
	// With no route to WhatsApp the QR round cannot start: the instance
	// says so, and stays usable.
	got := p.must(200, "GET", "/v1/instances/"+id, adminToken, nil)
	switch got["status"] {
	case "created", "qr":
	case "disconnected":
		if got["status_reason"] == nil || got["status_reason"] == "" {
			t.Fatalf("disconnected without a reason: %v", got)
		}
		t.Logf("offline: %v", got["status_reason"])
	default:
		t.Fatalf("status = %v", got["status"])
	}
	if n := countRows(t, p, `SELECT count(*) FROM information_schema.tables WHERE table_name = 'whatsmeow_device'`); n != 1 {
		t.Fatal("whatsmeow's session tables were not created in the project's database")
	}
	if r := p.do("POST", "/v1/instances/"+id+"/logout", adminToken, nil); r.Status != 409 {
		t.Fatalf("logout of an unlinked instance = %d", r.Status)
	}
	p.must(200, "GET", "/readyz", "", nil)
}

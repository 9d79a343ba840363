package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildDemo builds cmd/zapdemo, the seeder behind `task demo`.
func buildDemo(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "zapdemo")
	build := exec.Command("go", "build", "-o", bin, "../cmd/zapdemo")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		t.Fatalf("building zapdemo: %v", err)
	}
	return bin
}

// The demo seeder, a client of the public API only, fills a fresh zapgate
// with a helpdesk a newcomer can log in to: linked instances, attendants,
// a round-robin team, canned replies and customers' attendances (a LID-only
// one among them), and it ends after -rounds messages.
func TestDemoSeedsALivingInbox(t *testing.T) {
	p := newEnv(t).start()
	bin := buildDemo(t)

	var out bytes.Buffer
	cmd := exec.Command(bin, "-url", p.base, "-token", adminToken, "-rounds", "12", "-every", "0s")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("zapdemo: %v\n%s", err, out.String())
	}
	for _, want := range []string{"ana@demo.local", "bruno@demo.local", "demo-pass-123", p.base + "/"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("zapdemo's output lacks %q:\n%s", want, out.String())
		}
	}

	// The printed login works.
	p.must(200, "POST", "/v1/auth/login", "", map[string]any{"email": "ana@demo.local", "password": "demo-pass-123"})

	instances := p.must(200, "GET", "/v1/instances", adminToken, nil)["items"].([]any)
	if len(instances) != 3 {
		t.Fatalf("instances = %d, want 3", len(instances))
	}
	for _, it := range instances {
		if in := it.(map[string]any); in["status"] != "connected" {
			t.Errorf("instance %v is %v, want connected", in["name"], in["status"])
		}
	}
	teams := p.must(200, "GET", "/v1/teams", adminToken, nil)["items"].([]any)
	if len(teams) != 1 || teams[0].(map[string]any)["routing"] != "round_robin" {
		t.Errorf("teams = %v, want one round_robin team", teams)
	}
	if n := len(p.must(200, "GET", "/v1/canned-replies", adminToken, nil)["items"].([]any)); n == 0 {
		t.Error("no canned replies")
	}

	// The first six lines are six customers' first messages: six open
	// attendances, written synchronously by the sim's inbound.
	var lid bool
	var atts []any
	eventually(t, 20*time.Second, "six open attendances", func() bool {
		atts = p.must(200, "GET", "/v1/attendances?status=open", adminToken, nil)["items"].([]any)
		return len(atts) == 6
	})
	for _, a := range atts {
		c := a.(map[string]any)["client"].(map[string]any)
		if c["lid"] != "" && c["phone"] == "" {
			lid = true
		}
	}
	if !lid {
		t.Errorf("no LID-only client among %v", atts)
	}
}

// Left running, the seeder plays the customers' phones: what an attendant
// answers is delivered and then read; Ctrl-C (SIGINT) stops it cleanly.
func TestDemoAcknowledgesRepliesAndStopsOnInterrupt(t *testing.T) {
	p := newEnv(t).start()
	bin := buildDemo(t)

	var out logBuffer
	cmd := exec.Command(bin, "-url", p.base, "-token", adminToken, "-every", "200ms")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-done
	})

	var aid, iid string
	eventually(t, 60*time.Second, "an attendance opened by the demo", func() bool {
		atts := p.must(200, "GET", "/v1/attendances?status=open", adminToken, nil)["items"].([]any)
		if len(atts) == 0 {
			return false
		}
		a := atts[0].(map[string]any)
		aid, iid = a["id"].(string), a["instance_id"].(string)
		return true
	})
	reply := p.must(202, "POST", "/v1/attendances/"+aid+"/messages", adminToken, map[string]any{"type": "text", "text": "Olá! Já vou verificar."})
	mid := reply["id"].(string)
	eventually(t, 60*time.Second, "the reply read by the customer", func() bool {
		return p.must(200, "GET", "/v1/instances/"+iid+"/messages/"+mid, adminToken, nil)["status"] == "read"
	})

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		done <- err // for the cleanup
		if err != nil {
			t.Fatalf("zapdemo after SIGINT: %v\n%s", err, out.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("zapdemo did not stop on SIGINT:\n%s", out.String())
	}
}

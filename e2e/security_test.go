package e2e

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

// TestTenantIsolation: an instance token reaches nothing of another
// instance, attendants reach attendance routes only, and admin-only routes
// (event log, sim, instance admin) refuse everyone else — always as 404.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	a, tokenA := p.linkedInstance("a", "5511900000050")
	b, tokenB := p.linkedInstance("b", "5511900000051")
	msg := p.must(202, "POST", "/v1/instances/"+b+"/messages", tokenB, map[string]any{"to": "5511999998888", "type": "text", "text": "b's"})
	hook := p.must(201, "POST", "/v1/instances/"+b+"/send-hooks", tokenB, map[string]any{"name": "h"})
	wh := p.must(201, "POST", "/v1/instances/"+b+"/webhooks", tokenB, map[string]any{"url": "http://127.0.0.1:9/x"})
	p.must(201, "POST", "/v1/attendants", adminToken, map[string]any{"name": "At", "email": "at@example.com", "password": "password-1"})
	attendant := p.must(200, "POST", "/v1/auth/login", "", map[string]any{"email": "at@example.com", "password": "password-1"})["token"].(string)
	mid, hid, wid := msg["id"].(string), hook["id"].(string), wh["id"].(string)
	ib := "/v1/instances/" + b
	instanceRoutes := []struct{ method, path string }{
		{"GET", ib}, {"PATCH", ib}, {"DELETE", ib}, {"GET", ib + "/qr"}, {"POST", ib + "/pair-code"}, {"POST", ib + "/logout"},
		{"POST", ib + "/messages"}, {"GET", ib + "/messages"}, {"GET", ib + "/messages/" + mid}, {"DELETE", ib + "/messages/" + mid},
		{"GET", ib + "/messages/" + mid + "/media"}, {"POST", ib + "/send-hooks"}, {"GET", ib + "/send-hooks"},
		{"DELETE", ib + "/send-hooks/" + hid}, {"POST", ib + "/webhooks"}, {"GET", ib + "/webhooks"}, {"DELETE", ib + "/webhooks/" + wid},
		{"GET", ib + "/webhooks/" + wid + "/deliveries"}, {"POST", ib + "/webhooks/" + wid + "/deliveries/" + mid + "/redeliver"},
	}
	adminRoutes := []struct{ method, path string }{
		{"GET", "/v1/instances"}, {"POST", "/v1/instances"}, {"GET", "/v1/events"}, {"POST", "/v1/events/replay"},
		{"POST", "/v1/attendants"}, {"GET", "/v1/feedback/summary"}, {"GET", "/v1/sim/stats"},
		{"POST", "/v1/sim/instances/" + a + "/scan"}, {"GET", "/v1/sim/instances/" + a + "/sent"},
		{"POST", "/v1/sim/instances/" + a + "/inbound"}, {"POST", "/v1/sim/instances/" + a + "/receipts"},
		{"POST", "/v1/sim/instances/" + a + "/faults"},
	}
	attendanceRoutes := []struct{ method, path string }{
		{"GET", "/v1/attendances"}, {"GET", "/v1/attendants"},
	}
	check := func(who, token string, routes []struct{ method, path string }) {
		for _, r := range routes {
			if got := p.do(r.method, r.path, token, map[string]any{}); got.Status != 404 {
				t.Errorf("%s: %s %s = %d %s", who, r.method, r.path, got.Status, got.Body)
			}
		}
	}
	check("instance A on B", tokenA, instanceRoutes)
	check("attendant on instances", attendant, instanceRoutes)
	check("instance A on admin routes", tokenA, adminRoutes)
	check("attendant on admin routes", attendant, adminRoutes)
	check("instance A on attendance routes", tokenA, attendanceRoutes)
	// Nothing of B changed.
	if got := p.must(200, "GET", ib+"/messages/"+mid, tokenB, nil); got["status"] == "canceled" {
		t.Fatal("A canceled B's message")
	}
	if n := len(p.must(200, "GET", ib+"/webhooks", tokenB, nil)["items"].([]any)); n != 1 {
		t.Fatal("A deleted B's webhook")
	}
	// The websocket: A never sees B's events.
	ws := dialFeed(t, p, "token="+tokenA, a)
	p.inbound(b, "5511988887777", "for B only", "")
	p.inbound(a, "5511988887777", "for A", "")
	evs := readEvents(t, ws, 1, "message.received")
	if evs[0]["instance_id"] != a {
		t.Fatalf("A's feed carried %v", evs[0])
	}
	// An attendant's feed carries helpdesk events only.
	aws := dialFeed(t, p, "token="+attendant, "")
	_ = aws.SetReadDeadline(time.Now().Add(3 * time.Second))
	p.inbound(a, "5511988887778", "hello helpdesk", "")
	for {
		_, data, err := aws.ReadMessage()
		if err != nil {
			t.Fatal("no attendance event reached the attendant")
		}
		s := string(data)
		if !strings.Contains(s, `"type":"attendance.`) && !strings.Contains(s, `"type":"feedback.`) {
			t.Fatalf("attendant saw %s", s)
		}
		if strings.Contains(s, `"type":"attendance.opened"`) {
			break
		}
	}
}

// TestSecretsNeverReachTheLogs runs a flow that hands out every kind of
// secret and then searches the process's logs for each.
func TestSecretsNeverReachTheLogs(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start("ZAPGATE_LOG_LEVEL=debug", "ZAPGATE_ATTENDANCE_IDLE=2s", "ZAPGATE_ATTENDANCE_SWEEP=1s")
	id, token := p.linkedInstance("s", "5511900000052")
	hook := p.must(201, "POST", "/v1/instances/"+id+"/send-hooks", token, map[string]any{"name": "h", "to": "5511999998888"})
	p.do("POST", "/hooks/"+hook["token"].(string), "", []byte("hi"), "Content-Type", "text/plain")
	rcv := newReceiver(t)
	secret := p.webhook(id, token, rcv.srv.URL)["secret"].(string)
	p.must(201, "POST", "/v1/attendants", adminToken, map[string]any{"name": "L", "email": "l@example.com", "password": "password-9"})
	session := p.must(200, "POST", "/v1/auth/login", "", map[string]any{"email": "l@example.com", "password": "password-9"})["token"].(string)
	p.do("POST", "/v1/auth/login", "", map[string]any{"email": "l@example.com", "password": "wrong-password"})
	// Nobody answers this attendance: ask for feedback anyway, so the link
	// (a secret) is made.
	p.must(200, "PATCH", "/v1/instances/"+id, adminToken, map[string]any{"feedback_when_unanswered": true})
	p.inbound(id, "5511988887777", "hello", "")
	var feedback string
	eventually(t, 30*time.Second, "a feedback link", func() bool {
		for _, it := range p.must(200, "GET", "/v1/sim/instances/"+id+"/sent", adminToken, nil)["items"].([]any) {
			if m := feedbackLink.FindStringSubmatch(it.(map[string]any)["text"].(string)); m != nil {
				feedback = m[1]
			}
		}
		return feedback != ""
	})
	p.do("GET", "/v1/instances/"+id, "zgi_not-a-real-token", nil)
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	logs := p.logs.String()
	secrets := map[string]string{"admin token": adminToken, "instance token": token, "send-hook token": hook["token"].(string),
		"webhook secret": secret, "session token": session, "feedback token": feedback, "password": "password-9"}
	for what, s := range secrets {
		if strings.Contains(logs, s) || strings.Contains(logs, strings.TrimPrefix(s, "whsec_")) {
			t.Errorf("the %s appears in the logs", what)
		}
	}
	if !regexp.MustCompile(`"level":"(INFO|DEBUG)"`).MatchString(logs) {
		t.Fatal("no logs captured: the check proves nothing")
	}
}

func TestPrivateWebhookTargetsRefused(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start("ZAPGATE_WEBHOOK_DENY_PRIVATE=true")
	id, token := p.linkedInstance("s", "5511900000053")
	for _, url := range []string{"http://127.0.0.1:8080/x", "http://localhost/x", "http://169.254.169.254/latest/meta-data",
		"http://10.0.0.1/", "http://[::1]:80/", "http://192.168.1.10/hook", "http://0.0.0.0/"} {
		r := p.do("POST", "/v1/instances/"+id+"/webhooks", token, map[string]any{"url": url})
		if r.Status != 400 {
			t.Errorf("%s = %d %s", url, r.Status, r.Body)
		}
	}
}

func TestLimits(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("s", "5511900000054")
	big := fmt.Sprintf(`{"name":"%s"}`, strings.Repeat("x", 2<<20))
	if r := p.do("POST", "/v1/instances", adminToken, big); r.Status != 413 || r.ErrorCode(t) != "body_too_large" {
		t.Fatalf("2 MiB instance body = %d %s", r.Status, r.Body)
	}
	if r := p.do("POST", "/v1/instances/"+id+"/webhooks", token, fmt.Sprintf(`{"url":"http://x/%s"}`, strings.Repeat("y", 2<<20))); r.Status != 413 {
		t.Fatalf("2 MiB webhook body = %d", r.Status)
	}
	// Websockets per token are capped.
	url := strings.Replace(p.base, "http://", "ws://", 1) + "/v1/ws?token=" + token
	var conns []*websocket.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range 20 {
		c, _, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
	}
	extra, _, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer extra.Close()
	_ = extra.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, _, err = extra.ReadMessage()
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Code != 4029 {
		t.Fatalf("21st websocket: %v", err)
	}
}

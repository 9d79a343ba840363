package e2e

import (
	"bytes"
	"encoding/base64"
	"image/png"
	"testing"
	"time"
)

func TestQRScanReceiptsFaultsLogout(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	in := p.must(201, "POST", "/v1/instances", adminToken, map[string]any{"name": "sales"})
	id, token := in["id"].(string), in["token"].(string)

	// The QR is available as JSON and as a PNG once the session starts.
	var qr map[string]any
	eventually(t, 20*time.Second, "a QR code", func() bool {
		r := p.do("GET", "/v1/instances/"+id+"/qr", token, nil)
		if r.Status == 409 && r.ErrorCode(t) == "qr_unavailable" {
			return false
		}
		if r.Status != 200 {
			t.Fatalf("qr = %d %s", r.Status, r.Body)
		}
		qr = r.JSON(t)
		return true
	})
	raw, err := base64.StdEncoding.DecodeString(qr["png_base64"].(string))
	if err != nil || qr["code"] == "" || qr["expires_at"] == nil {
		t.Fatalf("qr json = %v", qr)
	}
	if _, err := png.Decode(bytes.NewReader(raw)); err != nil {
		t.Fatalf("png_base64 is not a PNG: %v", err)
	}
	r := p.do("GET", "/v1/instances/"+id+"/qr", token, nil, "Accept", "image/png")
	if r.Status != 200 || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("qr png = %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	if _, err := png.Decode(bytes.NewReader(r.Body)); err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	if code := p.must(200, "POST", "/v1/instances/"+id+"/pair-code", token, map[string]any{"phone": "5511900000001"})["code"]; len(code.(string)) != 9 {
		t.Fatalf("pair code = %v", code)
	}
	p.must(409, "POST", "/v1/instances/"+id+"/logout", token, nil)

	p.must(200, "POST", "/v1/sim/instances/"+id+"/scan", adminToken, map[string]any{"phone": "5511900000001"})
	got := p.must(200, "GET", "/v1/instances/"+id, token, nil)
	if got["status"] != "connected" || got["phone"] != "5511900000001" {
		t.Fatalf("after scan = %v", got)
	}
	if r := p.do("GET", "/v1/instances/"+id+"/qr", token, nil); r.Status != 409 || r.ErrorCode(t) != "already_connected" {
		t.Fatalf("qr when connected = %d %s", r.Status, r.Body)
	}

	// Receipts move a message forward and never back.
	m := p.must(202, "POST", "/v1/instances/"+id+"/messages", token, map[string]any{"to": "5511999998888", "type": "text", "text": "hi"})
	mid := m["id"].(string)
	var sent map[string]any
	eventually(t, 30*time.Second, "sent", func() bool {
		sent = p.must(200, "GET", "/v1/instances/"+id+"/messages/"+mid, token, nil)
		return sent["status"] == "sent"
	})
	wa := sent["wa_message_id"].(string)
	p.must(200, "POST", "/v1/sim/instances/"+id+"/receipts", adminToken, map[string]any{"wa_message_id": wa, "status": "delivered"})
	if s := p.must(200, "GET", "/v1/instances/"+id+"/messages/"+mid, token, nil); s["status"] != "delivered" || s["delivered_at"] == nil {
		t.Fatalf("after delivered = %v", s)
	}
	p.must(200, "POST", "/v1/sim/instances/"+id+"/receipts", adminToken, map[string]any{"wa_message_id": wa, "status": "read"})
	p.must(200, "POST", "/v1/sim/instances/"+id+"/receipts", adminToken, map[string]any{"wa_message_id": wa, "status": "delivered"})
	if s := p.must(200, "GET", "/v1/instances/"+id+"/messages/"+mid, token, nil); s["status"] != "read" || s["read_at"] == nil {
		t.Fatalf("a late delivered moved read back: %v", s)
	}
	p.must(404, "POST", "/v1/sim/instances/"+id+"/receipts", adminToken, map[string]any{"wa_message_id": "3EB0NOPE", "status": "read"})

	// A transient fault is retried until the send goes through.
	p.must(200, "POST", "/v1/sim/instances/"+id+"/faults", adminToken, map[string]any{"send_error": "transient"})
	m2 := p.must(202, "POST", "/v1/instances/"+id+"/messages", token, map[string]any{"to": "5511999998888", "type": "text", "text": "retry me"})
	// Tried and failed a few times, and still waiting for another try.
	eventually(t, 30*time.Second, "three failed attempts", func() bool {
		return p.logLines(`"msg":"send failed, will retry"`, `"message":"`+m2["id"].(string)+`"`) >= 3
	})
	if s := p.must(200, "GET", "/v1/instances/"+id+"/messages/"+m2["id"].(string), token, nil); s["status"] != "queued" {
		t.Fatalf("during a transient fault = %v", s["status"])
	}
	p.must(200, "POST", "/v1/sim/instances/"+id+"/faults", adminToken, map[string]any{"send_error": "none"})
	eventually(t, 30*time.Second, "sent after the fault", func() bool {
		return p.must(200, "GET", "/v1/instances/"+id+"/messages/"+m2["id"].(string), token, nil)["status"] == "sent"
	})
	// A permanent fault fails the message with its reason.
	p.must(200, "POST", "/v1/sim/instances/"+id+"/faults", adminToken, map[string]any{"send_error": "permanent"})
	m3 := p.must(202, "POST", "/v1/instances/"+id+"/messages", token, map[string]any{"to": "5511999998888", "type": "text", "text": "doomed"})
	var failed map[string]any
	eventually(t, 30*time.Second, "failed", func() bool {
		failed = p.must(200, "GET", "/v1/instances/"+id+"/messages/"+m3["id"].(string), token, nil)
		return failed["status"] == "failed"
	})
	if failed["error"] == "" {
		t.Fatal("failed without a reason")
	}
	p.must(200, "POST", "/v1/sim/instances/"+id+"/faults", adminToken, map[string]any{"send_error": "none"})

	// A dropped connection comes back by itself.
	p.must(200, "POST", "/v1/sim/instances/"+id+"/faults", adminToken, map[string]any{"disconnect": true})
	if s := p.must(200, "GET", "/v1/instances/"+id, token, nil)["status"]; s != "disconnected" {
		t.Fatalf("after disconnect = %v", s)
	}
	eventually(t, 20*time.Second, "reconnected", func() bool {
		return p.must(200, "GET", "/v1/instances/"+id, token, nil)["status"] == "connected"
	})
	n := len(p.must(200, "GET", "/v1/sim/instances/"+id+"/sent", adminToken, nil)["items"].([]any))
	if n != 2 {
		t.Fatalf("sim accepted %d sends, want 2", n)
	}

	// Logout unlinks; a second logout is refused; a new QR round can start.
	cmd, _ := p.must(202, "POST", "/v1/instances/"+id+"/logout", token, nil)["command_id"].(string)
	if cmd == "" {
		t.Fatal("no command id")
	}
	eventually(t, 20*time.Second, "logged out", func() bool {
		return p.must(200, "GET", "/v1/instances/"+id, token, nil)["status"] == "logged_out"
	})
	// The logout is a command: its row ended with the status change.
	if c := p.must(200, "GET", "/v1/instances/"+id+"/commands/"+cmd, token, nil); c["status"] != "done" || c["type"] != "logout_instance" {
		t.Fatalf("logout command %v, want done", c)
	}
	if r := p.do("POST", "/v1/instances/"+id+"/logout", token, nil); r.Status != 409 || r.ErrorCode(t) != "not_connected" {
		t.Fatalf("second logout = %d %s", r.Status, r.Body)
	}
	eventually(t, 20*time.Second, "a new QR round", func() bool {
		return p.do("GET", "/v1/instances/"+id+"/qr", token, nil).Status == 200
	})
	p.must(204, "DELETE", "/v1/instances/"+id, adminToken, nil)
	p.must(404, "GET", "/v1/instances/"+id, adminToken, nil)
	// History stays with the messages table; the instance is gone.
}

package e2e

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestNULIsRefusedOnEveryRoute: Postgres refuses NUL (and invalid UTF-8)
// in text, which used to surface as a 500 (or a text cut at the NUL). Every
// route answers 400 naming the field, and nothing is stored.
func TestNULIsRefusedOnEveryRoute(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("sales", "5511900000201")
	hook := p.must(201, "POST", "/v1/instances/"+id+"/send-hooks", token, map[string]any{"name": "ci", "to": "5511999998888"})
	hookPath := strings.TrimPrefix(hook["url"].(string), p.base)
	p.must(201, "POST", "/v1/attendants", adminToken, map[string]any{"name": "Ana", "email": "ana@example.com", "password": "s3cret-pass"})
	att := p.must(200, "POST", "/v1/auth/login", "", map[string]any{"email": "ana@example.com", "password": "s3cret-pass"})["token"].(string)
	p.inbound(id, "5511988887777", "hi", "WA-NUL-1")
	var aid string
	eventually(t, 20*time.Second, "an open attendance", func() bool {
		if items := p.must(200, "GET", "/v1/attendances?status=open", att, nil)["items"].([]any); len(items) == 1 {
			aid = items[0].(map[string]any)["id"].(string)
		}
		return aid != ""
	})
	// Nobody answered: the instance asks for feedback anyway.
	p.must(200, "PATCH", "/v1/instances/"+id, adminToken, map[string]any{"feedback_when_unanswered": true})
	p.must(200, "POST", "/v1/attendances/"+aid+"/close", att, nil)
	var feedback string
	eventually(t, 20*time.Second, "the feedback link sent", func() bool {
		for _, it := range p.must(200, "GET", "/v1/sim/instances/"+id+"/sent", adminToken, nil)["items"].([]any) {
			if m := feedbackLink.FindStringSubmatch(it.(map[string]any)["text"].(string)); m != nil {
				feedback = m[1]
			}
		}
		return feedback != ""
	})
	p.inbound(id, "5511988887777", "again", "WA-NUL-2")
	var open string
	eventually(t, 20*time.Second, "a second open attendance", func() bool {
		if items := p.must(200, "GET", "/v1/attendances?status=open", att, nil)["items"].([]any); len(items) == 1 {
			open = items[0].(map[string]any)["id"].(string)
		}
		return open != ""
	})

	fresh := p.must(201, "POST", "/v1/instances", adminToken, map[string]any{"name": "unlinked"})["id"].(string)
	const nul = "a\x00b"
	msgs := "/v1/instances/" + id + "/messages"
	png := b64(pngFile)
	text := func(k, v string) map[string]any {
		m := map[string]any{"to": "5511999998888", "type": "text", "text": "hello"}
		m[k] = v
		return m
	}
	image := func(caption, filename string) map[string]any {
		return map[string]any{"to": "5511999998888", "type": "image", "caption": caption,
			"media": map[string]any{"data": png, "filename": filename}}
	}
	tests := []struct {
		name, method, path, token string
		body                      any
		headers                   []string
		field                     string
	}{
		{"message text", "POST", msgs, token, text("text", nul), nil, "text"},
		{"message to", "POST", msgs, token, text("to", "55119999\x008888"), nil, "to"},
		{"message type", "POST", msgs, token, text("type", "te\x00xt"), nil, "type"},
		{"message caption", "POST", msgs, token, image(nul, "a.png"), nil, "caption"},
		{"message file name", "POST", msgs, token, image("menu", "a\x00.png"), nil, "media.filename"},
		{"message mime", "POST", msgs, token, map[string]any{"to": "5511999998888", "type": "image",
			"media": map[string]any{"data": png, "mime": "image/\x00png"}}, nil, "media.mime"},
		{"message send_at", "POST", msgs, token, text("send_at", "2026-12-01T12:00:00Z\x00"), nil, "send_at"},
		{"message list status", "GET", msgs + "?status=" + url.QueryEscape(nul), token, nil, nil, "status"},
		{"message list invalid UTF-8", "GET", msgs + "?direction=%ff", token, nil, nil, "direction"},
		{"instance name", "POST", "/v1/instances", adminToken, map[string]any{"name": nul}, nil, "name"},
		{"instance rename", "PATCH", "/v1/instances/" + id, adminToken, map[string]any{"name": nul}, nil, "name"},
		{"pair-code phone", "POST", "/v1/instances/" + fresh + "/pair-code", adminToken, map[string]any{"phone": "5511\x00"}, nil, "phone"},
		{"send-hook name", "POST", "/v1/instances/" + id + "/send-hooks", token, map[string]any{"name": nul}, nil, "name"},
		{"send-hook to", "POST", "/v1/instances/" + id + "/send-hooks", token, map[string]any{"name": "x", "to": "5511\x00"}, nil, "to"},
		{"send-hook format", "POST", "/v1/instances/" + id + "/send-hooks", token, map[string]any{"name": "x", "format": "auto\x00"}, nil, "format"},
		{"hook JSON text", "POST", hookPath, "", map[string]any{"text": nul}, nil, "text"},
		{"hook JSON to", "POST", hookPath, "", map[string]any{"text": "x", "to": "5511\x00"}, nil, "to"},
		{"hook text/plain", "POST", hookPath, "", []byte(nul), []string{"Content-Type", "text/plain"}, "text"},
		{"hook text/plain invalid UTF-8", "POST", hookPath, "", []byte("a\xffb"), []string{"Content-Type", "text/plain"}, "text"},
		{"hook ?to", "POST", hookPath + "?to=" + url.QueryEscape("5511\x00"), "", []byte("x"), []string{"Content-Type", "text/plain"}, "to"},
		{"webhook url", "POST", "/v1/instances/" + id + "/webhooks", token, map[string]any{"url": "http://example.com/" + nul}, nil, "url"},
		{"webhook events", "POST", "/v1/instances/" + id + "/webhooks", token, map[string]any{"url": "http://example.com/", "events": []string{nul}}, nil, "events"},
		{"attendant name", "POST", "/v1/attendants", adminToken, map[string]any{"name": nul, "email": "b@example.com", "password": "s3cret-pass"}, nil, "name"},
		{"attendant email", "POST", "/v1/attendants", adminToken, map[string]any{"name": "B", "email": "b\x00@example.com", "password": "s3cret-pass"}, nil, "email"},
		{"attendant password", "POST", "/v1/attendants", adminToken, map[string]any{"name": "B", "email": "b@example.com", "password": "s3cret\x00pass"}, nil, "password"},
		{"login email", "POST", "/v1/auth/login", "", map[string]any{"email": "ana\x00@example.com", "password": "s3cret-pass"}, nil, "email"},
		{"login password", "POST", "/v1/auth/login", "", map[string]any{"email": "ana@example.com", "password": "s3cret\x00pass"}, nil, "password"},
		{"attendance reply text", "POST", "/v1/attendances/" + open + "/messages", att, map[string]any{"type": "text", "text": nul}, nil, "text"},
		{"attendance assign", "POST", "/v1/attendances/" + open + "/assign", att, map[string]any{"attendant_id": nul}, nil, "attendant_id"},
		{"attendance list instance", "GET", "/v1/attendances?instance=" + url.QueryEscape(nul), att, nil, nil, "instance"},
		{"feedback comment", "POST", "/v1/feedback/" + feedback, "", map[string]any{"rating": 5, "comment": nul}, nil, "comment"},
		{"events type", "GET", "/v1/events?type=" + url.QueryEscape(nul), adminToken, nil, nil, "type"},
		{"replay types", "POST", "/v1/events/replay", adminToken, map[string]any{"types": []string{nul}}, nil, "types"},
		{"replay target", "POST", "/v1/events/replay", adminToken, map[string]any{"target": nul}, nil, "target"},
		{"sim scan phone", "POST", "/v1/sim/instances/" + id + "/scan", adminToken, map[string]any{"phone": "5511\x00"}, nil, "phone"},
		{"sim faults", "POST", "/v1/sim/instances/" + id + "/faults", adminToken, map[string]any{"send_error": nul}, nil, "send_error"},
		{"sim receipt id", "POST", "/v1/sim/instances/" + id + "/receipts", adminToken, map[string]any{"wa_message_id": nul, "status": "read"}, nil, "wa_message_id"},
		{"sim inbound from", "POST", "/v1/sim/instances/" + id + "/inbound", adminToken, map[string]any{"from": "5511\x00", "text": "x"}, nil, "from"},
		{"sim inbound wa_message_id", "POST", "/v1/sim/instances/" + id + "/inbound", adminToken, map[string]any{"from": "5511988887777", "text": "x", "wa_message_id": nul}, nil, "wa_message_id"},
		{"sim inbound group", "POST", "/v1/sim/instances/" + id + "/inbound", adminToken, map[string]any{"from": "5511988887777", "text": "x", "group": nul}, nil, "group"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := p.do(tt.method, tt.path, tt.token, tt.body, tt.headers...)
			if r.Status != 400 {
				t.Fatalf("status = %d, want 400: %.300s", r.Status, r.Body)
			}
			fields, _ := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)
			if fields[tt.field] == nil {
				t.Fatalf("no reason for %q in %s", tt.field, r.Body)
			}
		})
	}
	// Nothing above was stored: the only messages are the two inbound, the
	// feedback link and no send.
	if n := countRows(t, p, `SELECT count(*) FROM messages WHERE direction = 'out' AND body NOT LIKE '%/feedback/%'`); n != 0 {
		t.Fatalf("%d messages stored by refused requests", n)
	}
}

// TestInboundNULIsStoredWithoutIt: what WhatsApp delivers is never refused;
// NUL is removed and invalid UTF-8 repaired, in text, caption, push name and
// file name.
func TestInboundNULIsStoredWithoutIt(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("sales", "5511900000202")
	p.must(201, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{
		"from": "5511988887777", "push_name": "A\x00na", "text": "hel\x00lo", "wa_message_id": "WA-IN-1"})
	raw := `{"from":"5511988887777","type":"document","caption":"c\u0000v","wa_message_id":"WA-IN-2",` +
		`"media":{"data":"` + b64(pdfFile) + `","filename":"cv\u0000.pdf"}}`
	p.must(201, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, raw)
	items := p.must(200, "GET", "/v1/instances/"+id+"/messages?direction=in", token, nil)["items"].([]any)
	if len(items) != 2 {
		t.Fatalf("%d incoming messages, want 2", len(items))
	}
	doc, txt := items[0].(map[string]any), items[1].(map[string]any)
	if txt["text"] != "hello" || doc["caption"] != "cv" || doc["media"].(map[string]any)["filename"] != "cv.pdf" {
		t.Fatalf("stored text %q, caption %q, media %v", txt["text"], doc["caption"], doc["media"])
	}
	if n := countRows(t, p, `SELECT count(*) FROM messages WHERE push_name = 'Ana'`); n != 1 {
		t.Fatalf("push name stored %d times as Ana, want 1", n)
	}
}

// TestOversizedBodyGetsA413TheClientReads: a body over the limit used to be
// answered by closing the connection before reading it, so Go's http.Client,
// still writing, saw "broken pipe" and never the 413. Now the answer is read
// whatever the client does: announced length, chunked, media or not.
func TestOversizedBodyGetsA413TheClientReads(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("sales", "5511900000203")
	media := func(n int) []byte {
		b, _ := json.Marshal(map[string]any{"to": "5511999998888", "type": "document",
			"media": map[string]any{"data": base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{'x'}, n))}})
		return b
	}
	big := media(17 << 20)
	tests := []struct {
		name, path string
		body       []byte
		chunked    bool
		code       string
	}{
		{"17 MiB media", "/v1/instances/" + id + "/messages", big, false, "media_too_large"},
		{"17 MiB media, chunked", "/v1/instances/" + id + "/messages", big, true, "media_too_large"},
		{"over the global limit on a small route", "/v1/instances", bytes.Repeat([]byte{' '}, 30<<20), false, "body_too_large"},
		{"over 1 MiB on a small route", "/v1/instances", bytes.Repeat([]byte{' '}, 2<<20), false, "body_too_large"},
		{"over 1 MiB on a small route, chunked", "/v1/instances", bytes.Repeat([]byte{' '}, 2<<20), true, "body_too_large"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader = bytes.NewReader(tt.body)
			if tt.chunked {
				body = io.MultiReader(body) // hides the length: sent chunked
			}
			req, err := http.NewRequest("POST", p.base+tt.path, body)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+adminToken)
			client := &http.Client{Transport: &http.Transport{}} // a fresh connection each time
			resp, err := client.Do(req)
			if err != nil {
				t.Fatalf("Do: %v (the 413 was not read)", err)
			}
			defer resp.Body.Close()
			raw, _ := io.ReadAll(resp.Body)
			r := response{Status: resp.StatusCode, Body: raw}
			if r.Status != 413 || r.ErrorCode(t) != tt.code {
				t.Fatalf("= %d %.200s, want 413 %s", r.Status, raw, tt.code)
			}
		})
	}
	// The server still serves, and nothing was stored.
	if n := len(p.must(200, "GET", "/v1/instances/"+id+"/messages", token, nil)["items"].([]any)); n != 0 {
		t.Fatalf("%d messages stored", n)
	}
}

// TestStorageDownIsA503NamingStorage: with S3 out of reach, a media send
// answers 503 saying storage is unavailable (it used to blame "database or
// broker"); text, which needs no storage, still goes.
func TestStorageDownIsA503NamingStorage(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "http://" + l.Addr().String()
	l.Close() // nothing listens there: connections are refused
	p := newEnv(t).start("ZAPGATE_STORAGE=s3://zapgate", "ZAPGATE_S3_ENDPOINT="+endpoint,
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_REGION=us-east-1",
		"AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent")
	in := p.must(201, "POST", "/v1/instances", adminToken, map[string]any{"name": "sales"})
	id := in["id"].(string)
	r := p.do("POST", "/v1/instances/"+id+"/messages", adminToken, map[string]any{"to": "5511999998888", "type": "image",
		"media": map[string]any{"data": b64(pngFile)}})
	if r.Status != 503 || r.ErrorCode(t) != "unavailable" {
		t.Fatalf("image with storage down = %d %s, want 503 unavailable", r.Status, r.Body)
	}
	if msg := r.JSON(t)["error"].(map[string]any)["message"].(string); !strings.Contains(msg, "storage") || strings.Contains(msg, "database") {
		t.Fatalf("message %q does not name storage", msg)
	}
	p.must(202, "POST", "/v1/instances/"+id+"/messages", adminToken, map[string]any{"to": "5511999998888", "type": "text", "text": "hi"})
}

// TestIdempotencyKeyReusedForAnotherBody: the same key with the same body is
// the first message, nothing new queued; with another body it is 422
// idempotency_key_reused instead of silently the first message.
func TestIdempotencyKeyReusedForAnotherBody(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("sales", "5511900000204")
	msgs := "/v1/instances/" + id + "/messages"
	body := map[string]any{"to": "5511999998888", "type": "text", "text": "invoice 42"}
	first := p.must(202, "POST", msgs, token, body, "Idempotency-Key", "inv-42")
	again := p.must(200, "POST", msgs, token, body, "Idempotency-Key", "inv-42")
	if again["id"] != first["id"] {
		t.Fatalf("repeat id %v, want %v", again["id"], first["id"])
	}
	for name, other := range map[string]map[string]any{
		"other text":      {"to": "5511999998888", "type": "text", "text": "invoice 43"},
		"other recipient": {"to": "5511999997777", "type": "text", "text": "invoice 42"},
		"scheduled":       {"to": "5511999998888", "type": "text", "text": "invoice 42", "send_at": time.Now().Add(time.Hour).UTC().Format(time.RFC3339)},
		"image":           {"to": "5511999998888", "type": "image", "media": map[string]any{"data": b64(pngFile)}},
	} {
		r := p.do("POST", msgs, token, other, "Idempotency-Key", "inv-42")
		if r.Status != 422 || r.ErrorCode(t) != "idempotency_key_reused" {
			t.Fatalf("%s with a used key = %d %s, want 422 idempotency_key_reused", name, r.Status, r.Body)
		}
	}
	if n := countRows(t, p, fmt.Sprintf(`SELECT count(*) FROM messages WHERE instance_id = '%s'`, id)); n != 1 {
		t.Fatalf("%d messages stored, want 1", n)
	}
	eventually(t, 30*time.Second, "the first message sent", func() bool {
		return p.must(200, "GET", msgs+"/"+first["id"].(string), token, nil)["status"] == "sent"
	})
	if n := len(p.must(200, "GET", "/v1/sim/instances/"+id+"/sent", adminToken, nil)["items"].([]any)); n != 1 {
		t.Fatalf("the sim got %d sends, want 1", n)
	}
}

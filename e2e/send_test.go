package e2e

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// Small but real file headers: the server sniffs their content.
var (
	pngFile  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), []byte(strings.Repeat("p", 64))...)
	oggFile  = append([]byte("OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x13OpusHead"), []byte(strings.Repeat("o", 64))...)
	mp4File  = append([]byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), []byte(strings.Repeat("v", 64))...)
	pdfFile  = []byte("%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n")
	b64      = base64.StdEncoding.EncodeToString
	sha256of = func(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
)

func TestSendEveryTypeEndToEnd(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	idA, tokenA := p.linkedInstance("sales", "5511900000001")
	idB, _ := p.linkedInstance("support", "5511900000002")

	type sent struct {
		id, wa, typ, sha, mime, filename, caption, text string
	}
	var want []sent
	for _, inst := range []struct{ id, token string }{{idA, tokenA}, {idB, adminToken}} {
		reqs := []struct {
			body map[string]any
			file []byte
			mime string
		}{
			{map[string]any{"to": "+5511999998888", "type": "text", "text": "hello from " + inst.id}, nil, ""},
			{map[string]any{"to": "5511999998888", "type": "image", "caption": "our menu",
				"media": map[string]any{"data": "data:image/png;base64," + b64(pngFile), "filename": "menu.png"}}, pngFile, "image/png"},
			{map[string]any{"to": "5511999998888", "type": "audio",
				"media": map[string]any{"data": b64(oggFile), "mime": "audio/ogg; codecs=opus"}}, oggFile, "audio/ogg"},
			{map[string]any{"to": "5511999998888", "type": "video", "caption": "clip",
				"media": map[string]any{"data": b64(mp4File), "filename": "clip.mp4"}}, mp4File, "video/mp4"},
			{map[string]any{"to": "5511999998888", "type": "document", "caption": "invoice",
				"media": map[string]any{"data": b64(pdfFile), "mime": "application/pdf", "filename": "invoice.pdf"}}, pdfFile, "application/pdf"},
		}
		for _, r := range reqs {
			m := p.must(202, "POST", "/v1/instances/"+inst.id+"/messages", inst.token, r.body)
			if m["status"] != "queued" || m["id"] == "" || m["type"] != r.body["type"] || m["to"] != "5511999998888" {
				t.Fatalf("accepted message = %v", m)
			}
			s := sent{id: m["id"].(string), typ: r.body["type"].(string), mime: r.mime}
			if r.file != nil {
				media := m["media"].(map[string]any)
				s.sha = sha256of(r.file)
				if media["sha256"] != s.sha || media["mime"] != r.mime || int(media["size"].(float64)) != len(r.file) {
					t.Fatalf("media = %v, want sha %s mime %s", media, s.sha, r.mime)
				}
				s.filename, _ = r.body["media"].(map[string]any)["filename"].(string)
				s.caption, _ = r.body["caption"].(string)
			} else {
				s.text = r.body["text"].(string)
			}
			want = append(want, s)
		}
	}
	// Every message reaches "WhatsApp" and is marked sent.
	for i, s := range want {
		inst := idA
		if i >= 5 {
			inst = idB
		}
		var got map[string]any
		eventually(t, 30*time.Second, "message "+s.id+" sent", func() bool {
			got = p.must(200, "GET", "/v1/instances/"+inst+"/messages/"+s.id, adminToken, nil)
			return got["status"] == "sent"
		})
		if got["sent_at"] == nil || got["wa_message_id"] == "" {
			t.Fatalf("sent message = %v", got)
		}
		want[i].wa = got["wa_message_id"].(string)
	}
	for _, inst := range []struct {
		id   string
		want []sent
	}{{idA, want[:5]}, {idB, want[5:]}} {
		items := p.must(200, "GET", "/v1/sim/instances/"+inst.id+"/sent", adminToken, nil)["items"].([]any)
		if len(items) != len(inst.want) {
			t.Fatalf("sim got %d sends, want %d: %v", len(items), len(inst.want), items)
		}
		for i, it := range items {
			got, w := it.(map[string]any), inst.want[i]
			if got["wa_message_id"] != w.wa || got["type"] != w.typ || got["sha256"] != w.sha ||
				got["mime"] != w.mime || got["filename"] != w.filename || got["caption"] != w.caption || got["text"] != w.text {
				t.Errorf("sim send %d = %v, want %+v", i, got, w)
			}
		}
	}
	stats := p.must(200, "GET", "/v1/sim/stats", adminToken, nil)
	if stats["sent"] != float64(10) || stats["distinct"] != float64(10) || stats["instances"] != float64(2) {
		t.Fatalf("stats = %v", stats)
	}
	// The stored media can be fetched back.
	r := p.do("GET", "/v1/instances/"+idA+"/messages/"+want[1].id+"/media", tokenA, nil)
	if r.Status != 200 || string(r.Body) != string(pngFile) || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("media download = %d %q", r.Status, r.Header.Get("Content-Type"))
	}
	// Lists page newest first.
	page := p.must(200, "GET", "/v1/instances/"+idA+"/messages?limit=2", tokenA, nil)
	items := page["items"].([]any)
	if len(items) != 2 || items[0].(map[string]any)["id"] != want[4].id || page["next"] == "" {
		t.Fatalf("first page = %v", page)
	}
	seen := map[string]bool{}
	cursor := ""
	for range 10 {
		pg := p.must(200, "GET", "/v1/instances/"+idA+"/messages?limit=2&cursor="+cursor, tokenA, nil)
		for _, it := range pg["items"].([]any) {
			seen[it.(map[string]any)["id"].(string)] = true
		}
		if cursor = pg["next"].(string); cursor == "" {
			break
		}
	}
	if len(seen) != 5 {
		t.Fatalf("paging saw %d messages, want 5", len(seen))
	}
	if n := len(p.must(200, "GET", "/v1/instances/"+idA+"/messages?direction=out&status=sent", tokenA, nil)["items"].([]any)); n != 5 {
		t.Fatalf("filtered list = %d", n)
	}
}

func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("sales", "5511900000003")
	body := map[string]any{"to": "5511999998888", "type": "text", "text": "only once"}
	// Concurrent requests with one key make one message.
	var wg sync.WaitGroup
	ids := make([]string, 10)
	codes := make([]int, 10)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := p.do("POST", "/v1/instances/"+id+"/messages", token, body, "Idempotency-Key", "order-42")
			codes[i] = r.Status
			if r.Status == 200 || r.Status == 202 {
				ids[i] = r.JSON(t)["id"].(string)
			}
		}()
	}
	wg.Wait()
	accepted := 0
	for i := range ids {
		if ids[i] == "" || ids[i] != ids[0] {
			t.Fatalf("responses %v with ids %v", codes, ids)
		}
		if codes[i] == 202 {
			accepted++
		}
	}
	if accepted != 1 {
		t.Fatalf("%d requests were 202, want exactly 1 (others 200): %v", accepted, codes)
	}
	eventually(t, 30*time.Second, "sent", func() bool {
		return p.must(200, "GET", "/v1/instances/"+id+"/messages/"+ids[0], token, nil)["status"] == "sent"
	})
	// A later repeat still answers with the same message; a new key is a new one.
	again := p.must(200, "POST", "/v1/instances/"+id+"/messages", token, body, "Idempotency-Key", "order-42")
	if again["id"] != ids[0] || again["status"] != "sent" {
		t.Fatalf("repeat = %v", again)
	}
	p.must(202, "POST", "/v1/instances/"+id+"/messages", token, body, "Idempotency-Key", "order-43")
	eventually(t, 30*time.Second, "two sends", func() bool {
		return len(p.must(200, "GET", "/v1/sim/instances/"+id+"/sent", adminToken, nil)["items"].([]any)) == 2
	})
	// Two keys, two send commands: no repeat of a key queued another send.
	if n := sendCommands(t, p, id); n != 2 {
		t.Fatalf("%d send commands, want 2", n)
	}
	if n := len(p.must(200, "GET", "/v1/sim/instances/"+id+"/sent", adminToken, nil)["items"].([]any)); n != 2 {
		t.Fatalf("sim got %d sends, want 2", n)
	}
}

func TestBadInputIsRefusedWithItsCode(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("sales", "5511900000004")
	other, _ := p.linkedInstance("other", "5511900000005")
	msgs := "/v1/instances/" + id + "/messages"
	tests := []struct {
		name       string
		method     string
		path       string
		token      string
		body       any
		wantStatus int
		wantCode   string
		wantField  string
	}{
		{"no token", "GET", "/v1/instances", "", nil, 401, "unauthorized", ""},
		{"bad token", "GET", "/v1/instances", "nope", nil, 401, "unauthorized", ""},
		{"instance token on admin route", "GET", "/v1/instances", token, nil, 404, "not_found", ""},
		{"instance token on another instance", "GET", "/v1/instances/" + other, token, nil, 404, "not_found", ""},
		{"instance token sends for another instance", "POST", "/v1/instances/" + other + "/messages", token,
			map[string]any{"to": "5511999998888", "type": "text", "text": "x"}, 404, "not_found", ""},
		{"instance token on sim", "GET", "/v1/sim/stats", token, nil, 404, "not_found", ""},
		{"unknown instance", "GET", "/v1/instances/0190f1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b", adminToken, nil, 404, "not_found", ""},
		{"malformed instance id", "GET", "/v1/instances/not-a-uuid", adminToken, nil, 404, "not_found", ""},
		{"unknown route", "GET", "/v1/nothing", adminToken, nil, 404, "not_found", ""},
		{"invalid JSON", "POST", msgs, token, "{not json", 400, "invalid_json", ""},
		{"empty body", "POST", msgs, token, "", 400, "invalid_json", ""},
		{"wrong type", "POST", msgs, token, `{"to": 5511999998888, "type": "text", "text": "x"}`, 400, "invalid_request", "to"},
		{"bad phone", "POST", msgs, token, map[string]any{"to": "12ab", "type": "text", "text": "x"}, 400, "invalid_request", "to"},
		{"short phone", "POST", msgs, token, map[string]any{"to": "1234567", "type": "text", "text": "x"}, 400, "invalid_request", "to"},
		{"unknown type", "POST", msgs, token, map[string]any{"to": "5511999998888", "type": "carrier_pigeon", "text": "x"}, 400, "invalid_request", "type"},
		{"empty text", "POST", msgs, token, map[string]any{"to": "5511999998888", "type": "text"}, 400, "invalid_request", "text"},
		{"media missing", "POST", msgs, token, map[string]any{"to": "5511999998888", "type": "image"}, 400, "invalid_request", "media"},
		{"media not base64", "POST", msgs, token, map[string]any{"to": "5511999998888", "type": "image",
			"media": map[string]any{"data": "%%%"}}, 400, "invalid_request", "media.data"},
		{"pdf declared as png", "POST", msgs, token, map[string]any{"to": "5511999998888", "type": "image",
			"media": map[string]any{"data": b64(pdfFile), "mime": "image/png"}}, 400, "invalid_request", "media.mime"},
		{"bad send_at", "POST", msgs, token, map[string]any{"to": "5511999998888", "type": "text", "text": "x", "send_at": "tomorrow"}, 400, "invalid_request", "send_at"},
		{"send_at over a year", "POST", msgs, token, map[string]any{"to": "5511999998888", "type": "text", "text": "x",
			"send_at": time.Now().Add(400 * 24 * time.Hour).UTC().Format(time.RFC3339)}, 400, "invalid_request", "send_at"},
		{"media over 16 MiB decoded", "POST", msgs, token, `{"to":"5511999998888","type":"document","media":{"data":"` + strings.Repeat("A", (16<<20)/3*4+400) + `"}}`, 413, "media_too_large", ""},
		{"bad limit", "GET", msgs + "?limit=0", token, nil, 400, "invalid_request", "limit"},
		{"bad cursor", "GET", msgs + "?cursor=xyz", token, nil, 400, "invalid_request", "cursor"},
		{"bad direction", "GET", msgs + "?direction=sideways", token, nil, 400, "invalid_request", "direction"},
		{"unknown message", "GET", msgs + "/0190f1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b", token, nil, 404, "not_found", ""},
		{"instance without name", "POST", "/v1/instances", adminToken, map[string]any{"name": ""}, 400, "invalid_request", "name"},
		{"instance name wrong type", "POST", "/v1/instances", adminToken, `{"name": {"deep": [1,2,3]}}`, 400, "invalid_request", "name"},
		{"scan with bad phone", "POST", "/v1/sim/instances/" + id + "/scan", adminToken, map[string]any{"phone": "x"}, 400, "invalid_request", "phone"},
		{"fault mode unknown", "POST", "/v1/sim/instances/" + id + "/faults", adminToken, map[string]any{"send_error": "sometimes"}, 400, "invalid_request", "send_error"},
		{"deep nesting", "POST", msgs, token, strings.Repeat("[", 20000) + strings.Repeat("]", 20000), 400, "invalid_json", ""},
		{"null body", "POST", msgs, token, "null", 400, "invalid_request", "to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := p.do(tt.method, tt.path, tt.token, tt.body)
			if r.Status != tt.wantStatus {
				t.Fatalf("status = %d, want %d: %.300s", r.Status, tt.wantStatus, r.Body)
			}
			if code := r.ErrorCode(t); code != tt.wantCode {
				t.Fatalf("code = %q, want %q: %.300s", code, tt.wantCode, r.Body)
			}
			if tt.wantField != "" {
				fields, _ := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)
				if fields[tt.wantField] == nil {
					t.Fatalf("no reason for %q in %s", tt.wantField, r.Body)
				}
			}
		})
	}
	// A body over the limit is refused from its headers, before it is read.
	if status, body := p.rawHeadersOnly("POST", msgs, token, 30<<20); status != 413 || !strings.Contains(body, "media_too_large") {
		t.Fatalf("oversized body = %d %s", status, body)
	}
	// Nothing above queued a message.
	if n := len(p.must(200, "GET", msgs, token, nil)["items"].([]any)); n != 0 {
		t.Fatalf("%d messages stored by bad requests", n)
	}
}

func TestInstancesLifecycleAndAccess(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	created := p.must(201, "POST", "/v1/instances", adminToken, map[string]any{"name": "sales"})
	for _, f := range []string{"id", "name", "status", "phone", "created_at", "updated_at", "token"} {
		if _, ok := created[f]; !ok {
			t.Fatalf("created instance lacks %q: %v", f, created)
		}
	}
	id, token := created["id"].(string), created["token"].(string)
	if created["status"] != "created" && created["status"] != "qr" {
		t.Fatalf("status = %v", created["status"])
	}
	got := p.must(200, "GET", "/v1/instances/"+id, token, nil)
	if _, ok := got["token"]; ok {
		t.Fatal("token shown again")
	}
	for i := range 3 {
		p.must(201, "POST", "/v1/instances", adminToken, map[string]any{"name": fmt.Sprint("n", i)})
	}
	list := p.must(200, "GET", "/v1/instances?limit=2", adminToken, nil)
	if len(list["items"].([]any)) != 2 || list["next"] == "" {
		t.Fatalf("list = %v", list)
	}
	rest := p.must(200, "GET", "/v1/instances?limit=2&cursor="+list["next"].(string), adminToken, nil)
	if len(rest["items"].([]any)) != 2 || rest["next"] != "" {
		t.Fatalf("second page = %v", rest)
	}
	p.must(404, "DELETE", "/v1/instances/"+id, token, nil)
	p.must(204, "DELETE", "/v1/instances/"+id, adminToken, nil)
	p.must(404, "GET", "/v1/instances/"+id, adminToken, nil)
	if r := p.do("GET", "/v1/instances/"+id, token, nil); r.Status != 401 {
		t.Fatalf("deleted instance's token still works: %d", r.Status)
	}
}

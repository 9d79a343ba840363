package e2e

import (
	"bytes"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// mediaServer serves files for media.url: one that answers, one that
// never finishes, one too large (announced and not), one of the wrong
// type. It lives until the test ends.
func mediaServer(t *testing.T) *httptest.Server {
	t.Helper()
	done := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/menu.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(pngFile)
	})
	mux.HandleFunc("/unlabeled", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		_, _ = w.Write(pngFile)
	})
	mux.HandleFunc("/invoice.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		_, _ = w.Write(pdfFile)
	})
	mux.HandleFunc("/slow.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/png")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(pngFile[:4])
		w.(http.Flusher).Flush()
		select { // never finishes while zapgate waits
		case <-done:
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/big.png", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", fmt.Sprint(17<<20))
		w.Header().Set("Content-Type", "image/png")
		_, _ = w.Write(pngFile)
	})
	mux.HandleFunc("/endless.png", func(w http.ResponseWriter, r *http.Request) {
		// No length: zapgate must stop reading at 16 MiB by itself.
		w.Header().Set("Content-Type", "image/png")
		chunk := make([]byte, 64<<10)
		for range 17 << 4 {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/gone.png", http.NotFound)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { close(done); srv.Close() })
	return srv
}

// simSent lists what the instance sent into the sim.
func simSent(t *testing.T, p *proc, id string) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, it := range p.must(200, "GET", "/v1/sim/instances/"+id+"/sent", adminToken, nil)["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

// sentWith waits until the sim holds a send with field = value, and
// returns it.
func sentWith(t *testing.T, p *proc, id, field string, value any) map[string]any {
	t.Helper()
	var got map[string]any
	eventually(t, 20*time.Second, fmt.Sprintf("a send with %s %v", field, value), func() bool {
		for _, s := range simSent(t, p, id) {
			if s[field] == value {
				got = s
				return true
			}
		}
		return false
	})
	return got
}

// fieldError asserts a 400 naming field.
func fieldError(t *testing.T, r response, field string) string {
	t.Helper()
	if r.Status != 400 {
		t.Fatalf("status %d, want 400 naming %s: %s", r.Status, field, r.Body)
	}
	fields, _ := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)
	msg, _ := fields[field].(string)
	if msg == "" {
		t.Fatalf("400 does not name %s: %s", field, r.Body)
	}
	return msg
}

// TestMediaByURL: zapgate fetches media by URL at request time, checks its
// type, and refuses a URL that is too slow, too large, gone or not http(s).
func TestMediaByURL(t *testing.T) {
	t.Parallel()
	srv := mediaServer(t)
	p := newEnv(t).start("ZAPGATE_MEDIA_FETCH_TIMEOUT=1s")
	id, token := p.linkedInstance("media-url", "5511900000601")
	msgs := "/v1/instances/" + id + "/messages"
	const to = "5511988880601"

	send := func(path string, extra map[string]any) response {
		body := map[string]any{"to": to, "type": "image", "media": map[string]any{"url": srv.URL + path}}
		for k, v := range extra {
			body[k] = v
		}
		return p.do("POST", msgs, token, body)
	}
	// Served with its type, and sniffed when the server does not say.
	for _, path := range []string{"/menu.png", "/unlabeled"} {
		r := send(path, map[string]any{"caption": path})
		if r.Status != 202 {
			t.Fatalf("%s: %d %s", path, r.Status, r.Body)
		}
		m := r.JSON(t)
		media := m["media"].(map[string]any)
		if media["mime"] != "image/png" || media["size"] != float64(len(pngFile)) {
			t.Errorf("%s: media %v", path, media)
		}
		s := sentWith(t, p, id, "caption", path)
		if s["mime"] != "image/png" || s["sha256"] != media["sha256"] || s["kind"] != "message" {
			t.Errorf("%s: the sim received %v", path, s)
		}
	}
	// The same key and URL is the same message; nothing is fetched anew.
	first := p.must(202, "POST", msgs, token, map[string]any{"to": to, "type": "image", "media": map[string]any{"url": srv.URL + "/menu.png"}},
		"Idempotency-Key", "url-1")
	again := p.must(200, "POST", msgs, token, map[string]any{"to": to, "type": "image", "media": map[string]any{"url": srv.URL + "/menu.png"}},
		"Idempotency-Key", "url-1")
	if first["id"] != again["id"] {
		t.Errorf("a repeated key answered %v, then %v", first["id"], again["id"])
	}

	if msg := fieldError(t, send("/slow.png", nil), "media.url"); !strings.Contains(msg, "within") {
		t.Errorf("timeout: %q", msg)
	}
	for _, path := range []string{"/big.png", "/endless.png"} {
		if r := send(path, nil); r.Status != 413 || r.ErrorCode(t) != "media_too_large" {
			t.Errorf("%s: %d %s, want 413 media_too_large", path, r.Status, r.Body)
		}
	}
	if msg := fieldError(t, send("/gone.png", nil), "media.url"); !strings.Contains(msg, "404") {
		t.Errorf("gone: %q", msg)
	}
	fieldError(t, send("/invoice.pdf", nil), "media.mime")
	fieldError(t, p.do("POST", msgs, token, map[string]any{"to": to, "type": "image", "media": map[string]any{"url": "ftp://example.com/a.png"}}), "media.url")
	fieldError(t, p.do("POST", msgs, token, map[string]any{"to": to, "type": "image", "media": map[string]any{"url": "https://exa\x00mple.com/"}}), "media.url")
	fieldError(t, p.do("POST", msgs, token, map[string]any{"to": to, "type": "image",
		"media": map[string]any{"url": srv.URL + "/menu.png", "data": b64(pngFile)}}), "media")
}

// TestMediaByURLRefusesPrivateAddresses: with ZAPGATE_WEBHOOK_DENY_PRIVATE
// the webhook address rules keep media downloads off private networks.
func TestMediaByURLRefusesPrivateAddresses(t *testing.T) {
	t.Parallel()
	srv := mediaServer(t) // on 127.0.0.1
	p := newEnv(t).start("ZAPGATE_WEBHOOK_DENY_PRIVATE=true")
	id, token := p.linkedInstance("media-private", "5511900000611")
	for _, u := range []string{srv.URL + "/menu.png", "http://169.254.169.254/latest/meta-data", "http://[::1]/x.png"} {
		r := p.do("POST", "/v1/instances/"+id+"/messages", token, map[string]any{"to": "5511988880611", "type": "image",
			"media": map[string]any{"url": u}})
		if msg := fieldError(t, r, "media.url"); !strings.Contains(msg, "internal address") {
			t.Errorf("%s: %q", u, msg)
		}
	}
}

// multipartBody is a form with fields and, when file is not nil, the file.
func multipartBody(t *testing.T, fields [][2]string, filename, ctype string, file []byte) ([]byte, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, f := range fields {
		_ = w.WriteField(f[0], f[1])
	}
	if file != nil {
		h := make(map[string][]string)
		h["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name="file"; filename=%q`, filename)}
		if ctype != "" {
			h["Content-Type"] = []string{ctype}
		}
		pw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = pw.Write(file)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes(), w.FormDataContentType()
}

// TestMultipartUpload: a file sent as multipart/form-data, the other
// fields as form fields; too large is a 413 the client reads.
func TestMultipartUpload(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("multipart", "5511900000621")
	msgs := "/v1/instances/" + id + "/messages"
	body, ctype := multipartBody(t, [][2]string{{"to", "5511988880621"}, {"type", "image"}, {"caption", "from a form"}},
		"menu.png", "image/png", pngFile)
	r := p.do("POST", msgs, token, body, "Content-Type", ctype, "Idempotency-Key", "form-1")
	if r.Status != 202 {
		t.Fatalf("multipart: %d %s", r.Status, r.Body)
	}
	m := r.JSON(t)
	media := m["media"].(map[string]any)
	if m["caption"] != "from a form" || media["mime"] != "image/png" || media["filename"] != "menu.png" || media["size"] != float64(len(pngFile)) {
		t.Errorf("message %v", m)
	}
	// Idempotency-Key works for uploads too.
	if again := p.do("POST", msgs, token, body, "Content-Type", ctype, "Idempotency-Key", "form-1"); again.Status != 200 || again.JSON(t)["id"] != m["id"] {
		t.Errorf("repeat: %d %s", again.Status, again.Body)
	}
	s := sentWith(t, p, id, "caption", "from a form")
	if s["mime"] != "image/png" || s["filename"] != "menu.png" || s["sha256"] != media["sha256"] {
		t.Errorf("the sim received %v", s)
	}
	if r := p.do("GET", msgs+"/"+m["id"].(string)+"/media", token, nil); r.Status != 200 || !bytes.Equal(r.Body, pngFile) {
		t.Errorf("the stored file: %d, %d bytes", r.Status, len(r.Body))
	}

	// Bad input: named fields; a file over 16 MiB is a 413.
	bad, ctype := multipartBody(t, [][2]string{{"to", "5511988880621"}, {"type", "audio"}, {"ptt", "perhaps"}}, "a.ogg", "", oggFile)
	fieldError(t, p.do("POST", msgs, token, bad, "Content-Type", ctype), "ptt")
	bad, ctype = multipartBody(t, [][2]string{{"to", "5511988880621"}, {"type", "image"}}, "a.pdf", "application/pdf", pdfFile)
	fieldError(t, p.do("POST", msgs, token, bad, "Content-Type", ctype), "media.mime")
	big, ctype := multipartBody(t, [][2]string{{"to", "5511988880621"}, {"type", "document"}}, "big.bin", "", make([]byte, 16<<20+1))
	if r := p.do("POST", msgs, token, big, "Content-Type", ctype); r.Status != 413 || r.ErrorCode(t) != "media_too_large" {
		t.Errorf("17 MiB upload: %d %s", r.Status, r.Body)
	}
}

// TestVoiceNotes: OGG/Opus goes as is, an MP3 is converted with ffmpeg;
// both show ptt and reach the sim as audio/ogg voice notes.
func TestVoiceNotes(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("ffmpeg"); err != nil {
		t.Fatal("ffmpeg is not installed: task ffmpeg (part of task test) installs it")
	}
	mp3, err := exec.Command("ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "sine=d=1", "-f", "mp3", "pipe:1").Output()
	if err != nil {
		t.Fatalf("make an MP3: %v", err)
	}
	p := newEnv(t).start()
	id, token := p.linkedInstance("voice", "5511900000631")
	msgs := "/v1/instances/" + id + "/messages"
	const to = "5511988880631"

	ogg := p.must(202, "POST", msgs, token, map[string]any{"to": to, "type": "audio", "ptt": true,
		"media": map[string]any{"data": b64(oggFile), "mime": "audio/ogg; codecs=opus"}})
	conv := p.must(202, "POST", msgs, token, map[string]any{"to": to, "type": "audio", "ptt": true,
		"media": map[string]any{"data": b64(mp3), "filename": "note.mp3"}})
	body, ctype := multipartBody(t, [][2]string{{"to", to}, {"type", "audio"}, {"ptt", "true"}}, "note.mp3", "audio/mpeg", mp3)
	form := p.must(202, "POST", msgs, token, body, "Content-Type", ctype)
	plain := p.must(202, "POST", msgs, token, map[string]any{"to": to, "type": "audio", "media": map[string]any{"data": b64(mp3)}})

	for _, m := range []map[string]any{ogg, conv, form} {
		media := m["media"].(map[string]any)
		if m["ptt"] != true || media["mime"] != "audio/ogg" {
			t.Errorf("voice note %v", m)
		}
		s := sentWith(t, p, id, "sha256", media["sha256"])
		if s["ptt"] != true || s["mime"] != "audio/ogg" || s["type"] != "audio" {
			t.Errorf("the sim received %v", s)
		}
		got := p.must(200, "GET", msgs+"/"+m["id"].(string), token, nil)
		if got["ptt"] != true {
			t.Errorf("GET shows %v", got)
		}
	}
	if ogg["media"].(map[string]any)["size"] != float64(len(oggFile)) {
		t.Errorf("OGG/Opus was not sent as is: %v", ogg["media"])
	}
	if s := sentWith(t, p, id, "sha256", plain["media"].(map[string]any)["sha256"]); s["ptt"] != false || s["mime"] != "audio/mpeg" {
		t.Errorf("a plain audio file became %v", s)
	}

	// Bad input: ptt is for audio; audio ffmpeg cannot read is refused.
	fieldError(t, p.do("POST", msgs, token, map[string]any{"to": to, "type": "image", "ptt": true,
		"media": map[string]any{"data": b64(pngFile)}}), "ptt")
	fieldError(t, p.do("POST", msgs, token, map[string]any{"to": to, "type": "audio", "ptt": true,
		"media": map[string]any{"data": b64([]byte("definitely not audio, but long enough to look like a file")), "mime": "audio/mpeg"}}), "media")
}

// incomingFrom injects messages from a person (or a group member) and
// waits until each is stored; it returns their ids and WhatsApp ids.
func incomingFrom(t *testing.T, p *proc, id, token, from, group string, waIDs ...string) []string {
	t.Helper()
	for _, wa := range waIDs {
		body := map[string]any{"from": from, "text": "hi " + wa, "wa_message_id": wa}
		if group != "" {
			body["group"] = group
		}
		p.must(201, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, body)
	}
	ids := make([]string, len(waIDs))
	eventually(t, 20*time.Second, "the incoming messages stored", func() bool {
		for _, it := range p.must(200, "GET", "/v1/instances/"+id+"/messages?direction=in&limit=500", token, nil)["items"].([]any) {
			m := it.(map[string]any)
			if i := slices.Index(waIDs, m["wa_message_id"].(string)); i >= 0 {
				ids[i] = m["id"].(string)
			}
		}
		return !slices.Contains(ids, "")
	})
	return ids
}

func readResult(t *testing.T, done map[string]any) []string {
	t.Helper()
	res, _ := done["result"].(map[string]any)
	if done["status"] != "done" || res == nil {
		t.Fatalf("read: %v", done)
	}
	var ids []string
	for _, id := range res["message_ids"].([]any) {
		ids = append(ids, id.(string))
	}
	return ids
}

// TestReadReceipts: given messages, then by default every unread one of
// the chat; the sim shows kind read with the WhatsApp ids, the messages
// show read_at; in a group the receipts go per member who wrote.
func TestReadReceipts(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("reads", "5511900000641")
	inst := "/v1/instances/" + id
	const ana, bia = "5511988880641", "5511988880642"
	ids := incomingFrom(t, p, id, token, ana, "", "READ-A1", "READ-A2", "READ-A3")
	incomingFrom(t, p, id, token, bia, "", "READ-B1")

	done := p.must(200, "POST", inst+"/chats/"+ana+"/read?wait=true", token, map[string]any{"message_ids": ids[:1]})
	if got := readResult(t, done); !slices.Equal(got, ids[:1]) {
		t.Errorf("given: read %v, want %v", got, ids[:1])
	}
	s := sentWith(t, p, id, "target_wa_message_id", "READ-A1")
	if s["kind"] != "read" || s["chat"] != ana+"@s.whatsapp.net" || fmt.Sprint(s["message_ids"]) != "[READ-A1]" {
		t.Errorf("the sim received %v", s)
	}
	if m := p.must(200, "GET", inst+"/messages/"+ids[0], token, nil); m["read_at"] == nil {
		t.Errorf("read message without read_at: %v", m)
	}

	// The default: the rest of ana's chat (by JID this time), not bia's.
	done = p.must(200, "POST", inst+"/chats/"+url.PathEscape(ana+"@s.whatsapp.net")+"/read?wait=true", token, nil)
	if got := readResult(t, done); !slices.Equal(got, ids[1:]) {
		t.Errorf("default: read %v, want %v", got, ids[1:])
	}
	if s := sentWith(t, p, id, "target_wa_message_id", "READ-A2"); fmt.Sprint(s["message_ids"]) != "[READ-A2 READ-A3]" {
		t.Errorf("the sim received %v", s)
	}
	// Nothing left unread: done with nothing read, nothing sent.
	if got := readResult(t, p.must(200, "POST", inst+"/chats/"+ana+"/read?wait=true", token, map[string]any{})); len(got) != 0 {
		t.Errorf("read again: %v", got)
	}
	// Not waited for: 202, and the command ends by itself.
	cid := p.must(202, "POST", inst+"/chats/"+bia+"/read", token, nil)["command_id"].(string)
	eventually(t, 20*time.Second, "bia's read done", func() bool {
		c := p.must(200, "GET", inst+"/commands/"+cid, token, nil)
		return c["status"] == "done" && c["type"] == "read_chat"
	})
	reads := 0
	for _, s := range simSent(t, p, id) {
		if s["kind"] == "read" {
			reads++
		}
	}
	if reads != 3 {
		t.Errorf("%d read receipts in the sim, want 3", reads)
	}

	// A group: one receipt per member who wrote.
	group := p.must(201, "POST", "/v1/sim/groups", adminToken, map[string]any{"subject": "Reads",
		"participants": []string{ana, bia}, "members": []string{id}})["jid"].(string)
	incomingFrom(t, p, id, token, ana, group, "READ-G1", "READ-G2")
	incomingFrom(t, p, id, token, bia, group, "READ-G3")
	if got := readResult(t, p.must(200, "POST", inst+"/chats/"+group+"/read?wait=true", token, nil)); len(got) != 3 {
		t.Errorf("group: read %v", got)
	}
	byAna := sentWith(t, p, id, "target_wa_message_id", "READ-G1")
	byBia := sentWith(t, p, id, "target_wa_message_id", "READ-G3")
	if byAna["chat"] != group || byAna["to"] != ana+"@s.whatsapp.net" || fmt.Sprint(byAna["message_ids"]) != "[READ-G1 READ-G2]" ||
		byBia["to"] != bia+"@s.whatsapp.net" {
		t.Errorf("group receipts %v, %v", byAna, byBia)
	}

	// Bad input and tenant isolation.
	fieldError(t, p.do("POST", inst+"/chats/not-an-address/read", token, nil), "address")
	fieldError(t, p.do("POST", inst+"/chats/"+ana+"/read", token, map[string]any{"message_ids": []string{"nope"}}), "message_ids")
	fieldError(t, p.do("POST", inst+"/chats/"+bia+"/read", token, map[string]any{"message_ids": ids[:1]}), "message_ids")
	if r := p.do("POST", inst+"/chats/"+ana+"/read", token, `{"message_ids": "x"}`); r.Status != 400 {
		t.Errorf("bad JSON: %d", r.Status)
	}
	other, otherToken := p.linkedInstance("reads-other", "5511900000642")
	if r := p.do("POST", inst+"/chats/"+ana+"/read", otherToken, nil); r.Status != 404 {
		t.Errorf("another instance's token: %d %s", r.Status, r.Body)
	}
	// Another instance cannot name this instance's messages.
	fieldError(t, p.do("POST", "/v1/instances/"+other+"/chats/"+ana+"/read", otherToken, map[string]any{"message_ids": ids[:1]}), "message_ids")
}

// TestChatPresence: typing, recording and paused reach the sim as kind
// presence; presence is not a message.
func TestChatPresence(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("presence", "5511900000651")
	inst := "/v1/instances/" + id
	const ana = "5511988880651"
	for _, state := range []string{"typing", "recording", "paused"} {
		done := p.must(200, "POST", inst+"/chats/"+ana+"/presence?wait=true", token, map[string]any{"state": state})
		if res, _ := done["result"].(map[string]any); res["state"] != state || res["chat"] != ana+"@s.whatsapp.net" {
			t.Errorf("%s: %v", state, done)
		}
	}
	var states []string
	for _, s := range simSent(t, p, id) {
		if s["kind"] == "presence" && s["chat"] == ana+"@s.whatsapp.net" {
			states = append(states, s["state"].(string))
		}
	}
	if !slices.Equal(states, []string{"typing", "recording", "paused"}) {
		t.Errorf("the sim received presences %v", states)
	}
	if st := p.must(200, "GET", "/v1/sim/stats", adminToken, nil); st["sent"] != float64(0) {
		t.Errorf("presence counted as sent messages: %v", st)
	}
	p.must(202, "POST", inst+"/chats/120363025246125244@g.us/presence", token, map[string]any{"state": "typing"})

	fieldError(t, p.do("POST", inst+"/chats/"+ana+"/presence", token, map[string]any{"state": "dancing"}), "state")
	fieldError(t, p.do("POST", inst+"/chats/"+ana+"/presence", token, map[string]any{}), "state")
	fieldError(t, p.do("POST", inst+"/chats/nope/presence", token, map[string]any{"state": "typing"}), "address")
	_, otherToken := p.linkedInstance("presence-other", "5511900000652")
	if r := p.do("POST", inst+"/chats/"+ana+"/presence", otherToken, map[string]any{"state": "typing"}); r.Status != 404 {
		t.Errorf("another instance's token: %d %s", r.Status, r.Body)
	}
}

package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// openAttendanceOf waits for the open attendance of a client's phone.
func openAttendanceOf(t *testing.T, p *proc, token, phone string) map[string]any {
	t.Helper()
	var att map[string]any
	eventually(t, 20*time.Second, "an open attendance of "+phone, func() bool {
		for _, it := range p.must(200, "GET", "/v1/attendances?status=open&q="+phone, token, nil)["items"].([]any) {
			if a := it.(map[string]any); a["client"].(map[string]any)["phone"] == phone {
				att = a
			}
		}
		return att != nil
	})
	return att
}

// sentTo lists the texts the sim's WhatsApp received for a phone.
func sentTo(p *proc, instance, phone string) []string {
	var out []string
	for _, it := range p.must(200, "GET", "/v1/sim/instances/"+instance+"/sent", adminToken, nil)["items"].([]any) {
		if m := it.(map[string]any); m["to"] == phone {
			out = append(out, fmt.Sprint(m["text"]))
		}
	}
	return out
}

func attendantLogin(t *testing.T, p *proc, name, email string) (token, id string) {
	t.Helper()
	p.must(201, "POST", "/v1/attendants", adminToken, map[string]any{"name": name, "email": email, "password": "s3cret-pass"})
	login := p.must(200, "POST", "/v1/auth/login", "", map[string]any{"email": email, "password": "s3cret-pass"})
	return login["token"].(string), login["attendant"].(map[string]any)["id"].(string)
}

// The closing text is the instance's, the unanswered are not asked for
// feedback, and the client's rating and comment show on the attendance and
// in the admin's summary.
func TestClosingAndFeedbackAreVisible(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, itoken := p.linkedInstance("desk", "5511900000301")
	token, ana := attendantLogin(t, p, "Ana", "ana@example.com")

	in := p.must(200, "GET", "/v1/instances/"+id, itoken, nil)
	if in["closing_message"] != "Thanks for talking to us! How did we do? {{link}}" || in["feedback_when_unanswered"] != false {
		t.Fatalf("instance defaults %v", in)
	}
	for _, bad := range []map[string]any{
		{"closing_message": "a\x00b"}, {"closing_message": strings.Repeat("x", 1001)}, {"closing_message": 5},
		{"feedback_when_unanswered": "yes"}, {"feedback_when_unanswered": nil},
	} {
		if r := p.do("PATCH", "/v1/instances/"+id, itoken, bad); r.Status != 400 {
			t.Fatalf("PATCH %v = %d %s", bad, r.Status, r.Body)
		}
	}
	in = p.must(200, "PATCH", "/v1/instances/"+id, itoken, map[string]any{"closing_message": "Obrigado! Avalie aqui: {{link}}"})
	if in["closing_message"] != "Obrigado! Avalie aqui: {{link}}" || in["name"] != "desk" {
		t.Fatalf("patched %v", in)
	}

	// Nobody answers the first client; the second is answered.
	p.inbound(id, "5511988880001", "hello?", "")
	p.inbound(id, "5511988880002", "oi", "")
	quiet := openAttendanceOf(t, p, token, "5511988880001")
	served := openAttendanceOf(t, p, token, "5511988880002")
	p.must(202, "POST", "/v1/attendances/"+served["id"].(string)+"/messages", token, map[string]any{"type": "text", "text": "Olá!"})
	closedQuiet := p.must(200, "POST", "/v1/attendances/"+quiet["id"].(string)+"/close", token, nil)
	if closedQuiet["closed_by"] != ana || closedQuiet["closed_reason"] != "manual" || closedQuiet["feedback"] != nil {
		t.Fatalf("closed %v", closedQuiet)
	}
	p.must(200, "POST", "/v1/attendances/"+served["id"].(string)+"/close", adminToken, nil)
	var link string
	eventually(t, 20*time.Second, "the closing text at the answered client", func() bool {
		for _, text := range sentTo(p, id, "5511988880002") {
			if m := feedbackLink.FindStringSubmatch(text); m != nil && strings.HasPrefix(text, "Obrigado! Avalie aqui: http") {
				link = m[1]
			}
		}
		return link != ""
	})
	// Sends of one instance leave in order, so the first close's message,
	// had there been one, would be out by now.
	if got := sentTo(p, id, "5511988880001"); len(got) != 0 {
		t.Fatalf("the unanswered client got %q", got)
	}

	p.must(201, "POST", "/v1/feedback/"+link, "", map[string]any{"rating": 4, "comment": "rápido e gentil"})
	got := p.must(200, "GET", "/v1/attendances/"+served["id"].(string), token, nil)
	fb, _ := got["feedback"].(map[string]any)
	if fb["rating"] != float64(4) || fb["comment"] != "rápido e gentil" || fb["at"] == nil || got["closed_by"] != "" || got["closed_reason"] != "manual" {
		t.Fatalf("attendance after feedback %v", got)
	}
	sum := p.must(200, "GET", "/v1/feedback/summary", adminToken, nil)
	recent, _ := sum["recent"].([]any)
	if sum["count"] != float64(1) || len(recent) != 1 || recent[0].(map[string]any)["comment"] != "rápido e gentil" ||
		recent[0].(map[string]any)["attendance_id"] != served["id"] {
		t.Fatalf("summary %v", sum)
	}

	// Asked anyway once the instance says so.
	p.must(200, "PATCH", "/v1/instances/"+id, itoken, map[string]any{"feedback_when_unanswered": true, "closing_message": nil})
	p.inbound(id, "5511988880003", "anyone?", "")
	third := openAttendanceOf(t, p, token, "5511988880003")
	p.must(200, "POST", "/v1/attendances/"+third["id"].(string)+"/close", token, nil)
	eventually(t, 20*time.Second, "the default closing text at the unanswered client", func() bool {
		for _, text := range sentTo(p, id, "5511988880003") {
			if strings.HasPrefix(text, "Thanks for talking to us! How did we do? http") && feedbackLink.MatchString(text) {
				return true
			}
		}
		return false
	})
}

// Notes, labels, reopening and search, as an attendant uses them.
func TestAttendantTools(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, itoken := p.linkedInstance("desk", "5511900000302")
	token, ana := attendantLogin(t, p, "Ana", "ana@example.com")
	p.must(201, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{
		"from": "5511977770001", "push_name": "Joana", "text": "Meu boleto venceu ontem"})
	att := openAttendanceOf(t, p, token, "5511977770001")
	aid := att["id"].(string)
	base := "/v1/attendances/" + aid

	// A private note, in the timeline between the messages, never sent.
	note := p.must(201, "POST", base+"/notes", token, map[string]any{"text": "cliente antiga, ser gentil"})
	if note["kind"] != "note" || note["attendant_id"] != ana || note["text"] != "cliente antiga, ser gentil" {
		t.Fatalf("note %v", note)
	}
	p.must(200, "POST", base+"/assign", token, map[string]any{"attendant_id": ana})
	p.must(202, "POST", base+"/messages", token, map[string]any{"type": "text", "text": "Vou verificar"})
	eventually(t, 20*time.Second, "the reply at the client", func() bool { return len(sentTo(p, id, "5511977770001")) == 1 })
	var kinds []string
	for _, it := range p.must(200, "GET", base, token, nil)["messages"].([]any) {
		m := it.(map[string]any)
		kinds = append(kinds, fmt.Sprint(m["kind"], ":", m["text"]))
	}
	if strings.Join(kinds, "|") != "message:Meu boleto venceu ontem|note:cliente antiga, ser gentil|message:Vou verificar" {
		t.Fatalf("timeline %v", kinds)
	}
	if got := sentTo(p, id, "5511977770001"); len(got) != 1 || got[0] != "Vou verificar" {
		t.Fatalf("sent %v", got)
	}
	for _, body := range []map[string]any{{"text": ""}, {"text": "a\x00"}, {"text": 5}, {}} {
		if r := p.do("POST", base+"/notes", token, body); r.Status != 400 {
			t.Fatalf("note %v = %d", body, r.Status)
		}
	}
	p.must(404, "POST", "/v1/attendances/0196a3f0-6c1e-7d2a-9b4f-2f5e8c1d3a70/notes", token, map[string]any{"text": "x"})
	p.must(404, "POST", base+"/notes", itoken, map[string]any{"text": "x"})

	// Labels, and the inbox filtered by them.
	got := p.must(200, "PUT", base+"/labels", token, map[string]any{"labels": []string{" Billing ", "billing", "VIP"}})
	if fmt.Sprint(got["labels"]) != "[Billing VIP]" {
		t.Fatalf("labels %v", got["labels"])
	}
	for _, body := range []map[string]any{{"labels": []string{strings.Repeat("x", 33)}}, {"labels": strings.Split(strings.Repeat("l,", 20)+"m", ",")},
		{"labels": []string{"a\x00"}}, {"labels": "vip"}, {}} {
		if r := p.do("PUT", base+"/labels", token, body); r.Status != 400 {
			t.Fatalf("labels %v = %d", body, r.Status)
		}
	}
	p.must(201, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{
		"from": "5511977770002", "push_name": "Pedro", "text": "my order is late"})
	other := openAttendanceOf(t, p, token, "5511977770002")
	count := func(query string) int {
		return len(p.must(200, "GET", "/v1/attendances?"+query, token, nil)["items"].([]any))
	}
	for query, want := range map[string]int{
		"label=vip": 1, "label=nothing": 0, "q=boleto": 1, "q=ord": 1, "q=pedro": 1, "q=" + url.QueryEscape("+55 11 97777-0002"): 1,
		"q=zebra": 0, "assigned=me": 1, "assigned=none": 1, "assigned=" + ana: 1,
		"team_id=0196a3f0-6c1e-7d2a-9b4f-2f5e8c1d3a70": 0, "status=open&label=billing&q=venceu": 1,
	} {
		if n := count(query); n != want {
			t.Fatalf("?%s: %d, want %d", query, n, want)
		}
	}
	for _, query := range []string{"assigned=bob", "team_id=x", "q=" + url.QueryEscape("a\x00"), "label=" + strings.Repeat("l", 33)} {
		if r := p.do("GET", "/v1/attendances?"+query, token, nil); r.Status != 400 {
			t.Fatalf("?%s = %d", query, r.Status)
		}
	}
	if r := p.do("GET", "/v1/attendances?assigned=me", adminToken, nil); r.Status != 400 {
		t.Fatalf("assigned=me with the admin token = %d", r.Status)
	}

	// Reopen: refused while open, or while the client has another open one.
	if r := p.do("POST", base+"/reopen", token, nil); r.Status != 409 || r.ErrorCode(t) != "attendance_open" {
		t.Fatalf("reopen an open attendance = %d %s", r.Status, r.Body)
	}
	p.must(200, "POST", base+"/close", token, nil)
	re := p.must(200, "POST", base+"/reopen", token, nil)
	if re["status"] != "open" || re["closed_at"] != nil || re["closed_by"] != "" {
		t.Fatalf("reopened %v", re)
	}
	p.must(200, "POST", base+"/close", token, nil)
	p.inbound(id, "5511977770001", "voltei", "")
	eventually(t, 20*time.Second, "a new attendance", func() bool {
		return openAttendanceOf(t, p, token, "5511977770001")["id"] != aid
	})
	if r := p.do("POST", base+"/reopen", token, nil); r.Status != 409 || r.ErrorCode(t) != "attendance_open" {
		t.Fatalf("reopen beside an open one = %d %s", r.Status, r.Body)
	}
	p.must(404, "POST", "/v1/attendances/"+other["id"].(string)+"/reopen", itoken, nil)
}

func TestCannedRepliesAndClients(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, itoken := p.linkedInstance("desk", "5511900000303")
	token, _ := attendantLogin(t, p, "Bia", "bia@example.com")
	p.must(201, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{
		"from": "5511966660001", "push_name": "Carla", "text": "bom dia"})
	att := openAttendanceOf(t, p, token, "5511966660001")

	// Canned replies: admins write them, attendants use them.
	hi := p.must(201, "POST", "/v1/canned-replies", adminToken, map[string]any{"shortcut": "oi", "text": "Olá {{name}}, aqui é {{attendant}}."})
	p.must(404, "POST", "/v1/canned-replies", token, map[string]any{"shortcut": "x", "text": "x"})
	if r := p.do("POST", "/v1/canned-replies", adminToken, map[string]any{"shortcut": "oi", "text": "again"}); r.Status != 409 || r.ErrorCode(t) != "shortcut_taken" {
		t.Fatalf("same shortcut = %d %s", r.Status, r.Body)
	}
	for _, body := range []map[string]any{{"shortcut": "Oi", "text": "x"}, {"shortcut": "a b", "text": "x"}, {"shortcut": "ok", "text": ""},
		{"shortcut": "ok", "text": "a\x00"}, {"shortcut": strings.Repeat("a", 33), "text": "x"}} {
		if r := p.do("POST", "/v1/canned-replies", adminToken, body); r.Status != 400 {
			t.Fatalf("create %v = %d", body, r.Status)
		}
	}
	list := p.must(200, "GET", "/v1/canned-replies", token, nil)["items"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["filled"] != nil {
		t.Fatalf("list %v", list)
	}
	filled := p.must(200, "GET", "/v1/canned-replies?attendance_id="+att["id"].(string), token, nil)["items"].([]any)
	if f := filled[0].(map[string]any)["filled"]; f != "Olá Carla, aqui é Bia." {
		t.Fatalf("filled %v", f)
	}
	p.must(400, "GET", "/v1/canned-replies?attendance_id=nope", token, nil)
	p.must(404, "GET", "/v1/canned-replies", itoken, nil)
	hid := hi["id"].(string)
	if got := p.must(200, "PATCH", "/v1/canned-replies/"+hid, adminToken, map[string]any{"text": "Oi {{name}}!"}); got["text"] != "Oi {{name}}!" || got["shortcut"] != "oi" {
		t.Fatalf("patched %v", got)
	}
	p.must(404, "PATCH", "/v1/canned-replies/"+hid, token, map[string]any{"text": "x"})
	p.must(400, "PATCH", "/v1/canned-replies/"+hid, adminToken, map[string]any{"shortcut": "NO"})
	p.must(404, "DELETE", "/v1/canned-replies/"+hid, token, nil)
	p.must(204, "DELETE", "/v1/canned-replies/"+hid, adminToken, nil)
	p.must(404, "DELETE", "/v1/canned-replies/"+hid, adminToken, nil)

	// Clients: found, read and written down by attendants.
	cid := att["client"].(map[string]any)["id"].(string)
	found := p.must(200, "GET", "/v1/clients?q=carla", token, nil)["items"].([]any)
	if len(found) != 1 || found[0].(map[string]any)["id"] != cid {
		t.Fatalf("clients %v", found)
	}
	if n := len(p.must(200, "GET", "/v1/clients?q=6666000", token, nil)["items"].([]any)); n != 1 {
		t.Fatalf("by phone: %d", n)
	}
	p.must(200, "PUT", "/v1/attendances/"+att["id"].(string)+"/labels", token, map[string]any{"labels": []string{"VIP"}})
	c := p.must(200, "PATCH", "/v1/clients/"+cid, token, map[string]any{"name": "Carla Dias", "notes": "prefere manhã",
		"attributes": map[string]any{"plano": "ouro", "cidade": "Recife"}})
	attrs, _ := c["attributes"].(map[string]any)
	if c["name"] != "Carla Dias" || c["notes"] != "prefere manhã" || attrs["plano"] != "ouro" || c["phone"] != "5511966660001" ||
		c["push_name"] != "Carla" || fmt.Sprint(c["labels"]) != "[VIP]" || len(c["attendances"].([]any)) != 1 {
		t.Fatalf("client %v", c)
	}
	if got := p.must(200, "GET", "/v1/clients/"+cid, token, nil); got["name"] != "Carla Dias" {
		t.Fatalf("client %v", got)
	}
	if a := p.must(200, "GET", "/v1/attendances/"+att["id"].(string), token, nil); a["client"].(map[string]any)["name"] != "Carla Dias" {
		t.Fatalf("attendance client %v", a["client"])
	}
	many := map[string]any{}
	for i := range 51 {
		many[fmt.Sprint("k", i)] = "v"
	}
	for _, body := range []map[string]any{{"name": "a\x00"}, {"notes": strings.Repeat("n", 4001)}, {"attributes": many},
		{"attributes": map[string]any{"k": 5}}, {"attributes": map[string]any{"k": strings.Repeat("v", 501)}}} {
		if r := p.do("PATCH", "/v1/clients/"+cid, token, body); r.Status != 400 {
			t.Fatalf("patch %v = %d %s", body, r.Status, r.Body)
		}
	}
	p.must(404, "GET", "/v1/clients/0196a3f0-6c1e-7d2a-9b4f-2f5e8c1d3a70", token, nil)
	p.must(404, "GET", "/v1/clients/"+cid, itoken, nil)
	p.must(404, "GET", "/v1/clients", itoken, nil)
	p.must(400, "GET", "/v1/clients?q="+url.QueryEscape("a\x00"), token, nil)
}

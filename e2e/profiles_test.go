package e2e

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"
)

// TestContactPictures: a person's picture is shown by phone or LID, a
// hidden one is "", a group's may be asked for.
func TestContactPictures(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("pictures", "5511900000401")
	inst := "/v1/instances/" + id
	p.must(200, "POST", "/v1/sim/contacts", adminToken, map[string]any{
		"phone": "5511988880401", "lid": "401401401", "picture_url": "https://pps.example/ana.jpg"})
	p.must(200, "POST", "/v1/sim/contacts", adminToken, map[string]any{"phone": "5511988880402"})
	tests := []struct{ address, want string }{
		{"5511988880401", "https://pps.example/ana.jpg"},
		{"+5511988880401", "https://pps.example/ana.jpg"},
		{"401401401@lid", "https://pps.example/ana.jpg"},
		{"5511988880402", ""},           // hidden
		{"5511988880499", ""},           // nobody the network knows
		{"120363000000000401@g.us", ""}, // a group may be asked for
	}
	for _, tt := range tests {
		got := p.must(200, "GET", inst+"/contacts/"+url.PathEscape(tt.address)+"/picture?wait=true", token, nil)
		res, _ := got["result"].(map[string]any)
		if got["status"] != "done" || res == nil || res["url"] != tt.want {
			t.Errorf("picture of %s = %v, want url %q", tt.address, got, tt.want)
		}
	}
	// Not waited for: the command ends by itself and holds the answer.
	cid := p.must(202, "GET", inst+"/contacts/5511988880401/picture", token, nil)["command_id"].(string)
	eventually(t, 20*time.Second, "the picture command done", func() bool {
		c := p.must(200, "GET", inst+"/commands/"+cid, token, nil)
		res, _ := c["result"].(map[string]any)
		return c["status"] == "done" && c["type"] == "profile_picture" && res["url"] == "https://pps.example/ana.jpg"
	})
}

// TestBlockingRefusesSendsUntilUnblocked: a blocked person is a blocked
// contact (created when unknown) and sends to them fail, at their phone or
// their LID; unblocked, sends work again.
func TestBlockingRefusesSendsUntilUnblocked(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("blocking", "5511900000411")
	inst := "/v1/instances/" + id
	const phone, lid = "5511988880411", "411411411@lid"
	p.must(200, "POST", "/v1/sim/contacts", adminToken, map[string]any{"phone": phone, "lid": lid})
	// A check teaches the instance that the phone and the LID are one
	// person, so either address finds the one contact.
	p.must(200, "POST", inst+"/contacts/check?wait=true", token, map[string]any{"phones": []string{phone}})

	done := p.must(200, "POST", inst+"/contacts/"+phone+"/block?wait=true", token, nil)
	if want := map[string]any{"jid": phone + "@s.whatsapp.net", "blocked": true}; fmt.Sprint(done["result"]) != fmt.Sprint(want) {
		t.Fatalf("block = %v, want result %v", done, want)
	}
	// The contact row changed with the command's ending: no waiting.
	if c := p.must(200, "GET", inst+"/contacts/"+phone, token, nil); c["blocked"] != true {
		t.Fatalf("contact after block %v", c)
	}
	for _, to := range []string{phone, lid} {
		mid := p.must(202, "POST", inst+"/messages", token, map[string]any{"to": to, "type": "text", "text": "hi"})["id"].(string)
		var m map[string]any
		eventually(t, 20*time.Second, "the send to "+to+" failed", func() bool {
			m = p.must(200, "GET", inst+"/messages/"+mid, token, nil)
			return m["status"] == "failed"
		})
		if !strings.Contains(m["error"].(string), "blocked") {
			t.Errorf("send to %s failed with %q", to, m["error"])
		}
	}

	done = p.must(200, "POST", inst+"/contacts/"+url.PathEscape(lid)+"/unblock?wait=true", token, nil)
	if want := map[string]any{"jid": lid, "blocked": false}; fmt.Sprint(done["result"]) != fmt.Sprint(want) {
		t.Fatalf("unblock = %v, want result %v", done, want)
	}
	for _, addr := range []string{phone, url.PathEscape(lid)} {
		if c := p.must(200, "GET", inst+"/contacts/"+addr, token, nil); c["blocked"] != false {
			t.Fatalf("contact %s after unblock %v", addr, c)
		}
	}
	mid := p.must(202, "POST", inst+"/messages", token, map[string]any{"to": phone, "type": "text", "text": "again"})["id"].(string)
	eventually(t, 20*time.Second, "the send after unblocking sent", func() bool {
		return p.must(200, "GET", inst+"/messages/"+mid, token, nil)["status"] == "sent"
	})
	sent := p.must(200, "GET", "/v1/sim/instances/"+id+"/sent", adminToken, nil)["items"].([]any)
	if len(sent) != 1 || sent[0].(map[string]any)["text"] != "again" {
		t.Fatalf("sim sent %v, want only the message after unblocking", sent)
	}

	// Someone the instance never heard of becomes a blocked contact.
	p.must(200, "POST", inst+"/contacts/5511988880419/block?wait=true", token, nil)
	if c := p.must(200, "GET", inst+"/contacts/5511988880419", token, nil); c["blocked"] != true || c["jid"] != "5511988880419@s.whatsapp.net" {
		t.Fatalf("new blocked contact %v", c)
	}
}

// TestProfileRoutesRefuseStrangersAndBadInput: another instance's token is
// 404 on every profile route; bad addresses are 400 naming address.
func TestProfileRoutesRefuseStrangersAndBadInput(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("profiles", "5511900000421")
	_, otherToken := p.linkedInstance("other", "5511900000422")
	inst := "/v1/instances/" + id
	routes := []struct{ method, path string }{
		{"GET", "/picture"}, {"POST", "/block"}, {"POST", "/unblock"},
	}
	for _, r := range routes {
		if got := p.do(r.method, inst+"/contacts/5511988880421"+r.path, otherToken, nil); got.Status != 404 {
			t.Errorf("%s %s with another instance's token: %d %s", r.method, r.path, got.Status, got.Body)
		}
		if got := p.do(r.method, "/v1/instances/0190f3a4-0000-7000-8000-00000000000a/contacts/5511988880421"+r.path, adminToken, nil); got.Status != 404 {
			t.Errorf("%s %s of no instance: %d %s", r.method, r.path, got.Status, got.Body)
		}
	}
	bad := []struct{ method, path string }{
		{"GET", "/contacts/not-an-address/picture"},
		{"GET", "/contacts/12/picture"},
		{"POST", "/contacts/not-an-address/block"},
		{"POST", "/contacts/120363000000000421@g.us/block"},
		{"POST", "/contacts/120363000000000421%40g.us/unblock"},
		{"POST", "/contacts/%00/unblock"},
	}
	for _, b := range bad {
		r := p.do(b.method, inst+b.path, token, nil)
		fields, _ := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)
		if r.Status != 400 || fields["address"] == nil {
			t.Errorf("%s %s: %d %s, want 400 naming address", b.method, b.path, r.Status, r.Body)
		}
	}
	if n := countRows(t, p, "SELECT count(*) FROM commands"); n != 0 {
		t.Errorf("refused requests stored %d commands", n)
	}
	// The sim's picture_url is text like any other.
	r := p.do("POST", "/v1/sim/contacts", adminToken, map[string]any{"phone": "5511988880421", "picture_url": "x\x00"})
	if fields, _ := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any); r.Status != 400 || fields["picture_url"] == nil {
		t.Errorf("picture_url with NUL: %d %s", r.Status, r.Body)
	}
}

package e2e

import (
	"fmt"
	"testing"
	"time"
)

// TestContactsCheck runs a check through the bot with and without waiting,
// and keeps other instances out of it.
func TestContactsCheck(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("checks", "5511900000101")
	_, otherToken := p.linkedInstance("other", "5511900000102")
	p.must(200, "POST", "/v1/sim/contacts", adminToken, map[string]any{
		"phone": "5511988880001", "lid": "123456789012345", "name": "Ana", "business": true})
	p.must(200, "POST", "/v1/sim/contacts", adminToken, map[string]any{"phone": "5511988880002"})
	p.must(200, "POST", "/v1/sim/contacts", adminToken, map[string]any{"phone": "5511988880003", "on_whatsapp": false})
	inst := "/v1/instances/" + id
	phones := []string{"5511988880001", "+5511988880002", "5511988880003", "5511988880004"}
	want := []map[string]any{
		{"phone": "5511988880001", "on_whatsapp": true, "jid": "5511988880001@s.whatsapp.net", "lid": "123456789012345@lid", "business": true},
		{"phone": "5511988880002", "on_whatsapp": true, "jid": "5511988880002@s.whatsapp.net", "lid": "", "business": false},
		{"phone": "5511988880003", "on_whatsapp": false, "jid": "", "lid": "", "business": false},
		{"phone": "5511988880004", "on_whatsapp": false, "jid": "", "lid": "", "business": false},
	}
	checkItems := func(what string, result any) {
		t.Helper()
		items, _ := result.(map[string]any)["items"].([]any)
		if len(items) != len(want) {
			t.Fatalf("%s: items %v, want %d", what, result, len(want))
		}
		for i, it := range items {
			if fmt.Sprint(it) != fmt.Sprint(want[i]) {
				t.Errorf("%s: item %d = %v, want %v", what, i, it, want[i])
			}
		}
	}

	// Without wait: 202, then the command reads done.
	acc := p.must(202, "POST", inst+"/contacts/check", token, map[string]any{"phones": phones})
	cid, _ := acc["command_id"].(string)
	if cid == "" || acc["status"] != "pending" {
		t.Fatalf("accepted %v", acc)
	}
	var cmd map[string]any
	eventually(t, 20*time.Second, "the check done", func() bool {
		cmd = p.must(200, "GET", inst+"/commands/"+cid, token, nil)
		return cmd["status"] != "pending"
	})
	if cmd["status"] != "done" || cmd["type"] != "check_contacts" || cmd["error"] != nil || cmd["done_at"] == nil {
		t.Fatalf("command %v", cmd)
	}
	checkItems("GET command", cmd["result"])

	// With wait: the result in the answer.
	done := p.must(200, "POST", inst+"/contacts/check?wait=true", token, map[string]any{"phones": phones})
	if done["status"] != "done" {
		t.Fatalf("waited check %v", done)
	}
	checkItems("wait=true", done["result"])

	// Validation names phones.
	for _, body := range []map[string]any{{"phones": []string{}}, {"phones": []string{"12"}}, {}} {
		r := p.do("POST", inst+"/contacts/check", token, body)
		if r.Status != 400 || r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)["phones"] == nil {
			t.Errorf("check %v = %d %s, want 400 naming phones", body, r.Status, r.Body)
		}
	}

	// Another instance's token sees neither the command nor the route.
	p.must(404, "GET", inst+"/commands/"+cid, otherToken, nil)
	p.must(404, "POST", inst+"/contacts/check", otherToken, map[string]any{"phones": phones})
	p.must(200, "GET", inst+"/commands/"+cid, adminToken, nil)
}

// TestCommandFailsNotConnected: a check for an instance that never links
// ends failed with not_connected once the (shortened) timeout passes.
func TestCommandFailsNotConnected(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start("ZAPGATE_COMMAND_TIMEOUT=1s")
	in := p.must(201, "POST", "/v1/instances", adminToken, map[string]any{"name": "unlinked"})
	inst := "/v1/instances/" + in["id"].(string)
	acc := p.must(202, "POST", inst+"/contacts/check", adminToken, map[string]any{"phones": []string{"5511988880001"}})
	r := p.do("POST", inst+"/contacts/check?wait=true", adminToken, map[string]any{"phones": []string{"5511988880001"}})
	if r.Status != 409 || r.ErrorCode(t) != "not_connected" {
		t.Fatalf("waited check = %d %s, want 409 not_connected", r.Status, r.Body)
	}
	var cmd map[string]any
	eventually(t, 20*time.Second, "the first check failed", func() bool {
		cmd = p.must(200, "GET", inst+"/commands/"+acc["command_id"].(string), adminToken, nil)
		return cmd["status"] != "pending"
	})
	e, _ := cmd["error"].(map[string]any)
	if cmd["status"] != "failed" || e["code"] != "not_connected" || cmd["result"] != nil {
		t.Fatalf("command %v, want failed with not_connected", cmd)
	}
}

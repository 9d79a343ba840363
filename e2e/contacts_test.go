package e2e

import (
	"fmt"
	"net/url"
	"testing"
)

// TestContactsAreKnownFromChecksAndMessages: a check teaches the phone and
// LID of a person, a message their push name; both addresses find the one
// contact, and other instances do not see it.
func TestContactsAreKnownFromChecksAndMessages(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("contacts", "5511900000301")
	otherID, otherToken := p.linkedInstance("other", "5511900000302")
	inst := "/v1/instances/" + id
	p.must(200, "POST", "/v1/sim/contacts", adminToken, map[string]any{
		"phone": "5511988880001", "lid": "123456789012345", "name": "Ana", "business": true})
	done := p.must(200, "POST", inst+"/contacts/check?wait=true", token, map[string]any{"phones": []string{"5511988880001"}})
	if done["status"] != "done" {
		t.Fatalf("check %v", done)
	}
	// The check's contact row was written with its ending: no waiting.
	items := p.must(200, "GET", inst+"/contacts", token, nil)["items"].([]any)
	want := map[string]any{"jid": "5511988880001@s.whatsapp.net", "phone": "5511988880001", "lid": "123456789012345@lid",
		"name": "", "push_name": "", "business_name": "", "blocked": false}
	if len(items) != 1 || fmt.Sprint(items[0]) != fmt.Sprint(want) {
		t.Fatalf("contacts %v, want [%v]", items, want)
	}

	p.must(201, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{
		"from": "5511988880001", "push_name": "Ana Maria", "text": "oi", "wa_message_id": "WA-C-1"})
	p.must(201, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{
		"from": "5511988887777", "push_name": "Bruno", "text": "oi", "wa_message_id": "WA-C-2"})
	want["push_name"] = "Ana Maria"
	for _, addr := range []string{"5511988880001", "5511988880001@s.whatsapp.net", "123456789012345@lid"} {
		got := p.must(200, "GET", inst+"/contacts/"+url.PathEscape(addr), token, nil)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("contact %s = %v, want %v", addr, got, want)
		}
	}
	found := p.must(200, "GET", inst+"/contacts?q=bRuNo", token, nil)["items"].([]any)
	if len(found) != 1 || found[0].(map[string]any)["phone"] != "5511988887777" {
		t.Fatalf("q=bRuNo found %v", found)
	}
	page := p.must(200, "GET", inst+"/contacts?limit=1", token, nil)
	next, _ := page["next"].(string)
	if len(page["items"].([]any)) != 1 || next == "" {
		t.Fatalf("first page %v", page)
	}
	rest := p.must(200, "GET", inst+"/contacts?limit=1&cursor="+url.QueryEscape(next), token, nil)
	if len(rest["items"].([]any)) != 1 || rest["items"].([]any)[0].(map[string]any)["push_name"] != "Bruno" {
		t.Fatalf("second page %v", rest)
	}

	if code := p.do("GET", inst+"/contacts/5511988889999", token, nil).ErrorCode(t); code != "not_found" {
		t.Errorf("unknown contact: %s", code)
	}
	r := p.do("GET", inst+"/contacts/not-an-address", token, nil)
	if fields, _ := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any); r.Status != 400 || fields["address"] == nil {
		t.Errorf("invalid address: %d %s", r.Status, r.Body)
	}
	// Another instance's token, or the other instance's own list.
	for _, path := range []string{inst + "/contacts", inst + "/contacts/5511988880001"} {
		if r := p.do("GET", path, otherToken, nil); r.Status != 404 {
			t.Errorf("GET %s with another instance's token: %d", path, r.Status)
		}
	}
	if items := p.must(200, "GET", "/v1/instances/"+otherID+"/contacts", otherToken, nil)["items"].([]any); len(items) != 0 {
		t.Errorf("the other instance knows %v", items)
	}
}

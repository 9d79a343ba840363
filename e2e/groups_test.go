package e2e

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// groupEvents lists the data of the events of type typ an instance emitted.
func groupEvents(p *proc, instanceID, typ string) []map[string]any {
	p.t.Helper()
	items := p.must(200, "GET", "/v1/events?limit=500&type="+typ+"&instance="+instanceID, adminToken, nil)["items"].([]any)
	out := make([]map[string]any, 0, len(items))
	for _, it := range items {
		out = append(out, it.(map[string]any)["data"].(map[string]any))
	}
	return out
}

// hasGroupEvent tells whether the instance emitted an event of type typ
// about group jid whose data satisfies match (nil: any).
func hasGroupEvent(p *proc, instanceID, typ, jid string, match func(map[string]any) bool) bool {
	for _, d := range groupEvents(p, instanceID, typ) {
		if d["jid"] == jid && (match == nil || match(d)) {
			return true
		}
	}
	return false
}

// participantsEvent matches a group.participants of action naming jids.
func participantsEvent(action string, jids ...string) func(map[string]any) bool {
	return func(d map[string]any) bool {
		if d["action"] != action {
			return false
		}
		var got []string
		for _, j := range d["participants"].([]any) {
			got = append(got, j.(string))
		}
		slices.Sort(got)
		want := slices.Clone(jids)
		slices.Sort(want)
		return slices.Equal(got, want)
	}
}

// roles maps each participant's phone to its role.
func roles(t *testing.T, g map[string]any) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, it := range g["participants"].([]any) {
		m := it.(map[string]any)
		out[m["phone"].(string)] = m["role"].(string)
	}
	return out
}

func groupPath(inst, jid string) string { return inst + "/groups/" + url.PathEscape(jid) }

// TestGroupLifecycle: an instance creates groups (waiting and not), changes
// them, adds and removes people (one not on WhatsApp fails alone, another
// instance added learns of it), hands out an invite link that a third
// instance joins by, writes to the group and leaves one.
func TestGroupLifecycle(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	const (
		aPhone, bPhone, cPhone = "5511900000401", "5511900000402", "5511900000403"
		ana, bea, ghost        = "5511988880401", "5511988880402", "5511988880499"
	)
	aID, aToken := p.linkedInstance("groups-a", aPhone)
	bID, bToken := p.linkedInstance("groups-b", bPhone)
	cID, cToken := p.linkedInstance("groups-c", cPhone)
	a := "/v1/instances/" + aID
	p.must(200, "POST", "/v1/sim/contacts", adminToken, map[string]any{"phone": ana, "lid": "4010001"})
	p.must(200, "POST", "/v1/sim/contacts", adminToken, map[string]any{"phone": bea})
	p.must(200, "POST", "/v1/sim/contacts", adminToken, map[string]any{"phone": ghost, "on_whatsapp": false})

	// Created without waiting: read the command until it is done. The
	// person not on WhatsApp is left out; the group is created anyway.
	pending := p.must(202, "POST", a+"/groups", aToken, map[string]any{"subject": "Team", "participants": []string{ana, ghost}})
	var team map[string]any
	eventually(t, 20*time.Second, "the create command done", func() bool {
		cmd := p.must(200, "GET", a+"/commands/"+pending["command_id"].(string), aToken, nil)
		team, _ = cmd["result"].(map[string]any)
		return cmd["status"] == "done"
	})
	jid := team["jid"].(string)
	if !strings.HasSuffix(jid, "@g.us") || len(strings.TrimSuffix(jid, "@g.us")) != 18 || team["participants_count"] != float64(2) {
		t.Fatalf("created %v", team)
	}
	if got := roles(t, team); got[aPhone] != "superadmin" || got[ana] != "member" {
		t.Fatalf("roles %v", got)
	}
	eventually(t, 20*time.Second, "group.joined for the creator", func() bool { return hasGroupEvent(p, aID, "group.joined", jid, nil) })
	// Created waiting: the result comes in the answer.
	second := p.must(200, "POST", a+"/groups?wait=true", aToken, map[string]any{"subject": "Second"})["result"].(map[string]any)
	secondJID := second["jid"].(string)

	list := p.must(200, "GET", a+"/groups", aToken, nil)["items"].([]any)
	if len(list) != 2 || list[0].(map[string]any)["jid"] != jid || list[0].(map[string]any)["participants_count"] != float64(2) {
		t.Fatalf("groups %v", list)
	}
	if _, ok := list[0].(map[string]any)["participants"]; ok {
		t.Errorf("the list shows participants: %v", list[0])
	}
	g := p.must(200, "GET", groupPath(a, jid), aToken, nil)
	// Clients may escape the "@".
	if escaped := p.must(200, "GET", a+"/groups/"+strings.Replace(jid, "@", "%40", 1), aToken, nil); escaped["jid"] != jid {
		t.Fatalf("escaped jid read %v", escaped)
	}
	for _, it := range g["participants"].([]any) {
		if m := it.(map[string]any); m["phone"] == ana && (m["lid"] != "4010001@lid" || m["jid"] != ana+"@s.whatsapp.net") {
			t.Errorf("Ana as a participant: %v", m)
		}
	}
	// The participant list taught Ana's phone and LID as one contact.
	if c := p.must(200, "GET", a+"/contacts/4010001@lid", aToken, nil); c["phone"] != ana {
		t.Errorf("contact by LID %v", c)
	}

	updated := p.must(200, "PATCH", groupPath(a, jid)+"?wait=true", aToken,
		map[string]any{"subject": "Team 2", "description": "the team", "locked": true})["result"].(map[string]any)
	if updated["subject"] != "Team 2" || updated["description"] != "the team" || updated["locked"] != true {
		t.Fatalf("updated %v", updated)
	}
	eventually(t, 20*time.Second, "group.updated", func() bool {
		return hasGroupEvent(p, aID, "group.updated", jid, func(d map[string]any) bool { return d["subject"] == "Team 2" })
	})

	// Add: Bea and instance B succeed, the ghost fails alone. B learns of
	// the group it was added to.
	res := p.must(200, "POST", groupPath(a, jid)+"/participants?wait=true", aToken,
		map[string]any{"action": "add", "participants": []string{bea, ghost, bPhone}})["result"].(map[string]any)["items"].([]any)
	oks := []string{}
	for _, it := range res {
		m := it.(map[string]any)
		oks = append(oks, fmt.Sprintf("%v:%v:%v", m["jid"], m["ok"], m["error"] != ""))
	}
	want := []string{bea + "@s.whatsapp.net:true:false", ghost + "@s.whatsapp.net:false:true", bPhone + "@s.whatsapp.net:true:false"}
	if !slices.Equal(oks, want) {
		t.Fatalf("add results %v, want %v", oks, want)
	}
	eventually(t, 20*time.Second, "group.participants add", func() bool {
		return hasGroupEvent(p, aID, "group.participants", jid, participantsEvent("add", bea+"@s.whatsapp.net", bPhone+"@s.whatsapp.net"))
	})
	eventually(t, 20*time.Second, "B learns it was added", func() bool { return hasGroupEvent(p, bID, "group.joined", jid, nil) })
	if items := p.must(200, "GET", "/v1/instances/"+bID+"/groups", bToken, nil)["items"].([]any); len(items) != 1 {
		t.Fatalf("B's groups %v", items)
	}

	for _, step := range []struct{ action, who string }{{"promote", bea}, {"demote", bea}, {"promote", bPhone}, {"remove", ana}} {
		r := p.must(200, "POST", groupPath(a, jid)+"/participants?wait=true", aToken,
			map[string]any{"action": step.action, "participants": []string{step.who}})["result"].(map[string]any)["items"].([]any)
		if r[0].(map[string]any)["ok"] != true {
			t.Fatalf("%s %s: %v", step.action, step.who, r)
		}
	}
	got := roles(t, p.must(200, "GET", groupPath(a, jid), aToken, nil))
	if got[bea] != "member" || got[bPhone] != "admin" || got[ana] != "" || len(got) != 3 {
		t.Fatalf("roles after changes %v", got)
	}
	// B saw those changes too (it is a member now).
	eventually(t, 20*time.Second, "B sees Ana removed", func() bool {
		return hasGroupEvent(p, bID, "group.participants", jid, participantsEvent("remove", ana+"@s.whatsapp.net"))
	})
	// Removing someone who is not in the group fails for them alone.
	r := p.must(200, "POST", groupPath(a, jid)+"/participants?wait=true", aToken,
		map[string]any{"action": "remove", "participants": []string{ana}})["result"].(map[string]any)["items"].([]any)
	if m := r[0].(map[string]any); m["ok"] != false || m["error"] == "" {
		t.Fatalf("removing a stranger: %v", m)
	}

	// Invite link; a reset revokes the old one.
	link := p.must(200, "GET", groupPath(a, jid)+"/invite-link?wait=true", aToken, nil)["result"].(map[string]any)["link"].(string)
	fresh := p.must(200, "GET", groupPath(a, jid)+"/invite-link?wait=true&reset=true", aToken, nil)["result"].(map[string]any)["link"].(string)
	if !strings.HasPrefix(link, "https://chat.whatsapp.com/") || fresh == link || !strings.HasPrefix(fresh, "https://chat.whatsapp.com/") {
		t.Fatalf("links %q then %q", link, fresh)
	}
	c := "/v1/instances/" + cID
	if code := p.do("POST", c+"/groups/join?wait=true", cToken, map[string]any{"link": link}).ErrorCode(t); code != "whatsapp_refused" {
		t.Fatalf("joining by the revoked link: %s", code)
	}
	joined := p.must(200, "POST", c+"/groups/join?wait=true", cToken, map[string]any{"link": fresh})["result"].(map[string]any)
	if joined["jid"] != jid || joined["participants_count"] != float64(4) {
		t.Fatalf("joined %v", joined)
	}
	cJID := cPhone + "@s.whatsapp.net"
	eventually(t, 20*time.Second, "the joiner records its arrival", func() bool {
		return hasGroupEvent(p, cID, "group.joined", jid, nil) && hasGroupEvent(p, cID, "group.participants", jid, participantsEvent("add", cJID))
	})
	eventually(t, 20*time.Second, "A and B see C arrive", func() bool {
		return hasGroupEvent(p, aID, "group.participants", jid, participantsEvent("add", cJID)) &&
			hasGroupEvent(p, bID, "group.participants", jid, participantsEvent("add", cJID))
	})
	// C is a plain member of a locked group: WhatsApp refuses its edit.
	if code := p.do("PATCH", groupPath(c, jid)+"?wait=true", cToken, map[string]any{"subject": "mine"}).ErrorCode(t); code != "whatsapp_refused" {
		t.Fatalf("a plain member edits a locked group: %s", code)
	}

	// A text to the group goes to the group's chat.
	p.must(202, "POST", a+"/messages", aToken, map[string]any{"to": jid, "type": "text", "text": "hello team"})
	eventually(t, 20*time.Second, "the group message sent", func() bool {
		for _, it := range p.must(200, "GET", "/v1/sim/instances/"+aID+"/sent", adminToken, nil)["items"].([]any) {
			if m := it.(map[string]any); m["chat"] == jid && m["text"] == "hello team" {
				return true
			}
		}
		return false
	})

	// Leaving: group.left, gone from the list; the others see C go.
	left := p.must(200, "POST", groupPath(a, secondJID)+"/leave?wait=true", aToken, nil)["result"].(map[string]any)
	if left["jid"] != secondJID {
		t.Fatalf("left %v", left)
	}
	eventually(t, 20*time.Second, "group.left", func() bool { return hasGroupEvent(p, aID, "group.left", secondJID, nil) })
	items := p.must(200, "GET", a+"/groups", aToken, nil)["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["jid"] != jid {
		t.Fatalf("groups after leaving %v", items)
	}
	if code := p.do("GET", groupPath(a, secondJID), aToken, nil).ErrorCode(t); code != "not_found" {
		t.Fatalf("the left group reads %s", code)
	}
	p.must(200, "POST", groupPath(c, jid)+"/leave?wait=true", cToken, nil)
	eventually(t, 20*time.Second, "A sees C leave", func() bool {
		return hasGroupEvent(p, aID, "group.participants", jid, participantsEvent("remove", cJID))
	})
	eventually(t, 20*time.Second, "C's group.left", func() bool { return len(groupEvents(p, cID, "group.left")) == 1 })
}

// TestGroupCreatedElsewhereIsLearnt: a group someone else created reaches
// a connected member at once and an unlinked one when it connects (the
// sync on connect).
func TestGroupCreatedElsewhereIsLearnt(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	aID, aToken := p.linkedInstance("elsewhere-a", "5511900000411")
	later := p.must(201, "POST", "/v1/instances", adminToken, map[string]any{"name": "elsewhere-later"})
	laterID, laterToken := later["id"].(string), later["token"].(string)

	jid := p.must(201, "POST", "/v1/sim/groups", adminToken, map[string]any{
		"subject": "Neighbours", "participants": []string{"5511988880410"}, "members": []string{aID, laterID}})["jid"].(string)
	eventually(t, 20*time.Second, "group.joined for the connected member", func() bool {
		return hasGroupEvent(p, aID, "group.joined", jid, func(d map[string]any) bool { return d["subject"] == "Neighbours" })
	})
	items := p.must(200, "GET", "/v1/instances/"+aID+"/groups", aToken, nil)["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["jid"] != jid || items[0].(map[string]any)["owner"] != "5511988880410@s.whatsapp.net" {
		t.Fatalf("groups %v", items)
	}
	// Not linked, so not told; it learns when it connects.
	if n := len(groupEvents(p, laterID, "group.joined")); n != 0 {
		t.Fatalf("an unlinked instance was told: %d events", n)
	}
	p.link(laterID, "5511900000412")
	eventually(t, 20*time.Second, "the sync on connect", func() bool { return hasGroupEvent(p, laterID, "group.joined", jid, nil) })
	g := p.must(200, "GET", groupPath("/v1/instances/"+laterID, jid), laterToken, nil)
	if got := roles(t, g); got["5511900000412"] != "member" || got["5511900000411"] != "member" || got["5511988880410"] != "superadmin" {
		t.Fatalf("roles %v", got)
	}
	// Connecting again syncs again, and nothing changed: no new event.
	p.must(200, "POST", "/v1/sim/instances/"+laterID+"/faults", adminToken, map[string]any{"disconnect": true})
	eventually(t, 20*time.Second, "reconnected", func() bool {
		return p.must(200, "GET", "/v1/instances/"+laterID, adminToken, nil)["status"] == "connected" &&
			loggedSyncs(p, laterID) >= 2
	})
	if n := len(groupEvents(p, laterID, "group.joined")) + len(groupEvents(p, laterID, "group.updated")); n != 1 {
		t.Fatalf("a sync with nothing new emitted: %d events", n)
	}
}

// loggedSyncs counts the groups syncs the process logged for the instance.
func loggedSyncs(p *proc, id string) int {
	return p.logLines("groups synced", id)
}

// TestGroupRoutesRefuseOthersAndBadInput: another instance's token gets 404
// on every group route; bad input is a 400 naming the field.
func TestGroupRoutesRefuseOthersAndBadInput(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	aID, aToken := p.linkedInstance("guard-a", "5511900000421")
	_, bToken := p.linkedInstance("guard-b", "5511900000422")
	a := "/v1/instances/" + aID
	jid := p.must(200, "POST", a+"/groups?wait=true", aToken, map[string]any{"subject": "Private"})["result"].(map[string]any)["jid"].(string)
	g := groupPath(a, jid)
	routes := []struct {
		method, path string
		body         any
	}{
		{"GET", a + "/groups", nil},
		{"POST", a + "/groups", map[string]any{"subject": "x"}},
		{"POST", a + "/groups/join", map[string]any{"link": "AbC"}},
		{"GET", g, nil},
		{"PATCH", g, map[string]any{"subject": "x"}},
		{"POST", g + "/participants", map[string]any{"action": "add", "participants": []string{"5511988880001"}}},
		{"GET", g + "/invite-link", nil},
		{"POST", g + "/leave", nil},
	}
	for _, r := range routes {
		if got := p.do(r.method, r.path, bToken, r.body); got.Status != 404 {
			t.Errorf("%s %s with another instance's token: %d %s", r.method, r.path, got.Status, got.Body)
		}
	}

	bad := []struct {
		method, path string
		body         any
		field        string
	}{
		{"GET", a + "/groups/5511999998888", nil, "jid"},
		{"GET", a + "/groups/" + url.PathEscape("5511999998888@s.whatsapp.net"), nil, "jid"},
		{"POST", a + "/groups/5511999998888/leave", nil, "jid"},
		{"GET", a + "/groups/abc/invite-link", nil, "jid"},
		{"POST", a + "/groups", map[string]any{"subject": ""}, "subject"},
		{"POST", a + "/groups", map[string]any{"subject": "a\x00b"}, "subject"},
		{"POST", a + "/groups", map[string]any{"subject": strings.Repeat("s", 101)}, "subject"},
		{"POST", a + "/groups", map[string]any{"subject": "x", "participants": []string{jid}}, "participants"},
		{"PATCH", g, map[string]any{}, "subject"},
		{"PATCH", g, map[string]any{"description": "d\x00"}, "description"},
		{"PATCH", groupPath(a, "123@lid"), map[string]any{"subject": "x"}, "jid"},
		{"POST", g + "/participants", map[string]any{"action": "kick", "participants": []string{"5511988880001"}}, "action"},
		{"POST", g + "/participants", map[string]any{"action": "add", "participants": []string{}}, "participants"},
		{"POST", g + "/participants", map[string]any{"action": "add", "participants": []string{"nope"}}, "participants"},
		{"POST", a + "/groups/join", map[string]any{"link": "https://evil.example/AbC"}, "link"},
		{"POST", a + "/groups/join", map[string]any{"link": "AbC\x00"}, "link"},
		{"POST", "/v1/sim/groups", map[string]any{"subject": "x\x00"}, "subject"},
		{"POST", "/v1/sim/groups", map[string]any{"subject": "x", "members": []string{"0190f3a4-0000-7000-8000-00000000000a"}}, "members"},
	}
	for _, b := range bad {
		token := aToken
		if strings.HasPrefix(b.path, "/v1/sim/") {
			token = adminToken
		}
		r := p.do(b.method, b.path, token, b.body)
		fields, _ := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)
		if r.Status != 400 || fields[b.field] == nil {
			t.Errorf("%s %s %v: %d %s, want 400 naming %s", b.method, b.path, b.body, r.Status, r.Body, b.field)
		}
	}
	// Nothing the refused requests asked for happened.
	if n := len(p.must(200, "GET", a+"/groups", aToken, nil)["items"].([]any)); n != 1 {
		t.Fatalf("%d groups after refused requests", n)
	}
}

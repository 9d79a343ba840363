package e2e

import (
	"testing"
	"time"
)

// TestGroupsAsAttendances: an instance that attends groups files a group's
// members into one attendance whose client is the group (named by its
// subject), its timeline shows who wrote, and a reply goes to the group;
// an instance that does not opens nothing for the same group.
func TestGroupsAsAttendances(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	offID, _ := p.linkedInstance("groups-off", "5511900000601")
	onID, onToken := p.linkedInstance("groups-on", "5511900000602")
	const ana, bia, carl = "5511988880601", "5511988880602", "5511988880603"
	inst := p.must(200, "PATCH", "/v1/instances/"+onID, adminToken, map[string]any{"attend_groups": true})
	if inst["attend_groups"] != true {
		t.Fatalf("patched instance %v", inst)
	}
	if off := p.must(200, "GET", "/v1/instances/"+offID, adminToken, nil); off["attend_groups"] != false {
		t.Fatalf("default instance %v", off)
	}
	if r := p.do("PATCH", "/v1/instances/"+onID, adminToken, map[string]any{"attend_groups": "yes"}); r.Status != 400 {
		t.Fatalf("attend_groups \"yes\" = %d %s", r.Status, r.Body)
	}
	group := p.must(201, "POST", "/v1/sim/groups", adminToken, map[string]any{
		"subject": "Store 12", "participants": []string{ana, bia}, "members": []string{offID, onID}})["jid"].(string)
	// The subject names the group client once the bot recorded the group.
	eventually(t, 20*time.Second, "the group recorded", func() bool {
		return len(p.must(200, "GET", "/v1/instances/"+onID+"/groups", onToken, nil)["items"].([]any)) == 1
	})

	say := func(instance, from, name, text, wa string) {
		p.must(201, "POST", "/v1/sim/instances/"+instance+"/inbound", adminToken, map[string]any{
			"from": from, "push_name": name, "group": group, "text": text, "wa_message_id": wa})
	}
	say(offID, ana, "Ana", "hello?", "WA-GA-OFF-1")
	say(onID, ana, "Ana", "hello?", "WA-GA-1")
	say(onID, bia, "Bia", "we need help", "WA-GA-2")
	var att map[string]any
	eventually(t, 20*time.Second, "one group attendance with both messages", func() bool {
		items := p.must(200, "GET", "/v1/attendances?instance="+onID, adminToken, nil)["items"].([]any)
		if len(items) != 1 {
			return false
		}
		att = items[0].(map[string]any)
		return att["unread"] == float64(2)
	})
	client := att["client"].(map[string]any)
	if client["group_jid"] != group || client["phone"] != "" || client["lid"] != "" || client["push_name"] != "Store 12" {
		t.Fatalf("group client %v", client)
	}
	aid := att["id"].(string)
	got := p.must(200, "GET", "/v1/attendances/"+aid, adminToken, nil)
	msgs := got["messages"].([]any)
	if len(msgs) != 2 {
		t.Fatalf("timeline %v", msgs)
	}
	for i, want := range []struct{ participant, name string }{{ana, "Ana"}, {bia, "Bia"}} {
		m := msgs[i].(map[string]any)
		if m["participant"] != want.participant && m["participant"] != want.participant+"@s.whatsapp.net" || m["push_name"] != want.name {
			t.Errorf("timeline message %d = %v, want participant %s %s", i, m, want.participant, want.name)
		}
	}

	reply := p.must(202, "POST", "/v1/attendances/"+aid+"/messages", adminToken, map[string]any{"type": "text", "text": "On it!"})
	if reply["to"] != group {
		t.Fatalf("reply %v", reply)
	}
	eventually(t, 20*time.Second, "the reply in the group", func() bool {
		for _, it := range p.must(200, "GET", "/v1/sim/instances/"+onID+"/sent", adminToken, nil)["items"].([]any) {
			if s := it.(map[string]any); s["text"] == "On it!" {
				return s["chat"] == group
			}
		}
		return false
	})

	// The instance that does not attend groups: a person writing directly
	// opens an attendance, filed after the group message, which opened none.
	p.inbound(offID, carl, "direct", "WA-GA-OFF-2")
	eventually(t, 20*time.Second, "the direct message filed", func() bool {
		return len(p.must(200, "GET", "/v1/attendances?instance="+offID, adminToken, nil)["items"].([]any)) > 0
	})
	items := p.must(200, "GET", "/v1/attendances?instance="+offID, adminToken, nil)["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["client"].(map[string]any)["phone"] != carl {
		t.Fatalf("attendances of the instance not attending groups: %v", items)
	}
}

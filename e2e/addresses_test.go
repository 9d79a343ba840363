package e2e

import (
	"strings"
	"testing"
	"time"
)

// A message goes to a phone, a phone JID, a LID or a group; each reaches
// WhatsApp (the sim) with the right chat, and the message shows it.
func TestSendToEveryAddress(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("addresses", "5511900000060")
	tests := []struct {
		to, wantTo, chat string
	}{
		{"+5511999990061", "5511999990061", "5511999990061@s.whatsapp.net"},
		{"5511999990062@s.whatsapp.net", "5511999990062", "5511999990062@s.whatsapp.net"},
		{"123456789012345@lid", "123456789012345@lid", "123456789012345@lid"},
		{"120363025246125244@g.us", "120363025246125244@g.us", "120363025246125244@g.us"},
	}
	ids := map[string]int{}
	for i, tt := range tests {
		m := p.must(202, "POST", "/v1/instances/"+id+"/messages", token, map[string]any{"to": tt.to, "type": "text", "text": "hi " + tt.to})
		if m["to"] != tt.wantTo || m["chat"] != tt.chat {
			t.Fatalf("accepted %q = %v, want to %q chat %q", tt.to, m, tt.wantTo, tt.chat)
		}
		ids[m["id"].(string)] = i
	}
	for mid, i := range ids {
		m := p.sentMessage(id, mid)
		if m["to"] != tests[i].wantTo || m["chat"] != tests[i].chat || m["is_group"] != strings.HasSuffix(tests[i].chat, "@g.us") {
			t.Errorf("message %v, want to %q chat %q", m, tests[i].wantTo, tests[i].chat)
		}
		for _, f := range []string{"from_lid", "to_lid", "participant"} {
			if v, ok := m[f]; !ok || v != "" {
				t.Errorf("message %s = %v, want present and empty", f, v)
			}
		}
	}
	sent := p.must(200, "GET", "/v1/sim/instances/"+id+"/sent", adminToken, nil)["items"].([]any)
	if len(sent) != len(tests) {
		t.Fatalf("sim sent %d items, want %d: %v", len(sent), len(tests), sent)
	}
	for _, it := range sent {
		s := it.(map[string]any)
		found := false
		for _, tt := range tests {
			if s["text"] == "hi "+tt.to {
				found = true
				if s["chat"] != tt.chat || s["to"] != tt.wantTo {
					t.Errorf("sim sent %v, want to %q chat %q", s, tt.wantTo, tt.chat)
				}
			}
		}
		if !found {
			t.Errorf("unexpected send %v", s)
		}
	}
	// Anything else is 400 naming to, for messages and send hooks alike.
	for _, bad := range []string{"hello", "1234567", "5511999990061@c.us", "abc@lid", "1-2-3@g.us", "status@broadcast", "5511999990061:2@s.whatsapp.net"} {
		for _, r := range []response{
			p.do("POST", "/v1/instances/"+id+"/messages", token, map[string]any{"to": bad, "type": "text", "text": "x"}),
			p.do("POST", "/v1/instances/"+id+"/send-hooks", token, map[string]any{"name": "bad", "to": bad}),
		} {
			if r.Status != 400 || r.ErrorCode(t) != "invalid_request" {
				t.Fatalf("to %q = %d %s", bad, r.Status, r.Body)
			}
			fields, _ := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)
			if !strings.Contains(fields["to"].(string), "@g.us") {
				t.Errorf("to %q: fields = %v", bad, fields)
			}
		}
	}
}

// A send hook whose default recipient is a group posts to the group; ?to=
// takes a LID.
func TestSendHookToAGroup(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("ci", "5511900000070")
	hook := p.must(201, "POST", "/v1/instances/"+id+"/send-hooks", token, map[string]any{"name": "deploys", "to": "120363025246125244@g.us"})
	if hook["to"] != "120363025246125244@g.us" {
		t.Fatalf("hook = %v", hook)
	}
	path := "/hooks/" + hook["token"].(string)
	if r := p.do("POST", path, "", []byte("deploy done"), "Content-Type", "text/plain"); r.Status != 202 {
		t.Fatalf("hook post = %d %s", r.Status, r.Body)
	}
	if r := p.do("POST", path+"?to=987654321@lid", "", []byte("to a lid"), "Content-Type", "text/plain"); r.Status != 202 {
		t.Fatalf("hook post ?to = %d %s", r.Status, r.Body)
	}
	if r := p.do("POST", path+"?to=nobody@g.us", "", []byte("x"), "Content-Type", "text/plain"); r.Status != 400 {
		t.Fatalf("hook post bad ?to = %d %s", r.Status, r.Body)
	}
	var sent []any
	eventually(t, 30*time.Second, "2 hook sends", func() bool {
		sent = p.must(200, "GET", "/v1/sim/instances/"+id+"/sent", adminToken, nil)["items"].([]any)
		return len(sent) == 2
	})
	want := map[string]string{"deploy done": "120363025246125244@g.us", "to a lid": "987654321@lid"}
	for _, it := range sent {
		s := it.(map[string]any)
		if want[s["text"].(string)] != s["chat"] {
			t.Errorf("sim sent %v", s)
		}
	}
}

// A message written in a group names the group as its chat and the member
// as participant, and never makes the group (or its member) a helpdesk
// client.
func TestGroupInboundIsNotACustomer(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, _ := p.linkedInstance("team", "5511900000080")
	r := p.do("POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{
		"from": "5511988880081", "text": "in the group", "wa_message_id": "WA-G1", "group": "120363025246125244@g.us"})
	if r.Status != 201 && r.Status != 200 {
		t.Fatalf("group inbound = %d %s", r.Status, r.Body)
	}
	if r := p.do("POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{
		"from": "5511988880081", "text": "x", "group": "5511988880081@s.whatsapp.net"}); r.Status != 400 {
		t.Fatalf("group that is a person = %d %s", r.Status, r.Body)
	}
	// A direct message after the group one: once it is filed, the group
	// message has been through the helpdesk too (events are filed in order).
	p.inbound(id, "5511988880082", "direct", "WA-D1")
	var atts []any
	eventually(t, 20*time.Second, "the direct message's attendance", func() bool {
		atts = p.must(200, "GET", "/v1/attendances", adminToken, nil)["items"].([]any)
		return len(atts) > 0
	})
	if len(atts) != 1 || atts[0].(map[string]any)["client"].(map[string]any)["phone"] != "5511988880082" {
		t.Fatalf("attendances = %v", atts)
	}
	list := p.must(200, "GET", "/v1/instances/"+id+"/messages?direction=in", adminToken, nil)["items"].([]any)
	found := false
	for _, it := range list {
		m := it.(map[string]any)
		switch m["wa_message_id"] {
		case "WA-G1":
			found = true
			if m["chat"] != "120363025246125244@g.us" || m["participant"] != "5511988880081@s.whatsapp.net" ||
				m["from"] != "5511988880081" || m["is_group"] != true || m["attendance_id"] != nil {
				t.Errorf("group message = %v", m)
			}
		case "WA-D1":
			if m["chat"] != "5511988880082@s.whatsapp.net" || m["participant"] != "" {
				t.Errorf("direct message = %v", m)
			}
		}
	}
	if !found {
		t.Fatalf("group message not listed: %v", list)
	}
}

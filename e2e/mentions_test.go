package e2e

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// jids reads a JSON list of strings.
func jids(t *testing.T, v any) []string {
	t.Helper()
	list, ok := v.([]any)
	if !ok {
		t.Fatalf("%v is not a list", v)
	}
	out := make([]string, 0, len(list))
	for _, it := range list {
		out = append(out, it.(string))
	}
	return out
}

// sentBy finds what the sim received with a WhatsApp message id.
func sentBy(t *testing.T, p *proc, instanceID, waID string) map[string]any {
	t.Helper()
	for _, it := range p.must(200, "GET", "/v1/sim/instances/"+instanceID+"/sent", adminToken, nil)["items"].([]any) {
		if s := it.(map[string]any); s["wa_message_id"] == waID {
			return s
		}
	}
	t.Fatalf("the sim received no %s", waID)
	return nil
}

// TestMentionsInGroupMessages: named mentions and mention_all reach
// WhatsApp as JIDs and show on the message; incoming mentions show too.
func TestMentionsInGroupMessages(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("mentions", "5511900000501")
	_, otherToken := p.linkedInstance("other", "5511900000502")
	inst := "/v1/instances/" + id
	const ana, bia = "5511988880501", "5511988880502"
	for _, phone := range []string{ana, bia} { // people on the network can be added
		p.must(200, "POST", "/v1/sim/contacts", adminToken, map[string]any{"phone": phone})
	}
	created := p.must(200, "POST", inst+"/groups?wait=true", token, map[string]any{"subject": "Team", "participants": []string{ana, bia}})
	group := created["result"].(map[string]any)["jid"].(string)
	var members []string
	participants := p.must(200, "GET", inst+"/groups/"+url.PathEscape(group), token, nil)["participants"].([]any)
	for _, it := range participants {
		// The instance is a member but is not mentioned by its own message.
		if jid := it.(map[string]any)["jid"].(string); jid != "5511900000501@s.whatsapp.net" {
			members = append(members, jid)
		}
	}
	if len(participants) != 3 || len(members) != 2 { // the instance and the two people
		t.Fatalf("group participants %v", participants)
	}

	tests := []struct {
		name string
		body map[string]any
		want []string
	}{
		{"named", map[string]any{"text": "deploy done @" + ana, "mentions": []string{ana, "+" + ana, "777@lid"}},
			[]string{ana + "@s.whatsapp.net", "777@lid"}},
		{"everyone", map[string]any{"text": "meeting", "mention_all": true}, members},
		{"an image caption", map[string]any{"type": "image", "caption": "@" + bia, "mentions": []string{bia},
			"media": map[string]any{"data": "data:image/png;base64," + b64(pngFile)}}, []string{bia + "@s.whatsapp.net"}},
		{"nobody", map[string]any{"text": "plain"}, []string{}},
	}
	for _, tt := range tests {
		body := map[string]any{"to": group, "type": "text"}
		for k, v := range tt.body {
			body[k] = v
		}
		mid := p.must(202, "POST", inst+"/messages", token, body)["id"].(string)
		var m map[string]any
		eventually(t, 20*time.Second, tt.name+" sent", func() bool {
			m = p.must(200, "GET", inst+"/messages/"+mid, token, nil)
			return m["status"] == "sent"
		})
		got := jids(t, m["mentions"])
		if tt.name == "everyone" {
			slices.Sort(got)
			slices.Sort(tt.want)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: message mentions %v, want %v", tt.name, got, tt.want)
		}
		s := sentBy(t, p, id, m["wa_message_id"].(string))
		sent := jids(t, s["mentions"])
		if tt.name == "everyone" {
			slices.Sort(sent)
		}
		if !slices.Equal(sent, tt.want) || s["chat"] != group {
			t.Errorf("%s: the sim received %v, want mentions %v in %s", tt.name, s, tt.want, group)
		}
	}

	// Incoming: a member mentions the instance's phone.
	p.must(201, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{"from": ana, "group": group,
		"text": "@5511900000501 ok", "mentions": []string{"5511900000501"}, "wa_message_id": "WA-MENTION-1"})
	var in map[string]any
	eventually(t, 20*time.Second, "the incoming message listed", func() bool {
		for _, it := range p.must(200, "GET", inst+"/messages?direction=in", token, nil)["items"].([]any) {
			if m := it.(map[string]any); m["wa_message_id"] == "WA-MENTION-1" {
				in = m
				return true
			}
		}
		return false
	})
	if got := jids(t, in["mentions"]); !slices.Equal(got, []string{"5511900000501@s.whatsapp.net"}) {
		t.Errorf("incoming mentions %v", got)
	}
	// The event log lists a commit once every older transaction has ended
	// (its horizon is cluster-wide): wait for it.
	var received []map[string]any
	eventually(t, 20*time.Second, "message.received logged", func() bool {
		received = groupEvents(p, id, "message.received")
		return len(received) > 0
	})
	if len(received) != 1 || fmt.Sprint(received[0]["mentions"]) != "[5511900000501@s.whatsapp.net]" {
		t.Errorf("message.received %v", received)
	}

	// Bad input.
	many := make([]string, 1025)
	for i := range many {
		many[i] = ana
	}
	bad := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"to": group, "mentions": []string{"not-an-address"}}, "mentions"},
		{map[string]any{"to": group, "mentions": []string{group}}, "mentions"},
		{map[string]any{"to": group, "mentions": many}, "mentions"},
		{map[string]any{"to": group, "mentions": []string{"5511\x00"}}, "mentions"},
		{map[string]any{"to": ana, "mention_all": true}, "mention_all"},
	}
	for _, b := range bad {
		b.body["type"], b.body["text"] = "text", "hi"
		r := p.do("POST", inst+"/messages", token, b.body)
		fields, _ := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)
		if r.Status != 400 || fields[b.field] == nil {
			t.Errorf("%v: %d %s, want 400 naming %s", b.body["mentions"], r.Status, truncate(r.Body), b.field)
		}
	}
	ri := p.do("POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{"from": ana, "text": "x", "mentions": []string{"nobody"}})
	if fields, _ := ri.JSON(t)["error"].(map[string]any)["fields"].(map[string]any); ri.Status != 400 || fields["mentions"] == nil {
		t.Errorf("sim inbound with a bad mention: %d %s", ri.Status, ri.Body)
	}
	r := p.do("POST", inst+"/messages", token, map[string]any{"to": "120363000000000599@g.us", "type": "text", "text": "hi", "mention_all": true})
	if r.Status != 404 || !strings.Contains(string(r.Body), "group") {
		t.Errorf("mention_all in a group the instance is not in: %d %s", r.Status, r.Body)
	}
	// Another instance's token cannot send (or mention) as this one.
	if r := p.do("POST", inst+"/messages", otherToken, map[string]any{"to": group, "type": "text", "text": "hi", "mention_all": true}); r.Status != 404 {
		t.Errorf("another instance's token: %d", r.Status)
	}
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

// TestSendShowsTheRecipientsPhoneAndLID: once a check paired a phone with
// its LID, a message to the LID shows the phone in `to` and the LID in
// to_lid, and goes to the LID; one to the phone shows the LID too.
func TestSendShowsTheRecipientsPhoneAndLID(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("to-lid", "5511900000511")
	inst := "/v1/instances/" + id
	const phone, lid = "5511988880511", "511511511@lid"
	// Before anything is known, a LID is all there is.
	first := p.must(202, "POST", inst+"/messages", token, map[string]any{"to": lid, "type": "text", "text": "who?"})
	if first["to"] != lid || first["to_lid"] != "" {
		t.Fatalf("unknown LID: to %v to_lid %v", first["to"], first["to_lid"])
	}
	p.must(200, "POST", "/v1/sim/contacts", adminToken, map[string]any{"phone": phone, "lid": lid})
	p.must(200, "POST", inst+"/contacts/check?wait=true", token, map[string]any{"phones": []string{phone}})

	tests := []struct{ to, wantSentTo string }{
		{lid, lid},
		{phone, phone},
		{"+" + phone, phone},
	}
	for _, tt := range tests {
		m := p.must(202, "POST", inst+"/messages", token, map[string]any{"to": tt.to, "type": "text", "text": "hi"})
		if m["to"] != phone || m["to_lid"] != lid {
			t.Errorf("to %s: answered to %v to_lid %v, want %s %s", tt.to, m["to"], m["to_lid"], phone, lid)
		}
		mid := m["id"].(string)
		eventually(t, 20*time.Second, "sent to "+tt.to, func() bool {
			m = p.must(200, "GET", inst+"/messages/"+mid, token, nil)
			return m["status"] == "sent"
		})
		if m["to"] != phone || m["to_lid"] != lid {
			t.Errorf("to %s: stored to %v to_lid %v", tt.to, m["to"], m["to_lid"])
		}
		if s := sentBy(t, p, id, m["wa_message_id"].(string)); s["to"] != tt.wantSentTo {
			t.Errorf("to %s: the sim received it at %v, want %s", tt.to, s["to"], tt.wantSentTo)
		}
	}
}

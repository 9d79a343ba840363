package e2e

import (
	"net/url"
	"testing"
	"time"
)

// openAttendances lists an instance's open attendances.
func (p *proc) openAttendances(instance string) []map[string]any {
	p.t.Helper()
	var out []map[string]any
	for _, it := range p.must(200, "GET", "/v1/attendances?status=open&instance="+instance, adminToken, nil)["items"].([]any) {
		out = append(out, it.(map[string]any))
	}
	return out
}

// sentWithText finds what the sim received with this text.
func (p *proc) sentWithText(instance, text string) map[string]any {
	p.t.Helper()
	for _, it := range p.must(200, "GET", "/v1/sim/instances/"+instance+"/sent", adminToken, nil)["items"].([]any) {
		if m := it.(map[string]any); m["text"] == text {
			return m
		}
	}
	return nil
}

// TestLIDOnlyCustomer: a customer known only by LID opens an attendance,
// gets the reply at their LID and, once their phone shows, is the same
// client with the phone, in the same attendance; the contacts know both.
func TestLIDOnlyCustomer(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("lid-desk", "5511900000401")
	const lid, phone = "201234567890123@lid", "5511966665555"
	inbound := "/v1/sim/instances/" + id + "/inbound"

	// The sim's senders: a person by phone or LID; from_phone only beside a LID.
	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"from": "120363025246125244@g.us", "text": "x"}, "from"},
		{map[string]any{"from": "abc@lid", "text": "x"}, "from"},
		{map[string]any{"from": phone, "from_phone": phone, "text": "x"}, "from_phone"},
		{map[string]any{"from": lid, "from_phone": "12", "text": "x"}, "from_phone"},
	} {
		r := p.do("POST", inbound, adminToken, bad.body)
		fields, _ := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)
		if r.Status != 400 || fields[bad.field] == nil {
			t.Fatalf("inbound %v = %d %s, want 400 naming %s", bad.body, r.Status, r.Body, bad.field)
		}
	}

	p.must(201, "POST", inbound, adminToken, map[string]any{"from": lid, "push_name": "Lia", "text": "hi, it's Lia"})
	var att map[string]any
	eventually(t, 20*time.Second, "an attendance for the LID-only customer", func() bool {
		open := p.openAttendances(id)
		if len(open) == 1 {
			att = open[0]
		}
		return att != nil
	})
	client := att["client"].(map[string]any)
	if client["lid"] != lid || client["phone"] != "" || client["push_name"] != "Lia" {
		t.Fatalf("client %v", client)
	}
	aid, cid := att["id"].(string), client["id"].(string)

	p.must(202, "POST", "/v1/attendances/"+aid+"/messages", adminToken, map[string]any{"type": "text", "text": "hello Lia"})
	var sent map[string]any
	eventually(t, 20*time.Second, "the reply at the LID", func() bool {
		sent = p.sentWithText(id, "hello Lia")
		return sent != nil
	})
	if sent["chat"] != lid {
		t.Fatalf("the reply went to %v", sent)
	}

	// WhatsApp reveals their phone: the same client gains it.
	p.must(201, "POST", inbound, adminToken, map[string]any{"from": lid, "from_phone": "+" + phone, "push_name": "Lia", "text": "my number"})
	eventually(t, 20*time.Second, "the second message in the same attendance", func() bool {
		ms, _ := p.must(200, "GET", "/v1/attendances/"+aid, adminToken, nil)["messages"].([]any)
		return len(ms) == 3
	})
	open := p.openAttendances(id)
	if len(open) != 1 || open[0]["id"] != aid {
		t.Fatalf("open attendances %v", open)
	}
	client = open[0]["client"].(map[string]any)
	if client["id"] != cid || client["phone"] != phone || client["lid"] != lid {
		t.Fatalf("client after the phone showed: %v", client)
	}
	for _, addr := range []string{lid, phone} {
		c := p.must(200, "GET", "/v1/instances/"+id+"/contacts/"+url.PathEscape(addr), token, nil)
		if c["phone"] != phone || c["lid"] != lid || c["push_name"] != "Lia" {
			t.Fatalf("contact %s = %v", addr, c)
		}
	}

	// The feedback link goes to the phone now known.
	p.must(200, "POST", "/v1/attendances/"+aid+"/close", adminToken, nil)
	eventually(t, 20*time.Second, "the feedback link at the phone", func() bool {
		for _, it := range p.must(200, "GET", "/v1/sim/instances/"+id+"/sent", adminToken, nil)["items"].([]any) {
			if m := it.(map[string]any); feedbackLink.MatchString(m["text"].(string)) {
				sent = m
				return true
			}
		}
		return false
	})
	if sent["to"] != phone {
		t.Fatalf("the feedback link went to %v", sent)
	}
}

// TestPhoneFirstThenLIDIsOneClient: a customer who writes by phone and
// later by LID (revealed with it, or paired by the contacts) stays one
// client in one attendance.
func TestPhoneFirstThenLIDIsOneClient(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("lid-reverse", "5511900000402")
	inbound := "/v1/sim/instances/" + id + "/inbound"
	waitMessages := func(what string, n int) map[string]any {
		t.Helper()
		var att map[string]any
		eventually(t, 20*time.Second, what, func() bool {
			open := p.openAttendances(id)
			if len(open) != 1 {
				return false
			}
			att = open[0]
			ms, _ := p.must(200, "GET", "/v1/attendances/"+att["id"].(string), adminToken, nil)["messages"].([]any)
			return len(ms) == n
		})
		return att
	}

	const lid, phone = "209876543210987@lid", "5511955554444"
	p.must(201, "POST", inbound, adminToken, map[string]any{"from": phone, "push_name": "Rui", "text": "by phone"})
	first := waitMessages("the phone's attendance", 1)
	p.must(201, "POST", inbound, adminToken, map[string]any{"from": lid, "from_phone": phone, "text": "by LID, phone shown"})
	p.must(201, "POST", inbound, adminToken, map[string]any{"from": lid, "text": "by LID alone"})
	att := waitMessages("all three in one attendance", 3)
	client := att["client"].(map[string]any)
	if att["id"] != first["id"] || client["id"] != first["client"].(map[string]any)["id"] || client["phone"] != phone || client["lid"] != lid {
		t.Fatalf("after the LID: %v, first %v", att, first)
	}
	p.must(200, "POST", "/v1/attendances/"+att["id"].(string)+"/close", adminToken, nil)

	// A LID the contacts already pair with a phone (a check showed both)
	// is the client of that phone from its first message.
	const lid2, phone2 = "201111222233334@lid", "5511944443333"
	p.must(200, "POST", "/v1/sim/contacts", adminToken, map[string]any{"phone": phone2, "lid": lid2, "name": "Sol"})
	if done := p.must(200, "POST", "/v1/instances/"+id+"/contacts/check?wait=true", token,
		map[string]any{"phones": []string{phone2}}); done["status"] != "done" {
		t.Fatalf("check %v", done)
	}
	p.must(201, "POST", inbound, adminToken, map[string]any{"from": lid2, "push_name": "Sol", "text": "by LID first"})
	p.must(201, "POST", inbound, adminToken, map[string]any{"from": phone2, "text": "then by phone"})
	att = waitMessages("both in one attendance", 2)
	if client := att["client"].(map[string]any); client["phone"] != phone2 || client["lid"] != lid2 || client["push_name"] != "Sol" {
		t.Fatalf("client %v", client)
	}
	p.must(200, "POST", "/v1/attendances/"+att["id"].(string)+"/close", adminToken, nil)

	// Nothing pairs a phone and a LID yet: two clients, two attendances,
	// until a message shows both; then one client (the older), one open
	// attendance holding every message, the other closed as merged.
	const lid3, phone3 = "203333444455556@lid", "5511933332222"
	p.must(201, "POST", inbound, adminToken, map[string]any{"from": phone3, "text": "by phone"})
	eventually(t, 20*time.Second, "the phone's attendance", func() bool { return len(p.openAttendances(id)) == 1 })
	p.must(201, "POST", inbound, adminToken, map[string]any{"from": lid3, "text": "by LID"})
	eventually(t, 20*time.Second, "the LID's own attendance", func() bool { return len(p.openAttendances(id)) == 2 })
	older := p.openAttendances(id)[1] // newest activity first
	p.must(201, "POST", inbound, adminToken, map[string]any{"from": lid3, "from_phone": phone3, "text": "both"})
	att = waitMessages("one attendance with all three", 3)
	if att["id"] != older["id"] || att["unread"] != float64(3) {
		t.Fatalf("kept %v, want the older %v", att, older["id"])
	}
	var merged map[string]any
	for _, it := range p.must(200, "GET", "/v1/attendances?status=closed&instance="+id, adminToken, nil)["items"].([]any) {
		if a := it.(map[string]any); a["closed_reason"] == "merged" {
			merged = a
		}
	}
	if merged == nil || merged["client"].(map[string]any)["id"] != att["client"].(map[string]any)["id"] {
		t.Fatalf("merged attendance %v", merged)
	}
	if ms, _ := p.must(200, "GET", "/v1/attendances/"+merged["id"].(string), adminToken, nil)["messages"].([]any); len(ms) != 0 {
		t.Fatalf("the merged attendance kept %d messages", len(ms))
	}
}

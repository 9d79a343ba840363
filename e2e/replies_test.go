package e2e

import (
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

// execSQL runs a statement on the test's database (to age a message).
func execSQL(t *testing.T, p *proc, query string, args ...any) {
	t.Helper()
	db, err := sqlx.Open("postgres", p.env.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// incomingByWAID waits for the incoming message with a WhatsApp id.
func incomingByWAID(t *testing.T, p *proc, inst, token, waID string) map[string]any {
	t.Helper()
	var found map[string]any
	eventually(t, 20*time.Second, "incoming "+waID, func() bool {
		for _, it := range p.must(200, "GET", inst+"/messages?direction=in&limit=500", token, nil)["items"].([]any) {
			if m := it.(map[string]any); m["wa_message_id"] == waID {
				found = m
				return true
			}
		}
		return false
	})
	return found
}

// sendAndWaitSent sends body and waits until WhatsApp accepted it.
func sendAndWaitSent(t *testing.T, p *proc, inst, token string, body map[string]any) map[string]any {
	t.Helper()
	mid := p.must(202, "POST", inst+"/messages", token, body)["id"].(string)
	var m map[string]any
	eventually(t, 20*time.Second, "message "+mid+" sent", func() bool {
		m = p.must(200, "GET", inst+"/messages/"+mid, token, nil)
		return m["status"] == "sent"
	})
	return m
}

func reactionsOf(t *testing.T, m map[string]any) []map[string]any {
	t.Helper()
	list, ok := m["reactions"].([]any)
	if !ok {
		t.Fatalf("reactions %v is not a list", m["reactions"])
	}
	out := make([]map[string]any, 0, len(list))
	for _, r := range list {
		out = append(out, r.(map[string]any))
	}
	return out
}

// TestRepliesReactionsEditsRevokes: each both ways through the sim; the
// changes show on the message they point at, with their events, and never
// become messages of their own.
func TestRepliesReactionsEditsRevokes(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	const self, ana = "5511900000601", "5511988880601"
	id, token := p.linkedInstance("replies", self)
	_, otherToken := p.linkedInstance("other", "5511900000602")
	inst := "/v1/instances/" + id
	inbound := "/v1/sim/instances/" + id + "/inbound"

	p.must(201, "POST", inbound, adminToken, map[string]any{"from": ana, "text": "can we meet?", "wa_message_id": "WA-R-1"})
	in1 := incomingByWAID(t, p, inst, token, "WA-R-1")

	// A reply out quotes the incoming message.
	reply := sendAndWaitSent(t, p, inst, token, map[string]any{"to": ana, "type": "text", "text": "yes, at 9", "reply_to": in1["id"]})
	if reply["reply_to"] != in1["id"] {
		t.Errorf("reply_to = %v, want %v", reply["reply_to"], in1["id"])
	}
	if s := sentBy(t, p, id, reply["wa_message_id"].(string)); s["kind"] != "message" || s["reply_to_wa_message_id"] != "WA-R-1" {
		t.Errorf("the sim received %v", s)
	}
	bad := p.do("POST", inst+"/messages", token, map[string]any{"to": ana, "type": "text", "text": "x",
		"reply_to": "0196a3f2-1b2c-7e3d-8f4a-5b6c7d8e9f01"})
	if bad.Status != 400 || bad.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)["reply_to"] == nil {
		t.Errorf("a reply to no message of the instance = %d %s", bad.Status, bad.Body)
	}

	// A reply in: the quoted message's id when known, else "".
	p.must(201, "POST", inbound, adminToken, map[string]any{"from": ana, "text": "great", "wa_message_id": "WA-R-2",
		"reply_to_wa_message_id": reply["wa_message_id"]})
	p.must(201, "POST", inbound, adminToken, map[string]any{"from": ana, "text": "and this?", "wa_message_id": "WA-R-3",
		"reply_to_wa_message_id": "NEVER-SEEN"})
	in2 := incomingByWAID(t, p, inst, token, "WA-R-2")
	if in2["reply_to"] != reply["id"] {
		t.Errorf("incoming reply_to = %v, want %v", in2["reply_to"], reply["id"])
	}
	if in3 := incomingByWAID(t, p, inst, token, "WA-R-3"); in3["reply_to"] != "" {
		t.Errorf("a reply to an unknown message shows reply_to %v", in3["reply_to"])
	}

	// Reactions out: on the target once sent, then removed with "".
	r := sendAndWaitSent(t, p, inst, token, map[string]any{"type": "reaction", "message_id": in1["id"], "emoji": "👍"})
	if r["type"] != "reaction" || r["message_id"] != in1["id"] || r["emoji"] != "👍" || r["to"] != ana {
		t.Errorf("the reaction %v", r)
	}
	if s := sentBy(t, p, id, r["wa_message_id"].(string)); s["kind"] != "reaction" || s["emoji"] != "👍" || s["target_wa_message_id"] != "WA-R-1" {
		t.Errorf("the sim received %v", s)
	}
	got := reactionsOf(t, p.must(200, "GET", inst+"/messages/"+in1["id"].(string), token, nil))
	if len(got) != 1 || got[0]["from"] != self || got[0]["emoji"] != "👍" {
		t.Errorf("reactions after ours: %v", got)
	}
	sendAndWaitSent(t, p, inst, token, map[string]any{"type": "reaction", "message_id": in1["id"], "emoji": ""})
	if got := reactionsOf(t, p.must(200, "GET", inst+"/messages/"+in1["id"].(string), token, nil)); len(got) != 0 {
		t.Errorf("reactions after removing ours: %v", got)
	}
	if res := p.do("POST", inst+"/messages", token, map[string]any{"type": "reaction", "message_id": in1["id"], "emoji": "a\u0000"}); res.Status != 400 {
		t.Errorf("an emoji with NUL = %d %s", res.Status, res.Body)
	}

	// Reactions in: one per sender, "" removes, never a message.
	react := func(emoji string) {
		res := p.must(200, "POST", inbound, adminToken, map[string]any{"from": ana, "type": "reaction",
			"target_wa_message_id": reply["wa_message_id"], "emoji": emoji})
		if res["created"] != false || res["message_id"] != reply["id"] {
			t.Errorf("inbound reaction answered %v", res)
		}
	}
	react("❤️")
	got = reactionsOf(t, p.must(200, "GET", inst+"/messages/"+reply["id"].(string), token, nil))
	if len(got) != 1 || got[0]["from"] != ana || got[0]["emoji"] != "❤️" {
		t.Errorf("reactions after ana's: %v", got)
	}
	react("")
	if got := reactionsOf(t, p.must(200, "GET", inst+"/messages/"+reply["id"].(string), token, nil)); len(got) != 0 {
		t.Errorf("reactions after ana removed hers: %v", got)
	}
	p.must(404, "POST", inbound, adminToken, map[string]any{"from": ana, "type": "reaction", "target_wa_message_id": "NEVER-SEEN", "emoji": "👍"})
	var reactions []map[string]any
	eventually(t, 20*time.Second, "four message.reaction events", func() bool {
		reactions = groupEvents(p, id, "message.reaction")
		return len(reactions) >= 4
	})
	if len(reactions) != 4 || reactions[0]["message_id"] != in1["id"] || reactions[0]["from"] != self ||
		reactions[3]["message_id"] != reply["id"] || reactions[3]["from"] != ana || reactions[3]["emoji"] != "" {
		t.Errorf("message.reaction events %v", reactions)
	}

	// Edit out, within the window.
	edited := p.must(200, "PATCH", inst+"/messages/"+reply["id"].(string)+"?wait=true", token, map[string]any{"text": "yes, at 10"})
	if res := edited["result"].(map[string]any); res["text"] != "yes, at 10" || res["message_id"] != reply["id"] {
		t.Errorf("edit result %v", edited)
	}
	after := p.must(200, "GET", inst+"/messages/"+reply["id"].(string), token, nil)
	if after["text"] != "yes, at 10" || after["edited_at"] == nil {
		t.Errorf("the edited message %v", after)
	}
	foundEdit := false
	for _, it := range p.must(200, "GET", "/v1/sim/instances/"+id+"/sent", adminToken, nil)["items"].([]any) {
		if s := it.(map[string]any); s["kind"] == "edit" && s["target_wa_message_id"] == reply["wa_message_id"] && s["text"] == "yes, at 10" {
			foundEdit = true
		}
	}
	if !foundEdit {
		t.Error("the sim received no edit")
	}
	// An edit after WhatsApp's 15 minutes is refused, as is one of an
	// incoming message or a text-less one.
	old := sendAndWaitSent(t, p, inst, token, map[string]any{"to": ana, "type": "text", "text": "old news"})
	execSQL(t, p, `UPDATE messages SET sent_at = now() - interval '16 minutes' WHERE id = $1`, old["id"])
	for _, target := range []string{old["id"].(string), in1["id"].(string), r["id"].(string)} {
		if res := p.do("PATCH", inst+"/messages/"+target, token, map[string]any{"text": "x"}); res.Status != 409 || res.ErrorCode(t) != "not_editable" {
			t.Errorf("edit of %s = %d %s", target, res.Status, res.Body)
		}
	}
	// Edit in.
	p.must(200, "POST", inbound, adminToken, map[string]any{"from": ana, "type": "edit", "target_wa_message_id": "WA-R-2", "text": "great!"})
	if m := p.must(200, "GET", inst+"/messages/"+in2["id"].(string), token, nil); m["text"] != "great!" || m["edited_at"] == nil {
		t.Errorf("the message edited by its sender %v", m)
	}
	var editedEvents []map[string]any
	eventually(t, 20*time.Second, "two message.edited events", func() bool {
		editedEvents = groupEvents(p, id, "message.edited")
		return len(editedEvents) >= 2
	})
	if len(editedEvents) != 2 || editedEvents[0]["message_id"] != reply["id"] || editedEvents[1]["text"] != "great!" {
		t.Errorf("message.edited events %v", editedEvents)
	}

	// Revoke out, once; revoke in.
	revoked := p.must(200, "POST", inst+"/messages/"+old["id"].(string)+"/revoke?wait=true", token, nil)
	if revoked["result"].(map[string]any)["message_id"] != old["id"] {
		t.Errorf("revoke result %v", revoked)
	}
	if m := p.must(200, "GET", inst+"/messages/"+old["id"].(string), token, nil); m["revoked_at"] == nil {
		t.Errorf("the revoked message %v", m)
	}
	if res := p.do("POST", inst+"/messages/"+old["id"].(string)+"/revoke", token, nil); res.Status != 409 || res.ErrorCode(t) != "not_revocable" {
		t.Errorf("a second revoke = %d %s", res.Status, res.Body)
	}
	if res := p.do("POST", inst+"/messages/"+in1["id"].(string)+"/revoke", token, nil); res.Status != 409 || res.ErrorCode(t) != "not_revocable" {
		t.Errorf("revoke of an incoming message = %d %s", res.Status, res.Body)
	}
	foundRevoke := false
	for _, it := range p.must(200, "GET", "/v1/sim/instances/"+id+"/sent", adminToken, nil)["items"].([]any) {
		if s := it.(map[string]any); s["kind"] == "revoke" && s["target_wa_message_id"] == old["wa_message_id"] {
			foundRevoke = true
		}
	}
	if !foundRevoke {
		t.Error("the sim received no revoke")
	}
	p.must(200, "POST", inbound, adminToken, map[string]any{"from": ana, "type": "revoke", "target_wa_message_id": "WA-R-3"})
	in3 := incomingByWAID(t, p, inst, token, "WA-R-3")
	if in3["revoked_at"] == nil {
		t.Errorf("the message revoked by its sender %v", in3)
	}
	var revokedEvents []map[string]any
	eventually(t, 20*time.Second, "two message.revoked events", func() bool {
		revokedEvents = groupEvents(p, id, "message.revoked")
		return len(revokedEvents) >= 2
	})
	if len(revokedEvents) != 2 || revokedEvents[0]["message_id"] != old["id"] || revokedEvents[1]["message_id"] != in3["id"] {
		t.Errorf("message.revoked events %v", revokedEvents)
	}

	// Reactions, edits and revokes that came in are not messages: three
	// messages came in, three were announced.
	if n := countRows(t, p, `SELECT count(*) FROM messages WHERE direction = 'in' AND instance_id = '`+id+`'`); n != 3 {
		t.Errorf("%d incoming messages, want 3", n)
	}
	if got := groupEvents(p, id, "message.received"); len(got) != 3 {
		t.Errorf("%d message.received events, want 3", len(got))
	}

	// Another instance's token sees none of it.
	p.must(404, "PATCH", inst+"/messages/"+reply["id"].(string), otherToken, map[string]any{"text": "x"})
	p.must(404, "POST", inst+"/messages/"+reply["id"].(string)+"/revoke", otherToken, nil)
}

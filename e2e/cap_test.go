package e2e

import (
	"slices"
	"testing"
	"time"
)

// sentTexts is what the sim's WhatsApp received from an instance, in order,
// and whether every wa_message_id in it is distinct.
func sentTexts(p *proc, id string) ([]string, bool) {
	var texts []string
	seen := map[any]bool{}
	distinct := true
	for _, it := range p.must(200, "GET", "/v1/sim/instances/"+id+"/sent", adminToken, nil)["items"].([]any) {
		m := it.(map[string]any)
		texts = append(texts, m["text"].(string))
		distinct = distinct && !seen[m["wa_message_id"]]
		seen[m["wa_message_id"]] = true
	}
	return texts, distinct
}

// TestNewContactCapHoldsAndRaisingItReleases: with a cap of 2, messages to
// four people the instance never wrote to send two and hold the rest
// (queued, held: new_contact_cap), a held chat's later message waits
// behind it, and a message to someone already written to goes through.
// Raising the cap releases the held chats at once, a chat's messages in
// order, each sent exactly once.
func TestNewContactCapHoldsAndRaisingItReleases(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	// The cap is set before linking: the queue's consumer starts with it.
	in := p.must(201, "POST", "/v1/instances", adminToken, map[string]any{"name": "capped"})
	id, token := in["id"].(string), in["token"].(string)
	got := p.must(200, "PATCH", "/v1/instances/"+id, token, map[string]any{"new_contacts_per_day": 2, "warmup_days": 0})
	if got["new_contacts_per_day"] != float64(2) || got["warmup_days"] != float64(0) {
		t.Fatalf("patched = %v", got)
	}
	p.link(id, "5511900000080")

	ids := map[string]string{}
	for _, m := range []struct{ to, text string }{
		{"5511900000081", "p1"}, {"5511900000082", "p2"}, {"5511900000083", "p3a"},
		{"5511900000084", "p4"}, {"5511900000083", "p3b"}, {"5511900000081", "p1b"},
	} {
		ids[m.text] = p.must(202, "POST", "/v1/instances/"+id+"/messages", token, map[string]any{"to": m.to, "type": "text", "text": m.text})["id"].(string)
	}
	held := func(text string) bool {
		m := p.must(200, "GET", "/v1/instances/"+id+"/messages/"+ids[text], token, nil)
		return m["status"] == "queued" && m["held"] == "new_contact_cap"
	}
	eventually(t, 20*time.Second, "p3a, p4 and p3b held", func() bool { return held("p3a") && held("p4") && held("p3b") })
	eventually(t, 20*time.Second, "p1, p2 and p1b sent", func() bool {
		texts, _ := sentTexts(p, id)
		return len(texts) == 3
	})
	if texts, _ := sentTexts(p, id); !slices.Equal(texts, []string{"p1", "p2", "p1b"}) {
		t.Fatalf("sent %v, want [p1 p2 p1b]", texts)
	}
	for _, text := range []string{"p1", "p2", "p1b"} {
		if m := p.must(200, "GET", "/v1/instances/"+id+"/messages/"+ids[text], token, nil); m["held"] != nil {
			t.Errorf("%s shows held %v", text, m["held"])
		}
	}
	// The sim has the sends before zapgate records them.
	var inst map[string]any
	eventually(t, 10*time.Second, "the three sends recorded", func() bool {
		inst = p.must(200, "GET", "/v1/instances/"+id, token, nil)
		return inst["sent_24h"] == float64(3)
	})
	if inst["held_messages"] != float64(3) || inst["new_contacts_24h"] != float64(2) || inst["sent_24h"] != float64(3) {
		t.Fatalf("figures = held %v, new %v, sent %v; want 3, 2, 3", inst["held_messages"], inst["new_contacts_24h"], inst["sent_24h"])
	}
	list := p.must(200, "GET", "/v1/instances/"+id+"/messages?status=queued", token, nil)["items"].([]any)
	if len(list) != 3 || list[0].(map[string]any)["held"] != "new_contact_cap" {
		t.Fatalf("queued list = %v", list)
	}

	// Raising the cap releases at once: the chat held longest first, its
	// messages in order.
	p.must(200, "PATCH", "/v1/instances/"+id, token, map[string]any{"new_contacts_per_day": 10})
	eventually(t, 20*time.Second, "the held messages sent", func() bool {
		texts, _ := sentTexts(p, id)
		return len(texts) >= 6
	})
	texts, distinct := sentTexts(p, id)
	if !slices.Equal(texts, []string{"p1", "p2", "p1b", "p3a", "p3b", "p4"}) || !distinct {
		t.Fatalf("sent %v (distinct %v), want [p1 p2 p1b p3a p3b p4], each once", texts, distinct)
	}
	eventually(t, 10*time.Second, "every message recorded sent", func() bool {
		return len(p.must(200, "GET", "/v1/instances/"+id+"/messages?status=sent", token, nil)["items"].([]any)) == 6
	})
	for text, mid := range ids {
		m := p.must(200, "GET", "/v1/instances/"+id+"/messages/"+mid, token, nil)
		if m["held"] != nil {
			t.Errorf("%s still shows held %v", text, m["held"])
		}
	}
	if inst := p.must(200, "GET", "/v1/instances/"+id, token, nil); inst["held_messages"] != float64(0) || inst["new_contacts_24h"] != float64(4) {
		t.Fatalf("after release: held %v, new %v; want 0, 4", inst["held_messages"], inst["new_contacts_24h"])
	}
	for _, bad := range []map[string]any{{"new_contacts_per_day": -1}, {"new_contacts_per_day": "x"}, {"warmup_days": 400}, {"warmup_days": nil}} {
		if r := p.do("PATCH", "/v1/instances/"+id, token, bad); r.Status != 400 {
			t.Errorf("PATCH %v = %d, want 400", bad, r.Status)
		}
	}
}

// TestWarmupStartsAtAFifthOfTheCap: a phone zapgate never linked warms up
// (ZAPGATE_WARMUP_DAYS), so on its first day a cap of 10 lets 2 new people
// through; the third waits.
func TestWarmupStartsAtAFifthOfTheCap(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start("ZAPGATE_WARMUP_DAYS=7")
	in := p.must(201, "POST", "/v1/instances", adminToken, map[string]any{"name": "fresh"})
	id, token := in["id"].(string), in["token"].(string)
	p.must(200, "PATCH", "/v1/instances/"+id, token, map[string]any{"new_contacts_per_day": 10})
	p.link(id, "5511900000090")
	inst := p.must(200, "GET", "/v1/instances/"+id, token, nil)
	if inst["warmup_days"] != float64(7) || inst["linked_at"] == nil {
		t.Fatalf("a new phone: warmup_days %v, linked_at %v; want 7 and set", inst["warmup_days"], inst["linked_at"])
	}
	var third string
	for _, to := range []string{"5511900000091", "5511900000092", "5511900000093"} {
		third = p.must(202, "POST", "/v1/instances/"+id+"/messages", token, map[string]any{"to": to, "type": "text", "text": to})["id"].(string)
	}
	eventually(t, 20*time.Second, "the third new person held", func() bool {
		m := p.must(200, "GET", "/v1/instances/"+id+"/messages/"+third, token, nil)
		return m["held"] == "new_contact_cap"
	})
	eventually(t, 20*time.Second, "two sent", func() bool {
		texts, _ := sentTexts(p, id)
		return len(texts) == 2
	})
	// Turning the warm-up off gives the full cap: the third goes.
	p.must(200, "PATCH", "/v1/instances/"+id, token, map[string]any{"warmup_days": 0})
	eventually(t, 20*time.Second, "the third sent", func() bool {
		texts, _ := sentTexts(p, id)
		return len(texts) == 3
	})
}

// TestCapLetsRepliesThroughAndHoldsScheduledMessages: with the cap spent,
// a helpdesk reply goes (its client wrote first, by phone or only by LID:
// known), while a scheduled message to someone new is held when it fires.
func TestCapLetsRepliesThroughAndHoldsScheduledMessages(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	in := p.must(201, "POST", "/v1/instances", adminToken, map[string]any{"name": "desk"})
	id, token := in["id"].(string), in["token"].(string)
	p.must(200, "PATCH", "/v1/instances/"+id, token, map[string]any{"new_contacts_per_day": 1})
	p.link(id, "5511900000100")
	p.must(202, "POST", "/v1/instances/"+id+"/messages", token, map[string]any{"to": "5511900000101", "type": "text", "text": "first"})
	second := p.must(202, "POST", "/v1/instances/"+id+"/messages", token, map[string]any{"to": "5511900000102", "type": "text", "text": "second"})["id"].(string)
	eventually(t, 20*time.Second, "the second new person held", func() bool {
		return p.must(200, "GET", "/v1/instances/"+id+"/messages/"+second, token, nil)["held"] == "new_contact_cap"
	})

	// Two clients write in, one by phone, one known only by LID.
	p.inbound(id, "5511900000103", "hello?", "WA-CAP-1")
	p.inbound(id, "88001@lid", "oi?", "WA-CAP-2")
	var aids []string
	eventually(t, 20*time.Second, "two open attendances", func() bool {
		items := p.must(200, "GET", "/v1/attendances?status=open&instance="+id, adminToken, nil)["items"].([]any)
		aids = aids[:0]
		for _, it := range items {
			aids = append(aids, it.(map[string]any)["id"].(string))
		}
		return len(aids) == 2
	})
	for i, aid := range aids {
		p.must(202, "POST", "/v1/attendances/"+aid+"/messages", adminToken, map[string]any{"type": "text", "text": "reply " + string(rune('A'+i))})
	}
	eventually(t, 20*time.Second, "both replies sent past the spent cap", func() bool {
		texts, _ := sentTexts(p, id)
		return slices.Contains(texts, "reply A") && slices.Contains(texts, "reply B")
	})

	at := time.Now().Add(2 * time.Second).UTC().Truncate(time.Second).Add(time.Second)
	later := p.must(202, "POST", "/v1/instances/"+id+"/messages", token, map[string]any{
		"to": "5511900000104", "type": "text", "text": "later", "send_at": at.Format(time.RFC3339)})["id"].(string)
	eventually(t, 30*time.Second, "the scheduled message to someone new held when it fires", func() bool {
		m := p.must(200, "GET", "/v1/instances/"+id+"/messages/"+later, token, nil)
		return m["status"] == "queued" && m["held"] == "new_contact_cap"
	})
	if texts, _ := sentTexts(p, id); slices.Contains(texts, "second") || slices.Contains(texts, "later") {
		t.Fatalf("held messages sent: %v", texts)
	}
}

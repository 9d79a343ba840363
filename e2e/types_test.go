package e2e

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"
)

// webpFile is a 1×1 WebP image.
var webpFile, _ = base64.StdEncoding.DecodeString("UklGRiQAAABXRUJQVlA4IBgAAAAwAQCdASoBAAEAAQAcJaQAA3AA/v3AgAA=")

// sentMessage sends body through the instance, waits until the sim holds
// it and returns the message and what the sim received.
func sentMessage(t *testing.T, p *proc, id, token string, body map[string]any) (map[string]any, map[string]any) {
	t.Helper()
	mid := p.must(202, "POST", "/v1/instances/"+id+"/messages", token, body)["id"].(string)
	var m map[string]any
	eventually(t, 20*time.Second, body["type"].(string)+" sent", func() bool {
		m = p.must(200, "GET", "/v1/instances/"+id+"/messages/"+mid, token, nil)
		return m["status"] == "sent"
	})
	return m, sentBy(t, p, id, m["wa_message_id"].(string))
}

// asJSON re-encodes a value for comparison with an expected literal.
func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sameJSON tells whether got encodes as the JSON want does, whatever the
// order of keys.
func sameJSON(t *testing.T, got any, want string) bool {
	t.Helper()
	var w any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	return asJSON(t, got) == asJSON(t, w)
}

// TestMessageKindsSent: stickers, locations, contact cards and polls reach
// WhatsApp (the sim shows what each carried) and show on the message as
// typed fields; bad ones are refused naming the field.
func TestMessageKindsSent(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("kinds", "5511900000601")
	const to = "5511988880601"

	m, s := sentMessage(t, p, id, token, map[string]any{"to": to, "type": "sticker",
		"media": map[string]any{"data": b64(webpFile), "mime": "image/webp"}})
	if m["type"] != "sticker" || m["media"].(map[string]any)["mime"] != "image/webp" || s["type"] != "sticker" || s["mime"] != "image/webp" {
		t.Errorf("sticker: message %v, sim %v", m, s)
	}

	loc := map[string]any{"latitude": -23.5505, "longitude": -46.6333, "name": "Store", "address": "Av. Paulista 1000"}
	m, s = sentMessage(t, p, id, token, map[string]any{"to": to, "type": "location", "location": loc})
	if want := asJSON(t, loc); asJSON(t, m["location"]) != want || asJSON(t, s["location"]) != want {
		t.Errorf("location: message %v, sim %v", m["location"], s["location"])
	}
	if m["poll"] != nil || len(m["contacts"].([]any)) != 0 || s["poll"] != nil || s["contacts"] != nil {
		t.Errorf("a location shows other kinds: %v %v / %v %v", m["poll"], m["contacts"], s["poll"], s["contacts"])
	}

	people := []map[string]any{
		{"name": "Ana; Souza", "phones": []string{"+5511988887777", "5511977776666"}, "organization": "ACME", "email": "ana@example.com"},
		{"name": "Bia", "phones": []string{"5511966665555"}},
	}
	m, s = sentMessage(t, p, id, token, map[string]any{"to": to, "type": "contact", "contacts": people})
	want := `[{"name":"Ana; Souza","phones":["5511988887777","5511977776666"],"organization":"ACME","email":"ana@example.com"},` +
		`{"name":"Bia","phones":["5511966665555"],"organization":"","email":""}]`
	if !sameJSON(t, m["contacts"], want) {
		t.Errorf("contacts = %s, want %s", asJSON(t, m["contacts"]), want)
	}
	cards := s["contacts"].([]any)
	if len(cards) != 2 {
		t.Fatalf("sim contacts %v", s["contacts"])
	}
	vcard := cards[0].(map[string]any)["vcard"].(string)
	for _, line := range []string{"BEGIN:VCARD", "VERSION:3.0", `FN:Ana\; Souza`, "ORG:ACME",
		"TEL;type=CELL;type=VOICE;waid=5511988887777:+5511988887777", "TEL;type=CELL;type=VOICE;waid=5511977776666:+5511977776666"} {
		if !strings.Contains(vcard, line+"\n") {
			t.Errorf("the vCard lacks %q:\n%s", line, vcard)
		}
	}

	m, s = sentMessage(t, p, id, token, map[string]any{"to": to, "type": "poll",
		"poll": map[string]any{"question": "Lunch?", "options": []string{"pizza", "sushi"}, "selectable": 1}})
	if !sameJSON(t, m["poll"], `{"question":"Lunch?","selectable":1,"options":[{"name":"pizza","votes":0},{"name":"sushi","votes":0}]}`) {
		t.Errorf("poll = %s", asJSON(t, m["poll"]))
	}
	if !sameJSON(t, s["poll"], `{"question":"Lunch?","options":["pizza","sushi"],"selectable":1}`) {
		t.Errorf("sim poll = %s", asJSON(t, s["poll"]))
	}

	// Idempotency-Key works for every kind: the same poll again is the
	// first message; another poll under the key is refused.
	key := []string{"Idempotency-Key", "poll-1"}
	body := map[string]any{"to": to, "type": "poll", "poll": map[string]any{"question": "Dinner?", "options": []string{"a", "b"}}}
	first := p.must(202, "POST", "/v1/instances/"+id+"/messages", token, body, key...)
	again := p.must(200, "POST", "/v1/instances/"+id+"/messages", token, body, key...)
	if first["id"] != again["id"] {
		t.Errorf("the same keyed poll made two messages: %v %v", first["id"], again["id"])
	}
	body["poll"] = map[string]any{"question": "Dinner?", "options": []string{"a", "c"}}
	p.must(422, "POST", "/v1/instances/"+id+"/messages", token, body, key...)

	bad := []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"sticker not webp", map[string]any{"type": "sticker", "media": map[string]any{"data": b64(pngFile)}}, "media"},
		{"latitude out of range", map[string]any{"type": "location", "location": map[string]any{"latitude": 91, "longitude": 0}}, "location.latitude"},
		{"longitude missing", map[string]any{"type": "location", "location": map[string]any{"latitude": 1}}, "location.longitude"},
		{"latitude not a number", map[string]any{"type": "location", "location": map[string]any{"latitude": "north", "longitude": 0}}, "location.latitude"},
		{"location missing", map[string]any{"type": "location"}, "location"},
		{"no people", map[string]any{"type": "contact", "contacts": []any{}}, "contacts"},
		{"eleven people", map[string]any{"type": "contact", "contacts": func() []any {
			out := make([]any, 11)
			for i := range out {
				out[i] = map[string]any{"name": "x", "phones": []string{"5511988887777"}}
			}
			return out
		}()}, "contacts"},
		{"a person without a phone", map[string]any{"type": "contact", "contacts": []any{map[string]any{"name": "x", "phones": []string{}}}}, "contacts[0].phones"},
		{"NUL in a name", map[string]any{"type": "contact", "contacts": []any{map[string]any{"name": "a\x00b", "phones": []string{"5511988887777"}}}}, "contacts[0].name"},
		{"one option", map[string]any{"type": "poll", "poll": map[string]any{"question": "q", "options": []string{"a"}}}, "poll.options"},
		{"duplicate options", map[string]any{"type": "poll", "poll": map[string]any{"question": "q", "options": []string{"a", "a"}}}, "poll.options[1]"},
		{"selectable over the options", map[string]any{"type": "poll", "poll": map[string]any{"question": "q", "options": []string{"a", "b"}, "selectable": 3}}, "poll.selectable"},
		{"NUL in the question", map[string]any{"type": "poll", "poll": map[string]any{"question": "q\x00", "options": []string{"a", "b"}}}, "poll.question"},
	}
	for _, tt := range bad {
		tt.body["to"] = to
		r := p.do("POST", "/v1/instances/"+id+"/messages", token, tt.body)
		if r.Status != 400 {
			t.Errorf("%s: %d %s, want 400", tt.name, r.Status, r.Body)
			continue
		}
		fields, _ := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)
		if fields[tt.field] == nil {
			t.Errorf("%s: no reason for %q in %s", tt.name, tt.field, r.Body)
		}
	}
}

// TestMessageKindsReceived: stickers, locations, contact cards and polls
// from a phone show as typed fields, on the message and in its
// message.received event.
func TestMessageKindsReceived(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("kinds-in", "5511900000611")
	const from = "5511988880611"
	inbound := func(body map[string]any) map[string]any {
		t.Helper()
		body["from"] = from
		wa := p.must(201, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, body)["wa_message_id"].(string)
		for _, it := range p.must(200, "GET", "/v1/instances/"+id+"/messages?direction=in", token, nil)["items"].([]any) {
			if m := it.(map[string]any); m["wa_message_id"] == wa {
				return p.must(200, "GET", "/v1/instances/"+id+"/messages/"+m["id"].(string), token, nil)
			}
		}
		t.Fatalf("no message %s", wa)
		return nil
	}

	m := inbound(map[string]any{"type": "sticker", "media": map[string]any{"data": b64(webpFile)}})
	if m["type"] != "sticker" || m["media"].(map[string]any)["mime"] != "image/webp" {
		t.Errorf("sticker %v", m)
	}
	m = inbound(map[string]any{"type": "location", "location": map[string]any{"latitude": 1.5, "longitude": -2.25, "name": "Here"}})
	if !sameJSON(t, m["location"], `{"latitude":1.5,"longitude":-2.25,"name":"Here","address":""}`) || m["type"] != "location" {
		t.Errorf("location %s", asJSON(t, m["location"]))
	}
	m = inbound(map[string]any{"type": "contact", "contacts": []any{map[string]any{"name": "Ana", "phones": []string{"5511988887777"}, "email": "a@b.c"}}})
	cards := m["contacts"].([]any)
	if len(cards) != 1 {
		t.Fatalf("contacts %v", m["contacts"])
	}
	card := cards[0].(map[string]any)
	if card["name"] != "Ana" || asJSON(t, card["phones"]) != `["5511988887777"]` || card["email"] != "a@b.c" ||
		!strings.Contains(card["vcard"].(string), "waid=5511988887777") {
		t.Errorf("contact %v", card)
	}
	m = inbound(map[string]any{"type": "poll", "poll": map[string]any{"question": "Tea?", "options": []string{"yes", "no"}}})
	if !sameJSON(t, m["poll"], `{"question":"Tea?","selectable":0,"options":[{"name":"yes","votes":0},{"name":"no","votes":0}]}`) {
		t.Errorf("received poll %s", asJSON(t, m["poll"]))
	}

	// A poll a customer made collects votes too.
	p.must(201, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{"from": "5511988880612", "type": "poll_vote",
		"target_wa_message_id": m["wa_message_id"], "selected": []string{"no"}})
	voted := p.must(200, "GET", "/v1/instances/"+id+"/messages/"+m["id"].(string), token, nil)
	if !sameJSON(t, voted["poll"], `{"question":"Tea?","selectable":0,"options":[{"name":"yes","votes":0},{"name":"no","votes":1}]}`) {
		t.Errorf("received poll after a vote %s", asJSON(t, voted["poll"]))
	}

	// The message.received event carries the typed fields too.
	var evt map[string]any
	eventually(t, 20*time.Second, "the poll's message.received", func() bool {
		for _, it := range p.must(200, "GET", "/v1/events?type=message.received&instance="+id, adminToken, nil)["items"].([]any) {
			if e := it.(map[string]any); e["data"].(map[string]any)["id"] == m["id"] {
				evt = e["data"].(map[string]any)
			}
		}
		return evt != nil
	})
	if !reflect.DeepEqual(evt["poll"], m["poll"]) {
		t.Errorf("message.received data poll %v, want %v", evt["poll"], m["poll"])
	}

	for _, tt := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"type": "location", "location": map[string]any{"latitude": 100, "longitude": 0}}, "location.latitude"},
		{map[string]any{"type": "contact", "contacts": []any{}}, "contacts"},
		{map[string]any{"type": "poll", "poll": map[string]any{"question": "q", "options": []string{"a", "a"}}}, "poll.options[1]"},
	} {
		tt.body["from"] = from
		r := p.do("POST", "/v1/sim/instances/"+id+"/inbound", adminToken, tt.body)
		if r.Status != 400 || !strings.Contains(string(r.Body), tt.field) {
			t.Errorf("%v: %d %s", tt.body, r.Status, r.Body)
		}
	}
}

// TestPollVotes: votes on a poll the instance sent are tallied on it; a
// voter voting again replaces their vote, an empty choice withdraws it,
// each vote emits poll.vote and none becomes a message.
func TestPollVotes(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("polls", "5511900000621")
	inst := "/v1/instances/" + id
	const ana, bia = "5511988880621", "5511988880622"
	poll, _ := sentMessage(t, p, id, token, map[string]any{"to": "120363000000000621@g.us", "type": "poll",
		"poll": map[string]any{"question": "Lunch?", "options": []string{"pizza", "sushi", "salad"}}})
	target := poll["wa_message_id"].(string)

	steps := []struct {
		name     string
		voter    string
		selected []string
		votes    []float64 // pizza, sushi, salad
	}{
		{"ana votes", ana, []string{"pizza"}, []float64{1, 0, 0}},
		{"bia votes for two", bia, []string{"salad", "pizza"}, []float64{2, 0, 1}},
		{"ana changes her vote", ana, []string{"sushi"}, []float64{1, 1, 1}},
		{"ana votes again the same", ana, []string{"sushi"}, []float64{1, 1, 1}},
		{"bia withdraws", bia, []string{}, []float64{0, 1, 0}},
	}
	for _, st := range steps {
		p.must(201, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{"from": st.voter, "type": "poll_vote",
			"target_wa_message_id": target, "selected": st.selected})
		m := p.must(200, "GET", inst+"/messages/"+poll["id"].(string), token, nil)
		var got []float64
		for _, o := range m["poll"].(map[string]any)["options"].([]any) {
			got = append(got, o.(map[string]any)["votes"].(float64))
		}
		if !reflect.DeepEqual(got, st.votes) {
			t.Errorf("%s: votes %v, want %v", st.name, got, st.votes)
		}
	}

	// The same vote (same WhatsApp id) delivered twice counts once.
	vote := map[string]any{"from": bia, "type": "poll_vote", "target_wa_message_id": target, "selected": []string{"salad"}, "wa_message_id": "VOTE-621"}
	p.must(201, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, vote)
	if again := p.must(200, "POST", "/v1/sim/instances/"+id+"/inbound", adminToken, vote); again["created"] != false {
		t.Errorf("a redelivered vote: %v", again)
	}

	var got []string
	eventually(t, 20*time.Second, "poll.vote events", func() bool {
		got = got[:0]
		for _, it := range p.must(200, "GET", "/v1/events?type=poll.vote&instance="+id, adminToken, nil)["items"].([]any) {
			d := it.(map[string]any)["data"].(map[string]any)
			if d["message_id"] != poll["id"] {
				t.Fatalf("poll.vote for %v", d["message_id"])
			}
			got = append(got, d["voter"].(string)+":"+asJSON(t, d["selected"]))
		}
		return len(got) >= 6
	})
	want := []string{ana + `:["pizza"]`, bia + `:["pizza","salad"]`, ana + `:["sushi"]`, ana + `:["sushi"]`, bia + `:[]`, bia + `:["salad"]`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("poll.vote events\n%v\nwant\n%v", got, want)
	}
	// Votes never become messages.
	if in := p.must(200, "GET", inst+"/messages?direction=in", token, nil)["items"].([]any); len(in) != 0 {
		t.Errorf("votes became messages: %v", in)
	}

	// Bad votes: an option the poll lacks, a message that is no poll, no
	// such poll.
	r := p.do("POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{"from": ana, "type": "poll_vote",
		"target_wa_message_id": target, "selected": []string{"burger"}})
	if r.Status != 400 || !strings.Contains(string(r.Body), "selected") {
		t.Errorf("unknown option: %d %s", r.Status, r.Body)
	}
	text, _ := sentMessage(t, p, id, token, map[string]any{"to": ana, "type": "text", "text": "hi"})
	for _, tgt := range []string{text["wa_message_id"].(string), "NO-SUCH-POLL"} {
		if r := p.do("POST", "/v1/sim/instances/"+id+"/inbound", adminToken, map[string]any{"from": ana, "type": "poll_vote",
			"target_wa_message_id": tgt, "selected": []string{"pizza"}}); r.Status != 404 {
			t.Errorf("vote for %s: %d %s", tgt, r.Status, r.Body)
		}
	}
}

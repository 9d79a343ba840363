package e2e

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// loginAttendant logs an attendant in through the form and waits for the
// live feed and the inbox.
func (b *browser) loginAttendant(base, email, password string) {
	b.t.Helper()
	b.do(30*time.Second, "logging in",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.ID("login-email")),
		chromedp.SendKeys(chromedp.ID("login-email"), email),
		chromedp.SendKeys(chromedp.ID("login-password"), password),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="inbox"]`)),
	)
	b.waitFor(20*time.Second, "the live feed and the inbox",
		`document.querySelector('[data-testid="ws-status"]').dataset.state === 'open' &&
		 document.querySelector('#attendance-list').dataset.loaded === 'true'`)
}

// simSentMatching finds what the sim received that matches, nil when none.
func simSentMatching(t *testing.T, p *proc, instance string, match func(map[string]any) bool) map[string]any {
	t.Helper()
	for _, s := range simSent(t, p, instance) {
		if match(s) {
			return s
		}
	}
	return nil
}

// TestBrowserMessageSurface: a conversation shows every kind of message a
// customer sends (a location with its OpenStreetMap link, a contact card,
// a poll whose tally follows the votes, a sticker), quoted replies both
// ways, reactions, edits and deletions as they happen; the attendant
// replies to one message, reacts to another and sends a voice note.
func TestBrowserMessageSurface(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	p.must(201, "POST", "/v1/attendants", adminToken, map[string]any{
		"name": "Caio", "email": "caio@example.com", "password": "browser-pass-2", "role": "attendant"})
	instance, _ := p.linkedInstance("surface", "5511900000070")
	const client = "5511988880701"
	inbound := func(body map[string]any) {
		t.Helper()
		body["from"] = client
		if r := p.do("POST", "/v1/sim/instances/"+instance+"/inbound", adminToken, body); r.Status != 201 && r.Status != 200 {
			t.Fatalf("inbound %v = %d %s", body["type"], r.Status, r.Body)
		}
	}

	b := newBrowser(t)
	shots := t.TempDir()
	b.loginAttendant(p.base, "caio@example.com", "browser-pass-2")
	eval[bool](b, `window.__sameDocument = true`)

	inbound(map[string]any{"text": "hi, where are you?", "wa_message_id": "DASH-1"})
	item := `[data-testid="attendance-item"][data-phone="` + client + `"]`
	b.waitFor(20*time.Second, "the conversation in the inbox", `!!document.querySelector(`+js(item)+`)`)
	b.do(20*time.Second, "opening the conversation",
		chromedp.Click(chromedp.CSS(item)),
		chromedp.WaitVisible(chromedp.ID("reply-text")),
	)
	b.waitFor(10*time.Second, "the first message",
		`[...document.querySelectorAll('#messages .msg.in')].some(m => m.textContent.includes('hi, where are you?'))`)

	// Every kind a customer sends, live.
	inbound(map[string]any{"type": "location", "wa_message_id": "DASH-LOC", "location": map[string]any{
		"latitude": -23.5505, "longitude": -46.6333, "name": "Store", "address": "Av. Paulista 1000"}})
	inbound(map[string]any{"type": "contact", "wa_message_id": "DASH-CARD", "contacts": []any{map[string]any{
		"name": "Ana Souza", "phones": []string{"5511988887777"}, "organization": "ACME", "email": "ana@example.com"}}})
	inbound(map[string]any{"type": "poll", "wa_message_id": "DASH-POLL", "poll": map[string]any{
		"question": "Lunch?", "options": []string{"pizza", "sushi"}, "selectable": 1}})
	inbound(map[string]any{"type": "sticker", "wa_message_id": "DASH-STICKER", "media": map[string]any{"data": b64(webpFile)}})
	const osm = "https://www.openstreetmap.org/?mlat=-23.5505&mlon=-46.6333#map=17/-23.5505/-46.6333"
	b.waitFor(20*time.Second, "the location with its OpenStreetMap link",
		`(() => { const m = document.querySelector('#messages .msg.in[data-type="location"]');
		  const a = m && m.querySelector('[data-testid="osm-link"]');
		  return !!a && a.href === `+js(osm)+` && a.target === '_blank' && a.rel.split(' ').includes('noopener') &&
		    m.textContent.includes('Store') && m.textContent.includes('Av. Paulista 1000') && m.textContent.includes('-23.5505, -46.6333'); })()`)
	b.waitFor(20*time.Second, "the contact card",
		`(() => { const c = document.querySelector('#messages [data-testid="contact-card"]');
		  return !!c && c.textContent.includes('Ana Souza') && c.textContent.includes('ACME') &&
		    c.textContent.includes('+5511988887777') && !c.querySelector('a'); })()`)
	pollVotes := func(option string) string {
		return `(document.querySelector('#messages [data-testid="poll"] [data-option="` + option + `"]') || {dataset: {}}).dataset.votes`
	}
	b.waitFor(20*time.Second, "the poll with no votes",
		pollVotes("pizza")+` === '0' && `+pollVotes("sushi")+` === '0' &&
		 document.querySelector('#messages [data-testid="poll"]').textContent.includes('Lunch?')`)
	b.waitFor(20*time.Second, "the sticker, small",
		`(() => { const img = document.querySelector('#messages img[data-testid="sticker"]');
		  return !!img && img.complete && img.naturalWidth > 0; })()`)

	// A vote moves the tally, live; a changed vote moves it again.
	vote := func(selected ...string) {
		inbound(map[string]any{"type": "poll_vote", "target_wa_message_id": "DASH-POLL", "selected": selected})
	}
	vote("sushi")
	b.waitFor(20*time.Second, "the vote counted, live",
		`window.__sameDocument === true && `+pollVotes("sushi")+` === '1' && `+pollVotes("pizza")+` === '0'`)
	vote("pizza")
	b.waitFor(20*time.Second, "the changed vote counted, live",
		pollVotes("sushi")+` === '0' && `+pollVotes("pizza")+` === '1'`)
	b.screenshot(shots, "kinds.png")

	msgID := func(selector string) string {
		t.Helper()
		return eval[string](b, `document.querySelector(`+js(selector)+`).dataset.id`)
	}
	locID := msgID(`#messages .msg.in[data-type="location"]`)
	firstID := eval[string](b, `[...document.querySelectorAll('#messages .msg.in')].find(m => m.textContent.includes('hi, where are you?')).dataset.id`)
	in := func(id string) string { return `#messages [data-id="` + id + `"]` }

	// Reply to the location: the quote shows above the box; Esc drops it.
	b.do(10*time.Second, "choosing to reply to the location",
		chromedp.Click(chromedp.CSS(in(locID)+` [data-testid="reply-to"]`)),
		chromedp.WaitVisible(chromedp.ID("reply-quote")),
	)
	b.waitFor(5*time.Second, "the quoted location above the box",
		`document.querySelector('#reply-quote').dataset.id === `+js(locID)+` &&
		 document.querySelector('#reply-quote').textContent.includes('Store') && document.activeElement.id === 'reply-text'`)
	b.do(10*time.Second, "dropping the quote with Esc",
		chromedp.SendKeys(chromedp.ID("reply-text"), kb.Escape),
		chromedp.WaitNotVisible(chromedp.ID("reply-quote")),
	)
	const answer = "We are right here, see you soon"
	b.do(20*time.Second, "replying to the location",
		chromedp.Click(chromedp.CSS(in(locID)+` [data-testid="reply-to"]`)),
		chromedp.WaitVisible(chromedp.ID("reply-quote")),
		chromedp.SendKeys(chromedp.ID("reply-text"), answer),
		chromedp.Click(chromedp.ID("reply-send")),
	)
	b.waitFor(10*time.Second, "the reply with its quote in the conversation",
		`(() => { const m = [...document.querySelectorAll('#messages .msg.out')].find(m => m.textContent.includes(`+js(answer)+`));
		  const q = m && m.querySelector('[data-testid="quote"]');
		  return !!q && q.dataset.quoted === `+js(locID)+` && q.textContent.includes('Store') &&
		    document.querySelector('#reply-quote').hidden; })()`)
	answerID := eval[string](b, `[...document.querySelectorAll('#messages .msg.out')].find(m => m.textContent.includes(`+js(answer)+`)).dataset.id`)
	answerWA := p.sentMessage(instance, answerID)["wa_message_id"].(string)
	if s := simSentMatching(t, p, instance, func(s map[string]any) bool { return s["wa_message_id"] == answerWA }); s == nil ||
		s["reply_to_wa_message_id"] != "DASH-LOC" || s["text"] != answer {
		t.Fatalf("the sim received the reply as %v", s)
	}

	// The customer quotes it back: the quote names us and goes to it.
	inbound(map[string]any{"text": "great, on my way", "wa_message_id": "DASH-2", "reply_to_wa_message_id": answerWA})
	b.waitFor(20*time.Second, "the customer's quoted reply, live",
		`(() => { const m = [...document.querySelectorAll('#messages .msg.in')].find(m => m.textContent.includes('great, on my way'));
		  const q = m && m.querySelector('button[data-testid="quote"]');
		  return !!q && q.dataset.quoted === `+js(answerID)+` && q.querySelector('.quote-sender').textContent === 'You' &&
		    q.textContent.includes(`+js(answer)+`); })()`)
	b.do(10*time.Second, "following the quote",
		chromedp.Click(chromedp.CSS(`#messages .msg.in button[data-testid="quote"]`)),
	)
	b.waitFor(5*time.Second, "the quoted message focused", `document.activeElement.dataset.id === `+js(answerID))

	// The customer reacts to our reply: a chip, live.
	inbound(map[string]any{"type": "reaction", "target_wa_message_id": answerWA, "emoji": "❤️"})
	b.waitFor(20*time.Second, "the customer's reaction, live",
		`(() => { const r = document.querySelector(`+js(in(answerID)+` [data-testid="reaction"]`)+`);
		  return window.__sameDocument === true && !!r && r.dataset.emoji === '❤️' && !r.classList.contains('mine'); })()`)

	// We react to their first message from the picker, then take it back.
	b.do(10*time.Second, "opening the emoji picker",
		chromedp.Click(chromedp.CSS(in(firstID)+` [data-testid="react"]`)),
		chromedp.WaitVisible(chromedp.CSS(in(firstID)+` .picker`)),
	)
	if !eval[bool](b, `document.activeElement.dataset.emoji === '👍' && document.querySelector(`+js(in(firstID)+` [data-testid="react"]`)+`).getAttribute('aria-expanded') === 'true'`) {
		t.Fatal("the picker does not take the focus, or its button does not say it is open")
	}
	b.do(10*time.Second, "closing the picker with Esc",
		chromedp.KeyEvent(kb.Escape),
		chromedp.WaitNotVisible(chromedp.CSS(in(firstID)+` .picker`)),
	)
	b.do(10*time.Second, "reacting with 👍",
		chromedp.Click(chromedp.CSS(in(firstID)+` [data-testid="react"]`)),
		chromedp.WaitVisible(chromedp.CSS(in(firstID)+` .picker`)),
		chromedp.Click(chromedp.CSS(in(firstID)+` [data-emoji="👍"][data-testid="react-emoji"]`)),
	)
	b.waitFor(20*time.Second, "our reaction on the message once sent",
		`(() => { const r = document.querySelector(`+js(in(firstID)+` [data-testid="reaction"]`)+`);
		  return !!r && r.dataset.emoji === '👍' && r.classList.contains('mine'); })()`)
	eventually(t, 20*time.Second, "the reaction at the customer", func() bool {
		return simSentMatching(t, p, instance, func(s map[string]any) bool {
			return s["kind"] == "reaction" && s["target_wa_message_id"] == "DASH-1" && s["emoji"] == "👍"
		}) != nil
	})
	b.screenshot(shots, "reactions.png")
	b.do(10*time.Second, "taking our reaction back",
		chromedp.Click(chromedp.CSS(in(firstID)+` [data-testid="react"]`)),
		chromedp.WaitVisible(chromedp.CSS(in(firstID)+` .picker`)),
	)
	if !eval[bool](b, `document.querySelector(`+js(in(firstID)+` [data-emoji="👍"][data-testid="react-emoji"]`)+`).getAttribute('aria-pressed') === 'true'`) {
		t.Fatal("the picker does not show our 👍 as chosen")
	}
	b.do(10*time.Second, "choosing 👍 again",
		chromedp.Click(chromedp.CSS(in(firstID)+` [data-emoji="👍"][data-testid="react-emoji"]`)),
	)
	b.waitFor(20*time.Second, "our reaction gone",
		`!document.querySelector(`+js(in(firstID)+` [data-testid="reaction"]`)+`)`)
	eventually(t, 20*time.Second, "the removal at the customer", func() bool {
		return simSentMatching(t, p, instance, func(s map[string]any) bool {
			return s["kind"] == "reaction" && s["target_wa_message_id"] == "DASH-1" && s["emoji"] == ""
		}) != nil
	})

	// The customer fixes a typo and deletes a message: both show, live.
	inbound(map[string]any{"type": "edit", "target_wa_message_id": "DASH-1", "text": "hi, where is the store?"})
	b.waitFor(20*time.Second, "the edited message, live",
		`(() => { const m = document.querySelector(`+js(in(firstID))+`);
		  return !!m && m.querySelector('.text').textContent === 'hi, where is the store?' && !!m.querySelector('[data-testid="edited"]'); })()`)
	cardID := msgID(`#messages .msg.in[data-type="contact"]`)
	inbound(map[string]any{"type": "revoke", "target_wa_message_id": "DASH-CARD"})
	b.waitFor(20*time.Second, "the deleted message, live, its content gone",
		`(() => { const m = document.querySelector(`+js(in(cardID))+`);
		  return !!m && !!m.querySelector('[data-testid="deleted"]') && !m.textContent.includes('Ana Souza') &&
		    !m.querySelector('[data-testid="reply-to"]'); })()`)

	// A voice note from the reply box: a player in the conversation.
	note := filepath.Join(t.TempDir(), "note.ogg")
	if err := os.WriteFile(note, oggFile, 0o644); err != nil {
		t.Fatal(err)
	}
	b.do(20*time.Second, "sending a voice note",
		chromedp.SetUploadFiles(chromedp.ID("reply-file"), []string{note}),
		chromedp.WaitVisible(chromedp.ID("reply-ptt")),
		chromedp.Click(chromedp.ID("reply-ptt")),
		chromedp.Click(chromedp.ID("reply-send")),
	)
	b.waitFor(20*time.Second, "the voice note's player",
		`(() => { const v = document.querySelector('#messages .msg.out [data-testid="voice-note"] audio');
		  return !!v && v.controls && v.src.startsWith('blob:'); })()`)
	eventually(t, 20*time.Second, "the voice note at the customer", func() bool {
		return simSentMatching(t, p, instance, func(s map[string]any) bool { return s["type"] == "audio" && s["ptt"] == true }) != nil
	})
	eval[bool](b, `(() => { const l = document.querySelector('#messages'); l.scrollTop = l.scrollHeight; return true; })()`)
	shot := b.screenshot(shots, "conversation.png")
	if len(shot) == 0 {
		t.Fatal("no screenshot")
	}

	// From an attendance, a reply quotes and a reaction targets only that
	// conversation's messages: a reaction would go to its target's chat.
	aid := eval[string](b, `document.querySelector('#conv').dataset.id`)
	p.inbound(instance, "5511988880702", "another customer", "DASH-OTHER")
	var otherID string
	eventually(t, 20*time.Second, "the other customer's attendance", func() bool {
		for _, it := range p.must(200, "GET", "/v1/attendances?status=open", adminToken, nil)["items"].([]any) {
			if a := it.(map[string]any); a["id"] != aid && a["last_message"] != nil {
				otherID = a["last_message"].(map[string]any)["id"].(string)
			}
		}
		return otherID != ""
	})
	for field, body := range map[string]map[string]any{
		"message_id": {"type": "reaction", "message_id": otherID, "emoji": "👍"},
		"reply_to":   {"type": "text", "text": "about that", "reply_to": otherID},
	} {
		r := p.do("POST", "/v1/attendances/"+aid+"/messages", adminToken, body)
		if r.Status != 400 || r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any)[field] == nil {
			t.Errorf("%s of another attendance's message = %d %s", field, r.Status, r.Body)
		}
	}

	// Keyboard: the reply action is a button reached with Tab like any.
	if !eval[bool](b, `[...document.querySelectorAll('#messages [data-testid="reply-to"]')].every(b => b.tagName === 'BUTTON' && b.getAttribute('aria-label'))`) {
		t.Fatal("the reply actions are not labelled buttons")
	}
	if errs := b.exceptions(); len(errs) > 0 {
		t.Fatalf("the page threw:\n%s", strings.Join(errs, "\n"))
	}
}

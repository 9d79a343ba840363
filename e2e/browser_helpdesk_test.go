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

// keepScreenshot also writes a screenshot into docs/screenshots when
// ZAPGATE_SCREENSHOTS=1, for the README.
func keepScreenshot(t *testing.T, b *browser, dir, name string) {
	t.Helper()
	png := b.screenshot(dir, name)
	if os.Getenv("ZAPGATE_SCREENSHOTS") != "1" {
		return
	}
	out := filepath.Join("..", "docs", "screenshots")
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBrowserHelpdesk: an attendant whose dashboard is open is online, so
// routing gives them a new attendance live (with a notification); they
// answer with a saved reply typed as /shortcut, see it read, leave a
// private note and a label, filter their own, transfer it to a colleague,
// and switch the dashboard and the feedback page to Portuguese.
func TestBrowserHelpdesk(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	dora := p.must(201, "POST", "/v1/attendants", adminToken, map[string]any{
		"name": "Dora", "email": "dora@example.com", "password": "browser-pass-3", "role": "attendant"})["id"].(string)
	eli := p.must(201, "POST", "/v1/attendants", adminToken, map[string]any{
		"name": "Eli", "email": "eli@example.com", "password": "browser-pass-4", "role": "attendant"})["id"].(string)
	instance, _ := p.linkedInstance("helpdesk", "5511900000080")
	p.must(201, "POST", "/v1/teams", adminToken, map[string]any{
		"name": "Support", "instance_ids": []string{instance}, "attendant_ids": []string{dora}, "routing": "round_robin"})
	p.must(201, "POST", "/v1/canned-replies", adminToken, map[string]any{"shortcut": "hello", "text": "Hi {{name}}, {{attendant}} here."})

	b := newBrowser(t)
	shots := t.TempDir()
	b.loginAttendant(p.base, "dora@example.com", "browser-pass-3")
	eval[bool](b, `window.__sameDocument = true`)
	eventually(t, 20*time.Second, "Dora online while her dashboard is connected", func() bool {
		for _, it := range p.must(200, "GET", "/v1/attendants", adminToken, nil)["items"].([]any) {
			if a := it.(map[string]any); a["id"] == dora {
				return a["status"] == "online"
			}
		}
		return false
	})

	// A client writes: routing assigns the attendance to Dora, who hears of it.
	const client = "5511988880801"
	p.inbound(instance, client, "hello, my order is late", "")
	item := `[data-testid="attendance-item"][data-phone="` + client + `"]`
	b.waitFor(20*time.Second, "the routed attendance in the inbox and a notification",
		`!!document.querySelector(`+js(item)+`) && (window.__notified || 0) >= 1`)
	b.do(20*time.Second, "opening the conversation",
		chromedp.Click(chromedp.CSS(item)),
		chromedp.WaitVisible(chromedp.ID("reply-text")),
	)
	aid := eval[string](b, `document.querySelector('#conv').dataset.id`)
	b.waitFor(10*time.Second, "the message, its day and the assignment",
		`[...document.querySelectorAll('#messages .msg.in')].some(m => m.textContent.includes('my order is late')) &&
		 !!document.querySelector('#messages [data-testid="day"]') &&
		 document.querySelector('#assigned-to').textContent.includes('Dora')`)

	// A saved reply: "/hel" suggests it, Tab takes it (filled), Enter sends.
	b.do(10*time.Second, "typing a shortcut",
		chromedp.SendKeys(chromedp.ID("reply-text"), "/hel"),
	)
	b.waitFor(10*time.Second, "the suggestion",
		`!document.querySelector('#canned-list').hidden && !!document.querySelector('[data-testid="canned-option"]')`)
	b.do(10*time.Second, "picking it with Tab",
		chromedp.SendKeys(chromedp.ID("reply-text"), kb.Tab),
	)
	b.waitFor(10*time.Second, "the saved reply filled in the box",
		`/^Hi .*Dora here\.$/.test(document.querySelector('#reply-text').value)`)
	filled := eval[string](b, `document.querySelector('#reply-text').value`)
	b.do(10*time.Second, "sending it with Enter",
		chromedp.SendKeys(chromedp.ID("reply-text"), kb.Enter),
	)
	b.waitFor(10*time.Second, "the reply in the conversation",
		`[...document.querySelectorAll('#messages .msg.out')].some(m => m.textContent.includes(`+js(filled)+`)) &&
		 document.querySelector('#reply-text').value === ''`)
	replyID := eval[string](b, `[...document.querySelectorAll('#messages .msg.out')].find(m => m.textContent.includes(`+js(filled)+`)).dataset.id`)
	replyTicks := `#messages [data-id=` + js(replyID) + `] [data-testid="status"]`
	b.waitFor(20*time.Second, "the reply's sent tick", `document.querySelector(`+js(replyTicks)+`).dataset.status === 'sent'`)
	wa := p.sentMessage(instance, replyID)["wa_message_id"].(string)
	p.must(200, "POST", "/v1/sim/instances/"+instance+"/receipts", adminToken, map[string]any{"wa_message_id": wa, "status": "read"})
	b.waitFor(20*time.Second, "the read ticks, live", `document.querySelector(`+js(replyTicks)+`).dataset.status === 'read'`)

	// A private note: in the timeline, set apart, never sent.
	const note = "Customer is upset: offer free shipping"
	b.do(10*time.Second, "adding a note",
		chromedp.Click(chromedp.ID("note-btn")),
		chromedp.WaitVisible(chromedp.ID("note-text")),
		chromedp.SendKeys(chromedp.ID("note-text"), note),
		chromedp.Click(chromedp.CSS(`[data-testid="note-submit"]`)),
	)
	b.waitFor(10*time.Second, "the note in the timeline",
		`[...document.querySelectorAll('#messages [data-testid="note"]')].some(n => n.textContent.includes(`+js(note)+`) && n.textContent.includes('Dora'))`)
	// A label, as a chip, saved on the attendance.
	b.do(10*time.Second, "adding a label",
		chromedp.SendKeys(chromedp.ID("label-input"), "vip"+kb.Enter),
	)
	b.waitFor(10*time.Second, "the label chip", `!!document.querySelector('[data-testid="label-chip"][data-label="vip"]')`)
	got := p.must(200, "GET", "/v1/attendances/"+aid, adminToken, nil)
	if labels, _ := got["labels"].([]any); len(labels) != 1 || labels[0] != "vip" {
		t.Fatalf("labels = %v", got["labels"])
	}
	for _, s := range simSent(t, p, instance) {
		if strings.Contains(s["text"].(string), "free shipping") {
			t.Fatalf("the note reached WhatsApp: %v", s)
		}
	}
	keepScreenshot(t, b, shots, "helpdesk-conversation.png")

	// "Mine" lists it; "Unassigned" does not.
	b.do(10*time.Second, "filtering unassigned", chromedp.Click(chromedp.CSS(`[data-testid="filter-unassigned"]`)))
	b.waitFor(10*time.Second, "no unassigned attendance",
		`document.querySelector('#attendance-list').dataset.loaded === 'true' && !document.querySelector(`+js(item)+`) &&
		 document.querySelector('[data-testid="filter-unassigned"]').getAttribute('aria-pressed') === 'true'`)
	b.do(10*time.Second, "filtering mine", chromedp.Click(chromedp.CSS(`[data-testid="filter-mine"]`)))
	b.waitFor(10*time.Second, "Dora's attendance under Mine", `!!document.querySelector(`+js(item)+`)`)

	// Transfer to Eli with a note: it leaves "Mine".
	b.do(10*time.Second, "opening the transfer form",
		chromedp.Click(chromedp.ID("transfer-btn")),
		chromedp.WaitVisible(chromedp.ID("transfer-to")),
	)
	b.waitFor(10*time.Second, "Eli among the targets", `!!document.querySelector('#transfer-to option[value="a:`+eli+`"]')`)
	eval[bool](b, `(() => { document.querySelector('#transfer-to').value = 'a:`+eli+`'; return true; })()`)
	b.do(10*time.Second, "transferring",
		chromedp.SendKeys(chromedp.ID("transfer-note"), "Please follow up tomorrow"),
		chromedp.Click(chromedp.CSS(`[data-testid="transfer-submit"]`)),
	)
	eventually(t, 20*time.Second, "the attendance with Eli", func() bool {
		return p.must(200, "GET", "/v1/attendances/"+aid, adminToken, nil)["attendant_id"] == eli
	})
	b.waitFor(20*time.Second, "the head names Eli and Mine no longer lists it",
		`document.querySelector('#assigned-to').textContent.includes('Eli') && !document.querySelector(`+js(item)+`)`)

	// Portuguese, kept across pages.
	eval[bool](b, `(() => { const s = document.querySelector('#lang'); s.value = 'pt-BR'; s.dispatchEvent(new Event('change')); return true; })()`)
	b.waitFor(10*time.Second, "the dashboard in Portuguese",
		`document.querySelector('[data-testid="filter-mine"]').textContent === 'Meus' &&
		 document.querySelector('[data-testid="nav-inbox"]').textContent === 'Caixa de entrada' &&
		 document.documentElement.lang === 'pt-BR' && window.__sameDocument === true &&
		 document.querySelector('#assigned-to').textContent === 'Atribuído a Eli' &&
		 /^(Hoje|Ontem)$/.test(document.querySelector('#messages [data-testid="day"]').textContent) &&
		 document.querySelector('#messages [data-testid="note"]').textContent.includes('Nota de Dora') &&
		 document.querySelector('#messages [data-testid="reply-to"]').textContent === 'Responder' &&
		 document.querySelector('#messages [data-testid="react"]').textContent === 'Reagir' &&
		 document.querySelector('label[for="reply-file"]').textContent.startsWith('Anexar um arquivo')`)
	keepScreenshot(t, b, shots, "helpdesk-pt-br.png")
	if ex := b.exceptions(); len(ex) > 0 {
		t.Fatalf("exceptions on the dashboard: %v", ex)
	}
	b.do(20*time.Second, "the feedback page",
		chromedp.Navigate(p.base+"/feedback/zgf_unknown"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="feedback-state"]`)),
	)
	b.waitFor(10*time.Second, "the feedback page in Portuguese",
		`document.querySelector('#fb-state-title').textContent === 'Este link não é válido' &&
		 document.querySelector('h1').textContent === 'Como foi o atendimento?' && document.querySelector('#lang').value === 'pt-BR'`)
	keepScreenshot(t, b, shots, "feedback-pt-br.png")

	// The admin's Team page: presence, open counts, capacity.
	b.do(20*time.Second, "logging out and in with the admin token",
		chromedp.Navigate(p.base+"/"),
		chromedp.WaitVisible(chromedp.ID("logout")),
		chromedp.Click(chromedp.ID("logout")),
		chromedp.WaitVisible(chromedp.ID("login-email")),
		chromedp.Click(chromedp.CSS(`.token-login summary`)),
		chromedp.SendKeys(chromedp.ID("login-token"), adminToken),
		chromedp.Click(chromedp.ID("token-submit")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="nav-team"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="nav-team"]`)),
	)
	row := func(id string) string { return `[data-testid="attendant-row"][data-id="` + id + `"]` }
	b.waitFor(20*time.Second, "the attendants with their presence",
		`!!document.querySelector(`+js(row(dora))+`) && !!document.querySelector(`+js(row(eli))+`) &&
		 document.querySelector(`+js(row(eli)+` [data-testid="presence-cell"]`)+`).textContent === 'Desconectado' &&
		 document.querySelectorAll('[data-testid="team-item"]').length === 1`)
	eval[bool](b, `(() => { const i = document.querySelector(`+js(row(eli)+` input[type="number"]`)+`); i.value = '3'; i.dispatchEvent(new Event('change')); return true; })()`)
	eventually(t, 20*time.Second, "Eli's capacity saved", func() bool {
		for _, it := range p.must(200, "GET", "/v1/attendants", adminToken, nil)["items"].([]any) {
			if a := it.(map[string]any); a["id"] == eli {
				return a["max_open"] == float64(3)
			}
		}
		return false
	})
	keepScreenshot(t, b, shots, "team-pt-br.png")

	// A closed conversation reopens from its head.
	p.must(200, "POST", "/v1/attendances/"+aid+"/close", adminToken, nil)
	b.do(20*time.Second, "opening the closed conversation",
		chromedp.Navigate(p.base+"/#/inbox/"+aid),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="reopen"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="reopen"]`)),
	)
	b.waitFor(20*time.Second, "the conversation open again",
		`document.querySelector('#conv').dataset.status === 'open' && document.querySelector('[data-testid="reopen"]').hidden`)
	if st := p.must(200, "GET", "/v1/attendances/"+aid, adminToken, nil)["status"]; st != "open" {
		t.Fatalf("status after reopening = %v", st)
	}
	if ex := b.exceptions(); len(ex) > 0 {
		t.Fatalf("exceptions: %v", ex)
	}
}

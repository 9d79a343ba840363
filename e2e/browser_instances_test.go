package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The admin manages an instance from its card: a webhook (its secret shown
// once, a delivery seen and redelivered), a send hook (its URL shown once),
// then links another instance by phone number and deletes it.
func TestBrowserInstanceAdmin(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	instance, _ := p.linkedInstance("support", "5511900000070")
	linking := p.must(201, "POST", "/v1/instances", adminToken, map[string]any{"name": "linking"})["id"].(string)
	rcv := newReceiver(t)

	b := newBrowser(t)
	shots := t.TempDir()
	b.do(30*time.Second, "logging in with the admin token",
		chromedp.Navigate(p.base+"/#/instances"),
		chromedp.WaitVisible(chromedp.ID("login-email")),
		chromedp.Click(chromedp.CSS(`.token-login summary`)),
		chromedp.WaitVisible(chromedp.ID("login-token")),
		chromedp.SendKeys(chromedp.ID("login-token"), adminToken),
		chromedp.Click(chromedp.ID("token-submit")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="instances"]`)),
	)
	card := `[data-testid="instance"][data-id="` + instance + `"]`
	panel := `[data-testid="instance-admin"][data-id="` + instance + `"]`
	other := `[data-testid="instance"][data-id="` + linking + `"]`
	// The cards share a row: the other's QR arriving moves this one's
	// buttons, so the clicks wait for it.
	b.waitFor(30*time.Second, "the other instance's QR code",
		`(() => { const img = document.querySelector(`+js(other+` img[data-testid="qr"]`)+`);
		  return !!img && img.complete && img.naturalWidth > 0; })()`)
	b.do(20*time.Second, "opening the support instance's panel",
		chromedp.WaitVisible(chromedp.CSS(card+`[data-status="connected"]`)),
		chromedp.Click(chromedp.CSS(card+` [data-testid="instance-manage"]`)),
		chromedp.WaitVisible(chromedp.CSS(panel)),
	)
	b.waitFor(10*time.Second, "the empty lists loaded",
		`document.querySelector('#webhook-list').dataset.loaded === 'true' &&
		 document.querySelector('#sendhook-list').dataset.loaded === 'true'`)
	if eval[bool](b, `!!document.querySelector('[data-testid="pair-form"]')`) {
		t.Error("a connected instance offers linking by phone number")
	}

	// A webhook to the receiver, for received messages only.
	b.do(20*time.Second, "adding a webhook",
		chromedp.Click(chromedp.CSS(`[data-testid="webhook-add"]`)),
		chromedp.WaitVisible(chromedp.ID("webhook-url")),
		chromedp.SendKeys(chromedp.ID("webhook-url"), rcv.srv.URL+"/hook"),
		chromedp.Click(chromedp.CSS(`input[name="events"][value="message.status"]`)),
		chromedp.Click(chromedp.CSS(`input[name="events"][value="instance.status"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="webhook-create"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="webhook-secret"]`)),
	)
	if secret := eval[string](b, `document.querySelector('[data-testid="webhook-secret"]').value`); !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret shown = %q", secret)
	}
	b.screenshot(shots, "webhook-secret.png")
	b.do(10*time.Second, "closing the secret",
		chromedp.Click(chromedp.CSS(`[data-testid="shown-once-done"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-testid="shown-once"]`)),
	)
	hooks := p.must(200, "GET", "/v1/instances/"+instance+"/webhooks", adminToken, nil)["items"].([]any)
	if len(hooks) != 1 {
		t.Fatalf("webhooks = %v", hooks)
	}
	wh := hooks[0].(map[string]any)
	if wh["url"] != rcv.srv.URL+"/hook" || len(wh["events"].([]any)) != 1 || wh["events"].([]any)[0] != "message.received" {
		t.Fatalf("webhook created = %v", wh)
	}
	row := `[data-testid="webhook"][data-id="` + wh["id"].(string) + `"]`
	b.waitFor(10*time.Second, "the webhook listed", `!!document.querySelector(`+js(row)+`)`)

	// A client writes: the delivery shows in the open table, delivered.
	b.do(10*time.Second, "opening the deliveries",
		chromedp.Click(chromedp.CSS(row+` [data-testid="webhook-deliveries"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#deliveries-`+wh["id"].(string)+`[data-loaded="true"]`)),
	)
	p.inbound(instance, "5511988887777", "hello hooks", "")
	delivered := row + ` [data-testid="delivery"][data-status="delivered"]`
	b.waitFor(30*time.Second, "the delivery, delivered",
		`(() => { const d = document.querySelector(`+js(delivered)+`);
		  return !!d && d.textContent.includes('message.received') &&
		    d.querySelector('[data-testid="delivery-attempts"]').textContent === '1'; })()`)
	b.screenshot(shots, "deliveries.png")
	b.do(10*time.Second, "redelivering",
		chromedp.Click(chromedp.CSS(delivered+` [data-testid="redeliver"]`)),
	)
	eventually(t, 30*time.Second, "the receiver got the event twice", func() bool { return rcv.count() == 2 })
	evs := rcv.events()
	if evs[0]["id"] != evs[1]["id"] || evs[1]["type"] != "message.received" {
		t.Fatalf("redelivered %v after %v", evs[1], evs[0])
	}
	b.waitFor(30*time.Second, "the delivery shows the second attempt",
		`(() => { const d = document.querySelector(`+js(delivered)+`);
		  return !!d && d.querySelector('[data-testid="delivery-attempts"]').textContent === '2'; })()`)

	// A send hook with a default recipient, in Alertmanager format.
	b.do(20*time.Second, "adding a send hook",
		chromedp.Click(chromedp.CSS(`[data-testid="sendhook-add"]`)),
		chromedp.WaitVisible(chromedp.ID("sendhook-name")),
		chromedp.SendKeys(chromedp.ID("sendhook-name"), "alerts"),
		chromedp.SendKeys(chromedp.ID("sendhook-to"), "5511988887777"),
		chromedp.SetValue(chromedp.ID("sendhook-format"), "alertmanager"),
		chromedp.Click(chromedp.CSS(`[data-testid="sendhook-create"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="sendhook-url"]`)),
	)
	url := eval[string](b, `document.querySelector('[data-testid="sendhook-url"]').value`)
	if !strings.Contains(url, "/hooks/") {
		t.Fatalf("send hook URL shown = %q", url)
	}
	b.do(10*time.Second, "closing the URL",
		chromedp.Click(chromedp.CSS(`[data-testid="shown-once-done"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-testid="shown-once"]`)),
	)
	sh := p.must(200, "GET", "/v1/instances/"+instance+"/send-hooks", adminToken, nil)["items"].([]any)
	if len(sh) != 1 || sh[0].(map[string]any)["name"] != "alerts" || sh[0].(map[string]any)["format"] != "alertmanager" {
		t.Fatalf("send hooks = %v", sh)
	}
	b.waitFor(10*time.Second, "the send hook listed",
		`(document.querySelector('[data-testid="sendhook"]') || {}).textContent?.includes('alerts') === true`)
	b.screenshot(shots, "panel.png")

	// Deleting both (their confirmations accepted).
	eval[bool](b, `(window.confirm = () => true, true)`)
	b.do(10*time.Second, "deleting the send hook and the webhook",
		chromedp.Click(chromedp.CSS(`[data-testid="sendhook-delete"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`[data-testid="sendhook"]`)),
		chromedp.Click(chromedp.CSS(row+` [data-testid="webhook-delete"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(row)),
		chromedp.Click(chromedp.CSS(`[data-testid="admin-close"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(panel)),
	)
	if n := len(p.must(200, "GET", "/v1/instances/"+instance+"/webhooks", adminToken, nil)["items"].([]any)); n != 0 {
		t.Fatalf("%d webhooks left", n)
	}

	// The other instance waits for a scan: it links by phone number instead.
	otherPanel := `[data-testid="instance-admin"][data-id="` + linking + `"]`
	b.do(20*time.Second, "asking a pairing code",
		chromedp.Click(chromedp.CSS(other+` [data-testid="instance-manage"]`)),
		chromedp.WaitVisible(chromedp.CSS(otherPanel+` [data-testid="pair-form"]`)),
		chromedp.SendKeys(chromedp.ID("pair-phone"), "+55 11 90000-0071"),
		chromedp.Click(chromedp.CSS(`[data-testid="pair-submit"]`)),
	)
	b.waitFor(10*time.Second, "the code shown with the instructions",
		`/^[A-Z0-9]{4}-[A-Z0-9]{4}$/.test(document.querySelector('[data-testid="pair-code"]').textContent) &&
		 !document.querySelector('#pair-help').hidden`)
	b.screenshot(shots, "pair-code.png")

	// Deleting it takes its name typed out.
	b.do(10*time.Second, "typing a wrong name",
		chromedp.SendKeys(chromedp.ID("delete-confirm"), "linkin"),
	)
	if !eval[bool](b, `document.querySelector('[data-testid="instance-delete"]').disabled`) {
		t.Fatal("the instance can be deleted without its name typed")
	}
	b.do(20*time.Second, "deleting the instance",
		chromedp.SendKeys(chromedp.ID("delete-confirm"), "g"),
		chromedp.Click(chromedp.CSS(`[data-testid="instance-delete"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(otherPanel)),
		chromedp.WaitNotPresent(chromedp.CSS(other)),
	)
	if r := p.do("GET", "/v1/instances/"+linking, adminToken, nil); r.Status != 404 {
		t.Fatalf("GET the deleted instance = %d", r.Status)
	}
	if !eval[bool](b, `!!document.querySelector(`+js(card)+`)`) {
		t.Fatal("the other instance's card went away too")
	}

	if errs := b.exceptions(); len(errs) > 0 {
		t.Fatalf("the pages threw:\n%s", strings.Join(errs, "\n"))
	}
}

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserInstanceHealth: a banned instance's card says so, until when
// and why, and its Resume button lifts the ban; the card follows the
// instance.health events.
func TestBrowserInstanceHealth(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	instance, _ := p.linkedInstance("warned", "5511900000331")

	b := newBrowser(t)
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
	b.do(20*time.Second, "the card connected, with no health line",
		chromedp.WaitVisible(chromedp.CSS(card+`[data-status="connected"]`)))
	if eval[bool](b, `!!document.querySelector(`+js(card+` [data-testid="instance-health"]`)+`)`) {
		t.Fatal("an ok instance shows a health line")
	}

	p.must(200, "POST", "/v1/sim/instances/"+instance+"/faults", adminToken, map[string]any{"ban_seconds": 3600})
	health := card + ` [data-testid="instance-health"][data-state="banned"]`
	b.do(20*time.Second, "the card shows the ban", chromedp.WaitVisible(chromedp.CSS(health)))
	text := eval[string](b, `document.querySelector(`+js(health)+`).textContent`)
	if want := "temporary ban"; !strings.Contains(text, "Banned until") || !strings.Contains(text, want) {
		t.Fatalf("health line = %q", text)
	}
	eval[bool](b, `(window.confirm = () => true, true)`)
	b.do(20*time.Second, "resuming",
		chromedp.Click(chromedp.CSS(card+` [data-testid="instance-resume"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(card+` [data-testid="instance-health"]`)),
	)
	if h := healthOf(p, instance); h["state"] != "ok" || h["reason"] != "resumed" {
		t.Fatalf("health after Resume = %v", h)
	}
}

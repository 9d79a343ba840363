package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The instance card shows the last 24 h's figures and how many messages
// the new-contact cap holds.
func TestBrowserInstanceCardShowsHeldMessages(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	in := p.must(201, "POST", "/v1/instances", adminToken, map[string]any{"name": "capped"})
	id, token := in["id"].(string), in["token"].(string)
	p.must(200, "PATCH", "/v1/instances/"+id, token, map[string]any{"new_contacts_per_day": 1})
	p.link(id, "5511900000095")
	var last string
	for _, to := range []string{"5511900000096", "5511900000097"} {
		last = p.must(202, "POST", "/v1/instances/"+id+"/messages", token, map[string]any{"to": to, "type": "text", "text": "hi"})["id"].(string)
	}
	eventually(t, 20*time.Second, "the second new person held", func() bool {
		return p.must(200, "GET", "/v1/instances/"+id+"/messages/"+last, token, nil)["held"] == "new_contact_cap"
	})
	eventually(t, 10*time.Second, "the first send recorded", func() bool {
		return p.must(200, "GET", "/v1/instances/"+id, token, nil)["sent_24h"] == float64(1)
	})

	b := newBrowser(t)
	card := `[data-testid="instance"][data-id="` + id + `"]`
	b.do(30*time.Second, "logging in with the admin token",
		chromedp.Navigate(p.base+"/#/instances"),
		chromedp.WaitVisible(chromedp.ID("login-email")),
		chromedp.Click(chromedp.CSS(`.token-login summary`)),
		chromedp.WaitVisible(chromedp.ID("login-token")),
		chromedp.SendKeys(chromedp.ID("login-token"), adminToken),
		chromedp.Click(chromedp.ID("token-submit")),
		chromedp.WaitVisible(chromedp.CSS(card+` [data-testid="instance-held"]`)),
	)
	figures := eval[string](b, `document.querySelector(`+js(card+` [data-testid="instance-sending"]`)+`).textContent`)
	if !strings.Contains(figures, "1 sent") || !strings.Contains(figures, "1 new contacts") || !strings.Contains(figures, "1 held") {
		t.Fatalf("card figures = %q", figures)
	}
}

package e2e

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserReports: an admin opens Reports and sees the figures of an
// attendance answered and closed, its attendant in the table and the
// per-day chart; the CSV link downloads without an error.
func TestBrowserReports(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, _ := p.linkedInstance("browser-reports", "5511900000501")
	p.must(201, "POST", "/v1/attendants", adminToken, map[string]any{"name": "Lia", "email": "lia@example.com", "password": "s3cret-pass", "role": "attendant"})
	token := p.must(200, "POST", "/v1/auth/login", "", map[string]any{"email": "lia@example.com", "password": "s3cret-pass"})["token"].(string)
	p.inbound(id, "5511988880501", "oi", "WA-BR-1")
	eventually(t, 20*time.Second, "an open attendance", func() bool {
		return len(p.must(200, "GET", "/v1/attendances?status=open", token, nil)["items"].([]any)) == 1
	})
	aid := firstOpen(t, p, token)
	p.must(202, "POST", "/v1/attendances/"+aid+"/messages", token, map[string]any{"type": "text", "text": "olá"})
	p.must(200, "POST", "/v1/attendances/"+aid+"/close", token, nil)

	b := newBrowser(t)
	b.do(30*time.Second, "logging in with the admin token",
		chromedp.Navigate(p.base+"/"),
		chromedp.WaitVisible(chromedp.ID("login-email")),
		chromedp.Click(chromedp.CSS(`.token-login summary`)),
		chromedp.WaitVisible(chromedp.ID("login-token")),
		chromedp.SendKeys(chromedp.ID("login-token"), adminToken),
		chromedp.Click(chromedp.ID("token-submit")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="nav-reports"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="nav-reports"]`)),
	)
	b.waitFor(20*time.Second, "the figures",
		`document.querySelector('[data-testid="rep-opened"]')?.textContent === '1' &&
		 document.querySelector('[data-testid="rep-closed"]')?.textContent === '1'`)
	b.waitFor(5*time.Second, "the attendant's row and the chart",
		`document.querySelector('[data-testid="rep-by-attendant"]').innerText.includes('Lia') &&
		 document.querySelectorAll('[data-testid="report-chart"] rect').length >= 14`)
	// The download saves a Blob: catch it as the page makes its URL.
	eval[bool](b, `(() => { const make = URL.createObjectURL; URL.createObjectURL = (blob) => {
		blob.text().then((t) => { window.csvSaved = blob.type.startsWith('text/csv') ? t : 'type ' + blob.type; });
		return make.call(URL, blob); }; return true; })()`)
	b.do(10*time.Second, "downloading the CSV", chromedp.Click(chromedp.CSS(`[data-testid="report-csv"]`)))
	b.waitFor(10*time.Second, "the CSV saved", `typeof window.csvSaved === 'string'`)
	if csv := eval[string](b, `window.csvSaved`); !strings.HasPrefix(csv, "id,instance_id,") || !strings.Contains(csv, aid) {
		t.Fatalf("saved CSV %q", csv)
	}
	if ex := b.exceptions(); len(ex) > 0 {
		t.Fatalf("page exceptions: %s", strings.Join(ex, "\n"))
	}
}

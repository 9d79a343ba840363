package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// browserPaths are where the browser test looks for Chromium, in order.
var browserPaths = []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome-stable", "google-chrome"}

// browser is one headless Chromium tab driven over the DevTools protocol.
type browser struct {
	t   *testing.T
	ctx context.Context

	mu      sync.Mutex
	console []chromedp.ConsoleMessage
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := ""
	for _, p := range browserPaths {
		if found, err := exec.LookPath(p); err == nil {
			path = found
			break
		}
	}
	if path == "" {
		t.Fatalf("the browser test needs Chromium and found none (looked for %s); install it: apt-get install -y chromium",
			strings.Join(browserPaths, ", "))
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 860),
	)
	// Everything the browser does is bounded by this test-wide deadline.
	root, cancelRoot := context.WithTimeout(context.Background(), 4*time.Minute)
	alloc, cancelAlloc := chromedp.NewExecAllocator(root, opts...)
	ctx, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelRoot()
	})
	b := &browser{t: t, ctx: ctx}
	start, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	// The first action starts the browser; it must run on the tab's own
	// context, so the browser lives as long as the tab and not the step.
	done := make(chan error, 1)
	go func() { done <- chromedp.Do(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("starting %s: %v", path, err)
		}
	case <-start.Done():
		t.Fatalf("%s did not start within 60s", path)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			b.mu.Lock()
			b.console = append(b.console, m)
			b.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		if t.Failed() {
			b.mu.Lock()
			defer b.mu.Unlock()
			for _, m := range b.console {
				t.Logf("browser console: %s", m)
			}
		}
	})
	return b
}

// do runs steps within timeout; on failure it reports what the page shows.
func (b *browser) do(timeout time.Duration, what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.fatal(what, err)
	}
}

// eval runs a JavaScript expression and returns its value.
func eval[T any](b *browser, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		b.fatal("evaluating "+expr, err)
	}
	return v
}

// waitFor polls a JavaScript predicate in the page until it holds.
func (b *browser) waitFor(timeout time.Duration, what, predicate string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout+5*time.Second)
	defer cancel()
	_, err := chromedp.Run(ctx, chromedp.Poll[bool](predicate,
		chromedp.WithPollingInterval(100*time.Millisecond), chromedp.WithPollingTimeout(timeout)))
	if err != nil {
		b.fatal("waiting for "+what, err)
	}
}

func (b *browser) fatal(what string, err error) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	page, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`location.href + "\n" + document.body.innerText`))
	b.t.Fatalf("%s: %v\npage:\n%s", what, err, tail(page, 40))
}

// exceptions are the uncaught errors the page's scripts threw.
func (b *browser) exceptions() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []string
	for _, m := range b.console {
		if m.IsException() {
			out = append(out, m.String())
		}
	}
	return out
}

// screenshot saves the whole page as PNG in dir and returns its bytes; with
// E2E_SCREENSHOTS=<dir> set it keeps a copy there to look at.
func (b *browser) screenshot(dir, name string) []byte {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.fatal("taking a screenshot", err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	if keep := os.Getenv("E2E_SCREENSHOTS"); keep != "" {
		_ = os.MkdirAll(keep, 0o755)
		_ = os.WriteFile(filepath.Join(keep, name), png, 0o644)
	}
	return png
}

// writePNG writes a small picture to upload.
func writePNG(t *testing.T, path string) {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 4))
	for i := range img.Pix {
		img.Pix[i] = 0xC0
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// js quotes s as a JavaScript string literal.
func js(s string) string {
	raw, _ := json.Marshal(s)
	return string(raw)
}

func TestBrowserDashboardAndFeedback(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	p.must(201, "POST", "/v1/attendants", adminToken, map[string]any{
		"name": "Bea", "email": "bea@example.com", "password": "browser-pass-1", "role": "attendant"})
	instance, _ := p.linkedInstance("support", "5511900000060")

	// The pages come from the binary, revalidated on each load, and only
	// the embedded files are served.
	for path, ctype := range map[string]string{"/": "text/html", "/assets/app.js": "text/javascript",
		"/assets/style.css": "text/css", "/feedback/zgf_anything": "text/html"} {
		r := p.do("GET", path, "", nil)
		if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), ctype) ||
			r.Header.Get("Cache-Control") != "no-cache" || r.Header.Get("Content-Security-Policy") == "" {
			t.Fatalf("GET %s = %d %q %q", path, r.Status, r.Header.Get("Content-Type"), r.Header.Get("Cache-Control"))
		}
		if again := p.do("GET", path, "", nil, "If-None-Match", r.Header.Get("ETag")); again.Status != 304 {
			t.Fatalf("GET %s with its ETag = %d, want 304", path, again.Status)
		}
	}
	for _, path := range []string{"/assets/nope.js", "/assets/index.html", "/assets/web.go", "/assets/", "/web.go", "/app.js"} {
		if r := p.do("GET", path, "", nil); r.Status != 404 {
			t.Fatalf("GET %s = %d, want 404", path, r.Status)
		}
	}

	b := newBrowser(t)
	shots := t.TempDir()

	// An attendant logs in through the form.
	b.do(30*time.Second, "logging in",
		chromedp.Navigate(p.base+"/"),
		chromedp.WaitVisible(chromedp.ID("login-email")),
		chromedp.SendKeys(chromedp.ID("login-email"), "bea@example.com"),
		chromedp.SendKeys(chromedp.ID("login-password"), "browser-pass-1"),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="inbox"]`)),
	)
	b.waitFor(20*time.Second, "the live feed and the empty inbox",
		`document.querySelector('[data-testid="ws-status"]').dataset.state === 'open' &&
		 document.querySelector('#attendance-list').dataset.loaded === 'true'`)
	if !eval[bool](b, `document.querySelector('[data-testid="nav-instances"]').hidden`) {
		t.Fatal("an attendant sees the Instances page")
	}
	if name := eval[string](b, `document.querySelector('[data-testid="user-name"]').textContent`); name != "Bea" {
		t.Fatalf("user name shown = %q", name)
	}
	// A mark on the window proves the page is never reloaded from here on.
	eval[bool](b, `window.__sameDocument = true`)

	// A client writes in: the inbox shows it live, marked unread.
	p.inbound(instance, "5511988887777", "I need help", "")
	item := `[data-testid="attendance-item"][data-phone="5511988887777"]`
	b.waitFor(20*time.Second, "the new attendance in the inbox without a reload",
		`(() => { const a = document.querySelector(`+js(item)+`);
		  return window.__sameDocument === true && !!a && a.textContent.includes('I need help') &&
		    !!a.querySelector('[data-testid="unread"]'); })()`)
	aid := eval[string](b, `document.querySelector(`+js(item)+`).dataset.id`)
	b.screenshot(shots, "inbox-new.png")

	// Open it: the history, then a reply from the reply box.
	b.do(20*time.Second, "opening the conversation",
		chromedp.Click(chromedp.CSS(item)),
		chromedp.WaitVisible(chromedp.ID("reply-text")),
	)
	b.waitFor(10*time.Second, "the history",
		`[...document.querySelectorAll('#messages [data-testid="message"]')].some(m => m.textContent.includes('I need help'))`)
	// The client sends a picture: the attendant sees the picture itself.
	p.inboundImage(instance, "5511988887777", "pedido.png", smallPNG(t))
	b.waitFor(20*time.Second, "the client's picture shown to the attendant",
		`(() => { const img = document.querySelector('#messages .msg.in img[alt="pedido.png"]');
		  return !!img && img.complete && img.naturalWidth > 0; })()`)
	const reply = "Hello from the dashboard! How can I help?"
	b.do(20*time.Second, "sending a reply",
		chromedp.SendKeys(chromedp.ID("reply-text"), reply),
		chromedp.Click(chromedp.ID("reply-send")),
	)
	b.waitFor(10*time.Second, "the reply in the conversation",
		`[...document.querySelectorAll('#messages .msg.out')].some(m => m.textContent.includes(`+js(reply)+`)) &&
		 document.querySelector('#reply-text').value === ''`)
	eventually(t, 20*time.Second, "the reply at the client", func() bool {
		for _, it := range p.must(200, "GET", "/v1/sim/instances/"+instance+"/sent", adminToken, nil)["items"].([]any) {
			if it.(map[string]any)["text"] == reply {
				return true
			}
		}
		return false
	})
	// The client reads it: the attendant's ticks follow, live.
	replyID := eval[string](b, `[...document.querySelectorAll('#messages .msg.out')].find(m => m.textContent.includes(`+js(reply)+`)).dataset.id`)
	replyTicks := `#messages [data-id=` + js(replyID) + `] [data-testid="status"]`
	b.waitFor(20*time.Second, "the reply's sent tick",
		`document.querySelector(`+js(replyTicks)+`).dataset.status === 'sent'`)
	wa := p.sentMessage(instance, replyID)["wa_message_id"].(string)
	p.must(200, "POST", "/v1/sim/instances/"+instance+"/receipts", adminToken, map[string]any{"wa_message_id": wa, "status": "read"})
	b.waitFor(20*time.Second, "the reply's read ticks, live",
		`(() => { const s = document.querySelector(`+js(replyTicks)+`);
		  return window.__sameDocument === true && s.dataset.status === 'read' && s.textContent.includes('Read'); })()`)
	// A file from the reply box goes out as an image with its caption.
	pixel := filepath.Join(t.TempDir(), "pixel.png")
	writePNG(t, pixel)
	b.do(20*time.Second, "sending a picture",
		chromedp.SetUploadFiles(chromedp.ID("reply-file"), []string{pixel}),
		chromedp.SendKeys(chromedp.ID("reply-text"), "our logo"),
		chromedp.Click(chromedp.ID("reply-send")),
	)
	// The attendant sees the picture itself, as with the client's.
	b.waitFor(20*time.Second, "the picture in the conversation",
		`[...document.querySelectorAll('#messages .msg.out')].some(m => { const img = m.querySelector('img[alt="pixel.png"]');
		  return m.textContent.includes('our logo') && !!img && img.complete && img.naturalWidth === 4; })`)
	eventually(t, 20*time.Second, "the picture at the client", func() bool {
		for _, it := range p.must(200, "GET", "/v1/sim/instances/"+instance+"/sent", adminToken, nil)["items"].([]any) {
			if m := it.(map[string]any); m["type"] == "image" && m["filename"] == "pixel.png" && m["caption"] == "our logo" && m["mime"] == "image/png" {
				return true
			}
		}
		return false
	})
	b.waitFor(10*time.Second, "the unread mark gone once answered",
		`!document.querySelector(`+js(item)+` + ' [data-testid="unread"]')`)
	shot := b.screenshot(shots, "inbox.png")
	if len(shot) == 0 || !bytes.HasPrefix(shot, []byte("\x89PNG\r\n\x1a\n")) {
		t.Fatalf("the inbox screenshot is not a PNG (%d bytes)", len(shot))
	}

	// Closed elsewhere: the page follows, live.
	p.must(200, "POST", "/v1/attendances/"+aid+"/close", adminToken, nil)
	b.waitFor(20*time.Second, "the conversation closed, live",
		`window.__sameDocument === true && document.querySelector('#conv').dataset.status === 'closed' &&
		 !document.querySelector('#attendance-list [data-id=`+js(aid)+`]') &&
		 document.querySelector('#reply-form').hidden`)

	// A customer known only by LID shows by push name, never as the LID;
	// their phone shows, live, once WhatsApp reveals it.
	const lid, lidPhone = "201234567890123@lid", "5511966665555"
	p.must(201, "POST", "/v1/sim/instances/"+instance+"/inbound", adminToken, map[string]any{
		"from": lid, "push_name": "Lia", "text": "hello from Lia"})
	lidItem := `[data-testid="attendance-item"][data-lid="` + lid + `"]`
	b.waitFor(20*time.Second, "the LID-only customer in the inbox by push name",
		`(() => { const a = document.querySelector(`+js(lidItem)+`);
		  return !!a && a.dataset.phone === '' && a.querySelector('.att-name').textContent === 'Lia' &&
		    a.textContent.includes('hello from Lia') && !a.textContent.includes('@lid'); })()`)
	b.do(20*time.Second, "opening the LID-only conversation",
		chromedp.Click(chromedp.CSS(lidItem)),
		chromedp.WaitVisible(chromedp.ID("reply-text")),
	)
	b.waitFor(10*time.Second, "the header names Lia, not the LID",
		`document.querySelector('#conv-title').textContent === 'Lia' &&
		 document.querySelector('#conv-meta').textContent === 'Open'`)
	p.must(201, "POST", "/v1/sim/instances/"+instance+"/inbound", adminToken, map[string]any{
		"from": lid, "from_phone": lidPhone, "push_name": "Lia", "text": "this is my number"})
	b.waitFor(20*time.Second, "the phone shown once known, live",
		`window.__sameDocument === true &&
		 document.querySelector('#conv-meta').textContent.includes('+`+lidPhone+`') &&
		 document.querySelector(`+js(lidItem)+`).dataset.phone === '`+lidPhone+`' &&
		 document.querySelector('#conv-title').textContent === 'Lia'`)
	b.screenshot(shots, "lid-client.png")

	// The client rates the conversation from the link it got.
	var link string
	eventually(t, 20*time.Second, "the feedback link at the client", func() bool {
		for _, it := range p.must(200, "GET", "/v1/sim/instances/"+instance+"/sent", adminToken, nil)["items"].([]any) {
			if m := feedbackLink.FindStringSubmatch(it.(map[string]any)["text"].(string)); m != nil {
				link = m[1]
			}
		}
		return link != ""
	})
	// On a phone-sized screen, as a client would open it.
	b.do(30*time.Second, "rating on the feedback page",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile),
		chromedp.Navigate(p.base+"/feedback/"+link),
		chromedp.WaitVisible(chromedp.ID("feedback-form")),
		chromedp.Click(chromedp.CSS(`label[for="rating-4"]`)),
		chromedp.SendKeys(chromedp.ID("comment"), "Quick and kind"),
	)
	if !eval[bool](b, `document.querySelector('#rating-4').checked && document.documentElement.scrollWidth <= window.innerWidth`) {
		t.Fatal("rating 4 is not chosen, or the page does not fit a phone's width")
	}
	b.screenshot(shots, "feedback-form.png")
	b.do(20*time.Second, "sending the rating",
		chromedp.Click(chromedp.ID("feedback-submit")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="feedback-state"][data-state="done"]`)),
	)
	b.screenshot(shots, "feedback-done.png")
	sum := p.must(200, "GET", "/v1/feedback/summary", adminToken, nil)
	if sum["count"] != float64(1) || sum["average"] != float64(4) {
		t.Fatalf("feedback summary = %v, want count 1 and average 4", sum)
	}
	b.do(20*time.Second, "the used link",
		chromedp.Navigate(p.base+"/feedback/"+link),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="feedback-state"][data-state="used"]`)),
	)
	b.do(20*time.Second, "an unknown link",
		chromedp.Navigate(p.base+"/feedback/zgf_unknown"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="feedback-state"][data-state="unknown"]`)),
	)

	// The admin logs in with the admin token: instances live, with the QR
	// while one links, and the feedback summary.
	b.do(30*time.Second, "logging in with the admin token",
		chromedp.EmulateViewport(1280, 860),
		chromedp.Navigate(p.base+"/"),
		chromedp.WaitVisible(chromedp.ID("logout")),
		chromedp.Click(chromedp.ID("logout")),
		chromedp.WaitVisible(chromedp.ID("login-email")),
		chromedp.Click(chromedp.CSS(`.token-login summary`)),
		chromedp.WaitVisible(chromedp.ID("login-token")),
		chromedp.SendKeys(chromedp.ID("login-token"), adminToken),
		chromedp.Click(chromedp.ID("token-submit")),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="nav-instances"]`)),
	)
	// The closed conversation, with the picture itself (admins may fetch files).
	b.do(20*time.Second, "the closed conversations",
		chromedp.Click(chromedp.ID("show-closed")),
		chromedp.WaitVisible(chromedp.CSS(`#attendance-list [data-id="`+aid+`"]`)),
		chromedp.Click(chromedp.CSS(`#attendance-list [data-id="`+aid+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="conv-closed"]`)),
	)
	b.waitFor(10*time.Second, "the picture shown", `(() => { const img = document.querySelector('#messages img[alt="pixel.png"]');
		return !!img && img.complete && img.naturalWidth === 4 && img.alt === 'pixel.png'; })()`)
	b.screenshot(shots, "closed.png")
	b.do(20*time.Second, "the instances page",
		chromedp.Click(chromedp.CSS(`[data-testid="nav-instances"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="instance"][data-id="`+instance+`"][data-status="connected"]`)),
	)
	b.waitFor(20*time.Second, "the admin's live feed", `document.querySelector('[data-testid="ws-status"]').dataset.state === 'open'`)
	b.do(20*time.Second, "creating an instance",
		chromedp.SendKeys(chromedp.ID("instance-name"), "sales"),
		chromedp.Click(chromedp.ID("create-instance")),
		chromedp.WaitVisible(chromedp.ID("token-dialog")),
	)
	if token := eval[string](b, `document.querySelector('#new-token').value`); token == "" {
		t.Fatal("the new instance's token is not shown")
	}
	b.do(10*time.Second, "closing the token dialog",
		chromedp.Click(chromedp.CSS(`#token-dialog form button`)),
		chromedp.WaitNotVisible(chromedp.ID("token-dialog")),
	)
	var sales string
	for _, it := range p.must(200, "GET", "/v1/instances", adminToken, nil)["items"].([]any) {
		if in := it.(map[string]any); in["name"] == "sales" {
			sales = in["id"].(string)
		}
	}
	if sales == "" {
		t.Fatal("the instance created in the page does not exist")
	}
	card := `[data-testid="instance"][data-id="` + sales + `"]`
	b.waitFor(30*time.Second, "the QR code of the new instance",
		`(() => { const img = document.querySelector(`+js(card+` img[data-testid="qr"]`)+`);
		  return !!img && img.complete && img.naturalWidth > 0; })()`)
	b.screenshot(shots, "instances.png")
	p.must(200, "POST", "/v1/sim/instances/"+sales+"/scan", adminToken, map[string]any{"phone": "5511900000061"})
	b.waitFor(20*time.Second, "the new instance connected, live",
		`(() => { const c = document.querySelector(`+js(card)+`);
		  return !!c && c.dataset.status === 'connected' && !c.querySelector('img') && c.textContent.includes('+5511900000061'); })()`)
	// Its groups: none yet, then one created elsewhere arrives live.
	b.waitFor(20*time.Second, "no groups yet",
		`(document.querySelector(`+js(card+` [data-testid="instance-groups"] summary`)+`) || {}).textContent === '0 groups'`)
	p.must(201, "POST", "/v1/sim/groups", adminToken, map[string]any{
		"subject": "Plantão", "participants": []string{"5511988887777"}, "members": []string{sales}})
	b.waitFor(20*time.Second, "the new group listed, live",
		`(document.querySelector(`+js(card+` [data-testid="instance-groups"] summary`)+`) || {}).textContent === '1 group'`)
	b.do(10*time.Second, "unfolding the groups",
		chromedp.Click(chromedp.CSS(card+` [data-testid="instance-groups"] summary`)),
		chromedp.WaitVisible(chromedp.CSS(card+` [data-testid="group"]`)),
	)
	if got := eval[string](b, `document.querySelector(`+js(card+` [data-testid="group"]`)+`).textContent`); got != "Plantão 2 members" {
		t.Errorf("group shown as %q", got)
	}
	b.do(20*time.Second, "the feedback summary",
		chromedp.Click(chromedp.CSS(`[data-testid="nav-feedback"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="feedback-summary"]`)),
	)
	b.waitFor(10*time.Second, "average 4.0 over 1 rating",
		`document.querySelector('[data-testid="fb-count"]').textContent === '1' &&
		 document.querySelector('[data-testid="fb-average"]').textContent === '4.0'`)

	if errs := b.exceptions(); len(errs) > 0 {
		t.Fatalf("the pages threw:\n%s", strings.Join(errs, "\n"))
	}
}

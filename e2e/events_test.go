package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// receiver is a webhook endpoint that records what it gets.
type receiver struct {
	t       *testing.T
	srv     *httptest.Server
	mu      sync.Mutex
	got     []map[string]any
	ids     []string
	headers []http.Header
	fail    int           // answer 500 to this many requests first
	delay   time.Duration // hang this long before answering
	gaveUp  int           // requests the sender abandoned while we hung
	secret  string
	badSigs int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{t: t}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		delay := r.delay
		if r.fail > 0 {
			r.fail--
			r.mu.Unlock()
			w.WriteHeader(500)
			return
		}
		if r.secret != "" {
			wh, _ := standardwebhooks.NewWebhook(r.secret)
			if err := wh.Verify(body, req.Header); err != nil {
				r.badSigs++
			}
		}
		r.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-req.Context().Done():
				r.mu.Lock()
				r.gaveUp++
				r.mu.Unlock()
				return
			}
		}
		var m map[string]any
		_ = json.Unmarshal(body, &m)
		r.mu.Lock()
		r.got = append(r.got, m)
		r.ids = append(r.ids, req.Header.Get("webhook-id"))
		r.headers = append(r.headers, req.Header.Clone())
		r.mu.Unlock()
		w.WriteHeader(204)
	}))
	t.Cleanup(func() {
		r.srv.CloseClientConnections()
		r.srv.Close()
	})
	return r
}

// abandoned counts the requests whose sender gave up waiting.
func (r *receiver) abandoned() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.gaveUp
}

func (r *receiver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

func (r *receiver) events() []map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]map[string]any(nil), r.got...)
}

func (p *proc) webhook(instance, token, url string, evs ...string) map[string]any {
	p.t.Helper()
	return p.must(201, "POST", "/v1/instances/"+instance+"/webhooks", token, map[string]any{"url": url, "events": evs})
}

func (p *proc) inbound(instance, from, text, wa string) {
	p.t.Helper()
	body := map[string]any{"from": from, "text": text}
	if wa != "" {
		body["wa_message_id"] = wa
	}
	r := p.do("POST", "/v1/sim/instances/"+instance+"/inbound", adminToken, body)
	if r.Status != 201 && r.Status != 200 {
		p.t.Fatalf("inbound = %d %s", r.Status, r.Body)
	}
}

func TestInboundReachesSignedWebhookOnce(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("sales", "5511900000030")
	rcv := newReceiver(t)
	wh := p.webhook(id, token, rcv.srv.URL, "message.received")
	secret := wh["secret"].(string)
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret = %q", secret)
	}
	rcv.mu.Lock()
	rcv.secret = secret
	rcv.mu.Unlock()
	if list := p.must(200, "GET", "/v1/instances/"+id+"/webhooks", token, nil)["items"].([]any); len(list) != 1 || list[0].(map[string]any)["secret"] != nil {
		t.Fatalf("webhook list = %v", list)
	}
	p.inbound(id, "+5511988887777", "hello there", "WAID-1")
	p.inbound(id, "5511988887777", "hello there", "WAID-1") // WhatsApp redelivers
	eventually(t, 20*time.Second, "the webhook", func() bool { return rcv.count() == 1 })
	// Both inbound calls have returned, so the redelivery's event, had it
	// made one, is in the log by now; and the one delivery, recorded as
	// delivered in one attempt, reached the receiver once.
	if n := len(p.must(200, "GET", "/v1/events?type=message.received&instance="+id, adminToken, nil)["items"].([]any)); n != 1 {
		t.Fatalf("%d message.received events logged, want 1", n)
	}
	deliveries := "/v1/instances/" + id + "/webhooks/" + wh["id"].(string) + "/deliveries"
	var d []any
	eventually(t, 20*time.Second, "the delivery recorded", func() bool {
		d = p.must(200, "GET", deliveries, token, nil)["items"].([]any)
		return len(d) > 0 && d[0].(map[string]any)["status"] == "delivered"
	})
	if len(d) != 1 || d[0].(map[string]any)["attempts"] != float64(1) {
		t.Fatalf("deliveries = %v, want one, in one attempt", d)
	}
	if rcv.count() != 1 {
		t.Fatalf("receiver got %d events, want 1", rcv.count())
	}
	ev := rcv.events()[0]
	data := ev["data"].(map[string]any)
	if ev["type"] != "message.received" || ev["instance_id"] != id || ev["replayed"] != false ||
		data["from"] != "5511988887777" || data["text"] != "hello there" || data["direction"] != "in" || data["status"] != "received" {
		t.Fatalf("event = %v", ev)
	}
	if rcv.ids[0] != ev["id"] || rcv.badSigs != 0 {
		t.Fatalf("webhook-id %s vs event id %v, bad signatures %d", rcv.ids[0], ev["id"], rcv.badSigs)
	}
	msgs := p.must(200, "GET", "/v1/instances/"+id+"/messages?direction=in", token, nil)["items"].([]any)
	if len(msgs) != 1 {
		t.Fatalf("%d incoming messages stored, want 1", len(msgs))
	}
}

func TestWebhookRetriesSurviveARestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.start()
	id, token := p.linkedInstance("sales", "5511900000031")
	rcv := newReceiver(t)
	rcv.fail = 2
	wh := p.webhook(id, token, rcv.srv.URL, "message.received")
	deliveries := "/v1/instances/" + id + "/webhooks/" + wh["id"].(string) + "/deliveries"
	p.inbound(id, "5511988887777", "retry me", "")
	eventually(t, 20*time.Second, "the first failed attempt", func() bool {
		items := p.must(200, "GET", deliveries, token, nil)["items"].([]any)
		return len(items) > 0 && items[0].(map[string]any)["attempts"].(float64) >= 1
	})
	// Restart in the middle of the retry schedule: nothing is lost.
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	q := e.start()
	var d map[string]any
	eventually(t, 60*time.Second, "delivered on the third attempt", func() bool {
		items := q.must(200, "GET", deliveries, token, nil)["items"].([]any)
		for _, it := range items {
			if m := it.(map[string]any); m["event_type"] == "message.received" {
				d = m
			}
		}
		return d != nil && d["status"] == "delivered"
	})
	if d["attempts"] != float64(3) || d["last_status_code"] != float64(204) {
		t.Fatalf("delivery = %v", d)
	}
	// Redeliver sends it once more.
	before := rcv.count()
	q.must(202, "POST", deliveries+"/"+d["id"].(string)+"/redeliver", token, nil)
	eventually(t, 20*time.Second, "redelivered", func() bool { return rcv.count() == before+1 })
}

func TestDeadReceiverDoesNotDelayHealthyOne(t *testing.T) {
	t.Parallel()
	// A long receiver timeout, so that the fact below does not depend on
	// how fast this machine runs the pipeline.
	p := newEnv(t).start("ZAPGATE_WEBHOOK_TIMEOUT=90s")
	id, token := p.linkedInstance("sales", "5511900000032")
	dead, healthy := newReceiver(t), newReceiver(t)
	dead.delay = 10 * time.Minute // never answers
	p.webhook(id, token, dead.srv.URL, "message.received")
	p.webhook(id, token, healthy.srv.URL, "message.received")
	for i := range 40 {
		p.inbound(id, "5511988887777", fmt.Sprint("m", i), "")
	}
	// Had the dead receiver held the workers, nothing more would go out
	// until its first attempts timed out: the healthy one gets all 40 while
	// every request to the dead one still hangs.
	eventually(t, 80*time.Second, "the healthy receiver served", func() bool { return healthy.count() == 40 })
	if n := dead.abandoned(); n != 0 {
		t.Fatalf("%d requests to the dead receiver ended before the healthy one was served", n)
	}
}

func dialWS(t *testing.T, p *proc, query string) *websocket.Conn {
	t.Helper()
	url := strings.Replace(p.base, "http://", "ws://", 1) + "/v1/ws?" + query
	conn, resp, err := websocket.DefaultDialer.Dial(url, nil)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (%d)", url, err, status)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// loggedEvents lists the event log, of instance when given, oldest first.
func loggedEvents(t *testing.T, p *proc, instance string) []string {
	t.Helper()
	q := url.Values{"limit": {"500"}}
	if instance != "" {
		q.Set("instance", instance)
	}
	var ids []string
	for {
		page := p.must(200, "GET", "/v1/events?"+q.Encode(), adminToken, nil)
		items := page["items"].([]any)
		for _, it := range items {
			ids = append(ids, it.(map[string]any)["id"].(string))
		}
		next, _ := page["next"].(string)
		if next == "" || len(items) == 0 {
			return ids
		}
		q.Set("cursor", next)
	}
}

// dialFeed dials the websocket resumed from the newest event in the log (of
// instance, when given): every event logged after this call reaches it,
// however late the server registers the connection.
func dialFeed(t *testing.T, p *proc, query, instance string) *websocket.Conn {
	t.Helper()
	ids := loggedAtLeast(t, p, instance, 1)
	return dialWS(t, p, query+"&since="+ids[len(ids)-1])
}

// loggedAtLeast waits until the log lists n events (of instance): it lists
// events in commit order, below the oldest transaction still in flight in
// the whole Postgres cluster, which other tests' transactions hold back.
func loggedAtLeast(t *testing.T, p *proc, instance string, n int) []string {
	t.Helper()
	var ids []string
	eventually(t, 30*time.Second, fmt.Sprintf("%d events in the log", n), func() bool {
		ids = loggedEvents(t, p, instance)
		return len(ids) >= n
	})
	return ids
}

// dialLive dials the websocket and returns once the server feeds it: it
// resumes from the second newest event in the log (of instance) and reads
// the newest, which the server sends only after registering the
// connection, so even events that are never logged (replays) reach it from
// then on.
func dialLive(t *testing.T, p *proc, query, instance string) *websocket.Conn {
	t.Helper()
	ids := loggedAtLeast(t, p, instance, 2)
	conn := dialWS(t, p, query+"&since="+ids[len(ids)-2])
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for the newest logged event on the websocket: %v", err)
		}
		var e map[string]any
		if err := json.Unmarshal(data, &e); err != nil {
			t.Fatalf("not JSON: %s", data)
		}
		if e["id"] == ids[len(ids)-1] {
			return conn
		}
	}
}

// readEvents reads text frames until n events of the wanted types arrived.
func readEvents(t *testing.T, conn *websocket.Conn, n int, types ...string) []map[string]any {
	t.Helper()
	var out []map[string]any
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	for len(out) < n {
		_, data, err := conn.ReadMessage()
		if err != nil {
			t.Fatalf("after %d of %d events: %v", len(out), n, err)
		}
		var e map[string]any
		if err := json.Unmarshal(data, &e); err != nil {
			t.Fatalf("not JSON: %s", data)
		}
		for _, ty := range types {
			if e["type"] == ty {
				out = append(out, e)
			}
		}
	}
	return out
}

func TestWebsocketLiveAndResumeWithoutGapOrDuplicate(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	a, tokenA := p.linkedInstance("a", "5511900000033")
	b, _ := p.linkedInstance("b", "5511900000034")
	live := dialFeed(t, p, "token="+tokenA, a)
	// watch stays connected throughout: reading the missed events on it
	// proves they were broadcast before the resume, so only the backlog can
	// bring them back.
	watch := dialFeed(t, p, "token="+tokenA, a)
	p.inbound(b, "5511988887777", "not for A", "")
	for i := range 3 {
		p.inbound(a, "5511988887777", fmt.Sprint("live", i), "")
	}
	got := readEvents(t, live, 3, "message.received")
	for i, e := range got {
		if e["instance_id"] != a || e["data"].(map[string]any)["text"] != fmt.Sprint("live", i) {
			t.Fatalf("live event %d = %v", i, e)
		}
	}
	readEvents(t, watch, 3, "message.received")
	last := got[2]["id"].(string)
	live.Close()
	// Missed while away, then more while resuming.
	for i := range 5 {
		p.inbound(a, "5511988887777", fmt.Sprint("missed", i), "")
	}
	readEvents(t, watch, 5, "message.received")
	resumed := dialWS(t, p, "token="+tokenA+"&since="+last)
	go func() {
		for i := range 5 {
			p.inbound(a, "5511988887777", fmt.Sprint("after", i), "")
		}
	}()
	// Read up to the last event sent: what came before it decides, not a
	// time-out.
	var texts []string
	seen := map[string]bool{}
	for len(texts) == 0 || texts[len(texts)-1] != "after4" {
		e := readEvents(t, resumed, 1, "message.received")[0]
		if seen[e["id"].(string)] {
			t.Fatalf("duplicate %v", e["id"])
		}
		seen[e["id"].(string)] = true
		texts = append(texts, e["data"].(map[string]any)["text"].(string))
	}
	want := "missed0 missed1 missed2 missed3 missed4 after0 after1 after2 after3 after4"
	if strings.Join(texts, " ") != want {
		t.Fatalf("resumed feed = %v", texts)
	}
	// An instance token cannot watch another instance.
	url := strings.Replace(p.base, "http://", "ws://", 1) + "/v1/ws?token=" + tokenA + "&instance=" + b
	if _, resp, err := websocket.DefaultDialer.Dial(url, nil); err == nil || resp == nil || resp.StatusCode != 404 {
		t.Fatalf("cross-instance websocket was not refused with 404")
	}
	if _, resp, err := websocket.DefaultDialer.Dial(strings.Replace(p.base, "http://", "ws://", 1)+"/v1/ws?token=bad", nil); err == nil || resp.StatusCode != 401 {
		t.Fatal("a bad token was not refused with 401")
	}
}

func TestReplayReachesOnlyTheChosenTarget(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	a, tokenA := p.linkedInstance("a", "5511900000035")
	b, tokenB := p.linkedInstance("b", "5511900000036")
	rcvA, rcvB := newReceiver(t), newReceiver(t)
	p.webhook(a, tokenA, rcvA.srv.URL)
	p.webhook(b, tokenB, rcvB.srv.URL)
	start := time.Now().Add(-time.Second).UTC()
	for i := range 3 {
		p.inbound(a, "5511988887777", fmt.Sprint("a", i), "")
	}
	p.inbound(b, "5511988887777", "b0", "")
	eventually(t, 20*time.Second, "originals delivered", func() bool {
		return countType(rcvA, "message.received") == 3 && countType(rcvB, "message.received") == 1
	})
	log := p.must(200, "GET", "/v1/events?type=message.received&instance="+a+"&since="+start.Format(time.RFC3339), adminToken, nil)["items"].([]any)
	if len(log) != 3 {
		t.Fatalf("event log has %d message.received for A, want 3", len(log))
	}
	ws := dialLive(t, p, "token="+adminToken, "")

	res := p.must(202, "POST", "/v1/events/replay", adminToken, map[string]any{
		"since": start.Format(time.RFC3339), "types": []string{"message.received"}, "instance_id": a, "target": "webhooks"})
	if res["count"] != float64(3) || res["replay_id"] == "" {
		t.Fatalf("replay = %v", res)
	}
	eventually(t, 20*time.Second, "replayed to A's webhook", func() bool { return countType(rcvA, "message.received") == 6 })
	replayed := 0
	for i, e := range rcvA.events() {
		if e["type"] == "message.received" && e["replayed"] == true {
			replayed++
			if !containsID(log, e["id"].(string)) || rcvA.ids[i] != e["id"] {
				t.Fatalf("replayed event has a new id: %v", e["id"])
			}
		}
	}
	if replayed != 3 || countType(rcvB, "message.received") != 1 {
		t.Fatalf("replayed %d to A, B has %d", replayed, countType(rcvB, "message.received"))
	}

	res = p.must(202, "POST", "/v1/events/replay", adminToken, map[string]any{
		"since": start.Format(time.RFC3339), "types": []string{"message.received"}, "instance_id": a, "target": "websocket"})
	if res["count"] != float64(3) {
		t.Fatalf("websocket replay = %v", res)
	}
	evs := readEvents(t, ws, 3, "message.received")
	for _, e := range evs {
		if e["replayed"] != true || e["instance_id"] != a {
			t.Fatalf("websocket replay = %v", e)
		}
	}
	eventually(t, 20*time.Second, "the websocket replay done", func() bool {
		r := p.must(200, "GET", "/v1/events/replays/"+res["replay_id"].(string), adminToken, nil)
		return r["status"] == "done" && r["sent"] == float64(3)
	})
	// Proving that nothing reached A's webhook: the replayed events went
	// through the events fanout, where the webhook notifier also reads; an
	// event published after them reaching B's webhook shows the notifier
	// has gone past them.
	p.inbound(b, "5511988887777", "b1", "")
	eventually(t, 20*time.Second, "a later event at B's webhook", func() bool { return countType(rcvB, "message.received") == 2 })
	if countType(rcvA, "message.received") != 6 {
		t.Fatal("a websocket replay reached the webhooks")
	}
	if n := len(p.must(200, "GET", "/v1/events?type=message.received&instance="+a, adminToken, nil)["items"].([]any)); n != 3 {
		t.Fatalf("replays show in the event log: %d", n)
	}
	if r := p.do("POST", "/v1/events/replay", adminToken, map[string]any{"target": "fax"}); r.Status != 400 {
		t.Fatalf("bad target = %d", r.Status)
	}
	if r := p.do("GET", "/v1/events", tokenA, nil); r.Status != 404 {
		t.Fatalf("instance token on the event log = %d", r.Status)
	}
}

func countType(r *receiver, typ string) int {
	n := 0
	for _, e := range r.events() {
		if e["type"] == typ {
			n++
		}
	}
	return n
}

func containsID(items []any, id string) bool {
	for _, it := range items {
		if it.(map[string]any)["id"] == id {
			return true
		}
	}
	return false
}

func TestReplayFromTheCommandLine(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.start()
	id, token := p.linkedInstance("cli", "5511900000060")
	rcv := newReceiver(t)
	p.webhook(id, token, rcv.srv.URL, "message.received")
	start := time.Now().Add(-time.Second).UTC().Format(time.RFC3339)
	p.inbound(id, "5511988887777", "one", "")
	p.inbound(id, "5511988887777", "two", "")
	eventually(t, 20*time.Second, "originals", func() bool { return rcv.count() == 2 })
	cmd := exec.Command(binary, "events", "replay", "--since", start, "--type", "message.received", "--instance", id, "--target", "webhooks")
	// The operator works on the database directly: no admin token.
	cmd.Env = append(os.Environ(), "ZAPGATE_ADMIN_TOKEN=", "ZAPGATE_DATABASE_URL="+e.dbURL)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("replay: %v\n%s", err, out)
	}
	// It waits for the replay, whoever runs it (itself or the server's
	// worker), and says so.
	if !strings.Contains(string(out), `"count":2`) || !strings.Contains(string(out), `"msg":"events replay requested"`) ||
		!strings.Contains(string(out), `"sent":2,"status":"done"`) {
		t.Fatalf("replay output (audit line, result and progress):\n%s", out)
	}
	eventually(t, 20*time.Second, "replayed", func() bool { return rcv.count() == 4 })
	bad := exec.Command(binary, "events", "replay", "--since", "yesterday")
	bad.Env = cmd.Env
	if out, err := bad.CombinedOutput(); err == nil || !strings.Contains(string(out), "--since") {
		t.Fatalf("bad --since accepted: %s", out)
	}
}

package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestScheduledMessagesFireOnTimeAndCancel(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.start()
	id, token := p.linkedInstance("sales", "5511900000020")
	at := time.Now().Add(3 * time.Second).UTC().Truncate(time.Second)
	m := p.must(202, "POST", "/v1/instances/"+id+"/messages", token, map[string]any{
		"to": "5511999998888", "type": "text", "text": "later", "send_at": at.Format(time.RFC3339)})
	if m["status"] != "scheduled" || m["send_at"] == nil {
		t.Fatalf("scheduled = %v", m)
	}
	c := p.must(202, "POST", "/v1/instances/"+id+"/messages", token, map[string]any{
		"to": "5511999998888", "type": "text", "text": "never", "send_at": at.Add(time.Hour).Format(time.RFC3339)})
	if got := p.must(200, "DELETE", "/v1/instances/"+id+"/messages/"+c["id"].(string), token, nil); got["status"] != "canceled" {
		t.Fatalf("cancel = %v", got)
	}
	if r := p.do("DELETE", "/v1/instances/"+id+"/messages/"+c["id"].(string), token, nil); r.Status != 409 || r.ErrorCode(t) != "not_cancelable" {
		t.Fatalf("second cancel = %d %s", r.Status, r.Body)
	}
	var sent map[string]any
	eventually(t, 30*time.Second, "the scheduled message sent", func() bool {
		sent = p.must(200, "GET", "/v1/instances/"+id+"/messages/"+m["id"].(string), token, nil)
		return sent["status"] == "sent"
	})
	sentAt, _ := time.Parse(time.RFC3339Nano, sent["sent_at"].(string))
	delay := sentAt.Sub(at)
	if delay < 0 {
		t.Fatalf("sent %s before send_at", -delay)
	}
	t.Logf("sent %s after send_at", delay.Round(time.Millisecond))
	if r := p.do("DELETE", "/v1/instances/"+id+"/messages/"+m["id"].(string), token, nil); r.Status != 409 {
		t.Fatalf("cancel of a sent message = %d", r.Status)
	}
}

func TestTwoSchedulersFireEachMessageOnce(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.start()
	e.start("ZAPGATE_ROLES=scheduler")
	id, token := p.linkedInstance("sales", "5511900000021")
	at := time.Now().Add(4 * time.Second).UTC().Format(time.RFC3339)
	for i := range 200 {
		p.must(202, "POST", "/v1/instances/"+id+"/messages", token, map[string]any{
			"to": "5511999998888", "type": "text", "text": fmt.Sprint("n", i), "send_at": at})
	}
	eventually(t, 90*time.Second, "200 sent", func() bool {
		return p.must(200, "GET", "/v1/sim/stats", adminToken, nil)["sent"] == float64(200)
	})
	// Each message fired once: one send command each, counted where the
	// schedulers write them.
	if n := sendCommands(t, p, id); n != 200 {
		t.Fatalf("%d send commands for 200 scheduled messages", n)
	}
	if st := p.must(200, "GET", "/v1/sim/stats", adminToken, nil); st["sent"] != float64(200) || st["distinct"] != float64(200) {
		t.Fatalf("stats = %v", st)
	}
}

func TestOverdueScheduledMessagesSendAfterRestart(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.start()
	id, token := p.linkedInstance("sales", "5511900000022")
	due := time.Now().Add(2 * time.Second).UTC().Truncate(time.Second)
	at := due.Format(time.RFC3339)
	var ids []string
	for i := range 5 {
		ids = append(ids, p.must(202, "POST", "/v1/instances/"+id+"/messages", token, map[string]any{
			"to": "5511999998888", "type": "text", "text": fmt.Sprint("n", i), "send_at": at})["id"].(string))
	}
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	// The scenario: the messages fall due while no zapgate runs.
	eventually(t, 10*time.Second, "send_at passed", func() bool { return time.Now().After(due) })
	q := e.start()
	for _, mid := range ids {
		eventually(t, 30*time.Second, "overdue sent", func() bool {
			return q.must(200, "GET", "/v1/instances/"+id+"/messages/"+mid, token, nil)["status"] == "sent"
		})
	}
}

func TestSendHooks(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("alerts", "5511900000023")
	hook := p.must(201, "POST", "/v1/instances/"+id+"/send-hooks", token, map[string]any{"name": "deploys", "to": "+5511999990001"})
	url, htoken := hook["url"].(string), hook["token"].(string)
	if !strings.HasSuffix(url, "/hooks/"+htoken) || !strings.HasPrefix(url, p.base) || len(htoken) < 43 {
		t.Fatalf("hook = %v", hook)
	}
	path := "/hooks/" + htoken
	plain := func(path, body string) response {
		return p.do("POST", path, "", []byte(body), "Content-Type", "text/plain")
	}
	if r := plain(path, "deploy finished"); r.Status != 202 || r.JSON(t)["id"] == "" {
		t.Fatalf("text/plain = %d %s", r.Status, r.Body)
	}
	if r := plain(path+"?to=5511999990002", "to someone else"); r.Status != 202 {
		t.Fatalf("?to = %d %s", r.Status, r.Body)
	}
	p.must(202, "POST", path, "", map[string]any{"to": "5511999990003", "text": "json"})
	eventually(t, 30*time.Second, "3 hook sends", func() bool {
		return len(p.must(200, "GET", "/v1/sim/instances/"+id+"/sent", adminToken, nil)["items"].([]any)) == 3
	})
	items := p.must(200, "GET", "/v1/sim/instances/"+id+"/sent", adminToken, nil)["items"].([]any)
	want := map[string]string{"5511999990001": "deploy finished", "5511999990002": "to someone else", "5511999990003": "json"}
	for _, it := range items {
		m := it.(map[string]any)
		if want[m["to"].(string)] != m["text"] {
			t.Errorf("unexpected send %v", m)
		}
	}
	// No default recipient and none given: 400. Too large: 413.
	bare := p.must(201, "POST", "/v1/instances/"+id+"/send-hooks", token, map[string]any{"name": "bare"})
	if r := plain("/hooks/"+bare["token"].(string), "to whom?"); r.Status != 400 {
		t.Fatalf("no recipient = %d %s", r.Status, r.Body)
	}
	if r := plain(path, strings.Repeat("x", 1<<20+1)); r.Status != 413 {
		t.Fatalf("large body = %d", r.Status)
	}
	// The token is never stored in clear, nor listed.
	list := p.must(200, "GET", "/v1/instances/"+id+"/send-hooks", token, nil)["items"].([]any)
	for _, it := range list {
		if _, ok := it.(map[string]any)["token"]; ok {
			t.Fatal("token listed")
		}
	}
	// Stored as its SHA-256 only: the hash matches, the token itself is nowhere.
	if n := countRows(t, p, "SELECT count(*) FROM send_hooks WHERE token_hash = sha256(convert_to('"+htoken+"', 'UTF8'))"); n != 1 {
		t.Fatal("the token is not stored as its hash")
	}
	if n := countRows(t, p, "SELECT count(*) FROM send_hooks WHERE position(convert_to('"+htoken[4:20]+"', 'UTF8') in token_hash) > 0"); n != 0 {
		t.Fatal("token stored in clear")
	}
	// Rate limit: the burst passes, then 429 with Retry-After.
	var limited response
	for range 20 {
		if r := plain(path, "burst"); r.Status == 429 {
			limited = r
			break
		}
	}
	if limited.Status != 429 || limited.Header.Get("Retry-After") == "" || limited.ErrorCode(t) != "rate_limited" {
		t.Fatalf("no 429 with Retry-After in a burst of 20: %d", limited.Status)
	}
	// Deleted: the URL stops at once.
	p.must(204, "DELETE", "/v1/instances/"+id+"/send-hooks/"+hook["id"].(string), token, nil)
	if r := plain(path, "gone"); r.Status != 404 {
		t.Fatalf("deleted hook = %d", r.Status)
	}
	if r := plain("/hooks/zgh_unknown", "x"); r.Status != 404 {
		t.Fatalf("unknown hook = %d", r.Status)
	}
}

func TestPacingSpreadsOneInstanceOnly(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	// A's rate is set before it is linked: its queue's consumer, started
	// once it connects, paces from the first message.
	in := p.must(201, "POST", "/v1/instances", adminToken, map[string]any{"name": "slow"})
	a, tokenA := in["id"].(string), in["token"].(string)
	p.must(200, "PATCH", "/v1/instances/"+a, tokenA, map[string]any{"send_rate_per_minute": 30})
	if got := p.must(200, "GET", "/v1/instances/"+a, tokenA, nil)["send_rate_per_minute"]; got != float64(30) {
		t.Fatalf("rate = %v", got)
	}
	p.link(a, "5511900000024")
	b, tokenB := p.linkedInstance("fast", "5511900000025")
	for i := range 4 {
		p.must(202, "POST", "/v1/instances/"+a+"/messages", tokenA, map[string]any{"to": "5511999998888", "type": "text", "text": fmt.Sprint("a", i)})
		p.must(202, "POST", "/v1/instances/"+b+"/messages", tokenB, map[string]any{"to": "5511999998888", "type": "text", "text": fmt.Sprint("b", i)})
	}
	eventually(t, 30*time.Second, "B's burst sent at once", func() bool {
		return len(p.must(200, "GET", "/v1/sim/instances/"+b+"/sent", adminToken, nil)["items"].([]any)) == 4
	})
	eventually(t, 60*time.Second, "A's burst sent", func() bool {
		return len(p.must(200, "GET", "/v1/sim/instances/"+a+"/sent", adminToken, nil)["items"].([]any)) == 4
	})
	items := p.must(200, "GET", "/v1/sim/instances/"+a+"/sent", adminToken, nil)["items"].([]any)
	var prev time.Time
	for i, it := range items {
		m := it.(map[string]any)
		if m["text"] != fmt.Sprint("a", i) {
			t.Fatalf("order broken: %d is %v", i, m["text"])
		}
		at, _ := time.Parse(time.RFC3339Nano, m["at"].(string))
		// 30/min is 2 s apart, jittered ±30%: never under 1.4 s.
		if i > 0 && at.Sub(prev) < 1400*time.Millisecond {
			t.Fatalf("sends %d and %d only %s apart", i-1, i, at.Sub(prev))
		}
		prev = at
	}
	if r := p.do("PATCH", "/v1/instances/"+a, tokenA, map[string]any{"send_rate_per_minute": -1}); r.Status != 400 {
		t.Fatalf("negative rate = %d", r.Status)
	}
}

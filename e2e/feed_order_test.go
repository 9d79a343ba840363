package e2e

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

// postInbound is p.inbound for goroutines other than the test's.
func postInbound(p *proc, instance, from, text string) error {
	raw, _ := json.Marshal(map[string]any{"from": from, "text": text})
	req, err := http.NewRequest("POST", p.base+"/v1/sim/instances/"+instance+"/inbound", bytes.NewReader(raw))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+adminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 201 && resp.StatusCode != 200 {
		return fmt.Errorf("inbound %q = %d", text, resp.StatusCode)
	}
	return nil
}

// inboundConcurrently posts texts through writers goroutines at once.
func inboundConcurrently(t *testing.T, p *proc, instance string, texts []string, writers int) {
	t.Helper()
	jobs := make(chan string)
	var wg sync.WaitGroup
	var failed atomic.Int64
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for text := range jobs {
				if err := postInbound(p, instance, "5511988887777", text); err != nil {
					failed.Add(1)
					t.Error(err)
				}
			}
		}()
	}
	for _, text := range texts {
		if failed.Load() > 0 {
			break
		}
		jobs <- text
	}
	close(jobs)
	wg.Wait()
	if failed.Load() > 0 {
		t.FailNow()
	}
}

// seen tallies events by id and by text, to count what is missing and what
// came twice.
type seen struct {
	ids   map[string]bool
	texts map[string]bool
	dups  []string
	last  string
}

func newSeen() *seen { return &seen{ids: map[string]bool{}, texts: map[string]bool{}} }

// add records a message.received event and reports whether it is the end.
func (s *seen) add(e map[string]any) (end bool) {
	if e["type"] != "message.received" {
		return false
	}
	id, _ := e["id"].(string)
	text, _ := e["data"].(map[string]any)["text"].(string)
	if s.ids[id] {
		s.dups = append(s.dups, text)
	}
	s.ids[id], s.texts[text], s.last = true, true, id
	return text == "end"
}

func (s *seen) check(t *testing.T, who string, texts []string) {
	t.Helper()
	var missing []string
	for _, text := range texts {
		if !s.texts[text] {
			missing = append(missing, text)
		}
	}
	if len(missing) > 0 || len(s.dups) > 0 {
		t.Errorf("%s: %d of %d events missing %v, %d duplicates %v", who, len(missing), len(texts), missing, len(s.dups), s.dups)
	}
}

// resumeWebsocket follows the feed from since, reconnecting with since=<last
// id received> after every `every` events, until the event "end".
func resumeWebsocket(p *proc, token, since string, every int) (*seen, int, error) {
	s := newSeen()
	s.last = since
	reconnects := 0
	for {
		u := strings.Replace(p.base, "http://", "ws://", 1) + "/v1/ws?token=" + token + "&since=" + s.last
		conn, _, err := websocket.DefaultDialer.Dial(u, nil)
		if err != nil {
			return s, reconnects, fmt.Errorf("dial: %w", err)
		}
		for n := 0; n < every; {
			_ = conn.SetReadDeadline(time.Now().Add(60 * time.Second))
			_, data, err := conn.ReadMessage()
			if err != nil {
				conn.Close()
				return s, reconnects, fmt.Errorf("after %d events: %w", len(s.ids), err)
			}
			var e map[string]any
			if err := json.Unmarshal(data, &e); err != nil {
				conn.Close()
				return s, reconnects, err
			}
			if s.add(e) {
				conn.Close()
				return s, reconnects, nil
			}
			if e["type"] == "message.received" {
				n++
			}
		}
		conn.Close() // gone without a goodbye, as a dropped client is
		reconnects++
	}
}

// pageEvents pages GET /v1/events with the cursor; at the end of the log
// (next empty) it goes on with since=<last id seen>, until the event "end".
func pageEvents(p *proc, instance, since string, limit int) (*seen, error) {
	s := newSeen()
	s.last = since
	next := ""
	for {
		q := url.Values{"instance": {instance}, "type": {"message.received"}, "limit": {fmt.Sprint(limit)}}
		if next != "" {
			q.Set("cursor", next)
		} else {
			q.Set("since", s.last)
		}
		r, err := p.doWith(http.DefaultClient, "GET", "/v1/events?"+q.Encode(), adminToken, nil)
		if err != nil {
			return s, err
		}
		if r.Status != 200 {
			return s, fmt.Errorf("GET /v1/events?%s = %d %s", q.Encode(), r.Status, r.Body)
		}
		var page struct {
			Items []map[string]any `json:"items"`
			Next  string           `json:"next"`
		}
		if err := json.Unmarshal(r.Body, &page); err != nil {
			return s, err
		}
		for _, e := range page.Items {
			if s.add(e) {
				return s, nil
			}
		}
		if next = page.Next; next == "" && len(page.Items) == 0 {
			time.Sleep(20 * time.Millisecond) // polling the log's end for the next events
		}
	}
}

// TestEventsInCommitOrderUnderConcurrentWriters: while 16 writers commit
// 600 events at once (so transactions commit out of their id order), a
// websocket client that drops and resumes with since=<last id> ten times,
// and a reader paging GET /v1/events, each see every event exactly once.
func TestEventsInCommitOrderUnderConcurrentWriters(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("order", "5511900000070")
	const total, writers = 600, 16

	p.inbound(id, "5511988887777", "start", "")
	var start string
	eventually(t, 20*time.Second, "the start event in the log", func() bool {
		items := p.must(200, "GET", "/v1/events?type=message.received&instance="+id, adminToken, nil)["items"].([]any)
		if len(items) == 1 {
			start = items[0].(map[string]any)["id"].(string)
		}
		return start != ""
	})

	// since is an event id or a time; an id the log does not have is 404,
	// as the websocket's 4004.
	if r := p.do("GET", "/v1/events?since=00000000-0000-7000-8000-000000000000", adminToken, nil); r.Status != 404 || r.ErrorCode(t) != "not_found" {
		t.Fatalf("unknown since id = %d %s, want 404 not_found", r.Status, r.Body)
	}
	if r := p.do("GET", "/v1/events?since=yesterday", adminToken, nil); r.Status != 400 || !strings.Contains(string(r.Body), `"since"`) {
		t.Fatalf("bad since = %d %s, want 400 naming since", r.Status, r.Body)
	}

	type result struct {
		s          *seen
		reconnects int
		err        error
	}
	wsDone, pageDone := make(chan result, 1), make(chan result, 1)
	go func() {
		s, n, err := resumeWebsocket(p, token, start, total/10)
		wsDone <- result{s, n, err}
	}()
	go func() {
		s, err := pageEvents(p, id, start, 37)
		pageDone <- result{s: s, err: err}
	}()

	var texts []string
	for i := range total {
		texts = append(texts, fmt.Sprint("w", i))
	}
	inboundConcurrently(t, p, id, texts, writers)
	// Every writer has committed: "end" comes after all of them.
	p.inbound(id, "5511988887777", "end", "")

	for _, r := range []struct {
		who  string
		done chan result
	}{{"websocket resumes", wsDone}, {"GET /v1/events pages", pageDone}} {
		select {
		case res := <-r.done:
			if res.err != nil {
				t.Errorf("%s: %v", r.who, res.err)
				continue
			}
			res.s.check(t, r.who, texts)
			if r.who == "websocket resumes" && res.reconnects < 10 {
				t.Errorf("only %d reconnects", res.reconnects)
			}
		case <-time.After(3 * time.Minute):
			t.Fatalf("%s did not reach the end event", r.who)
		}
	}
}

// TestWebsocketClientThatStopsReadingIsClosedTooSlow: a client that never
// reads while events flow learns why it was dropped (4008) once it reads,
// rather than finding a dead connection (1006).
func TestWebsocketClientThatStopsReadingIsClosedTooSlow(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("stuck", "5511900000071")
	stuck := dialWS(t, p, "token="+token)
	// Big events fill socket buffers fast: the feed must stop before they are full.
	text := strings.Repeat("x", 16<<10)
	closed := func() bool { return strings.Contains(p.logs.String(), "closing a websocket client") }
	sent := 0
	for sent < 1500 && !closed() {
		var batch []string
		for range 20 {
			batch = append(batch, fmt.Sprint(sent, text))
			sent++
		}
		inboundConcurrently(t, p, id, batch, 4)
	}
	// Read whether or not the server said it closed the client: a feed
	// that died silently shows here as 1006.
	n := 0
	for {
		_ = stuck.SetReadDeadline(time.Now().Add(60 * time.Second))
		_, _, err := stuck.ReadMessage()
		if err == nil {
			n++
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != 4008 {
			t.Fatalf("%d events sent, %d read, then the feed ended with %v, want close 4008", sent, n, err)
		}
		break
	}
	if !strings.Contains(p.logs.String(), "stopped reading") {
		t.Fatalf("the close is not logged with why:\n%s", tail(p.logs.String(), 20))
	}
}

package e2e

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// feed records every event an admin websocket receives, until it closes.
type feed struct {
	mu  sync.Mutex
	got []map[string]any
}

func watchFeed(t *testing.T, p *proc) *feed {
	t.Helper()
	conn := dialFeed(t, p, "token="+adminToken, "")
	f := &feed{}
	go func() {
		// Ends when the test's cleanup closes the connection.
		for {
			_, data, err := conn.ReadMessage()
			if err != nil {
				return
			}
			var e map[string]any
			if json.Unmarshal(data, &e) == nil {
				f.mu.Lock()
				f.got = append(f.got, e)
				f.mu.Unlock()
			}
		}
	}()
	return f
}

// count tells how many events of typ arrived for instance, and how many
// arrived for any other instance.
func (f *feed) count(typ, instance string) (own, foreign int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, e := range f.got {
		switch id, _ := e["instance_id"].(string); {
		case id != "" && id != instance:
			foreign++
		case e["type"] == typ:
			own++
		}
	}
	return own, foreign
}

var namespaceLine = regexp.MustCompile(`"msg":"rabbitmq namespace","namespace":"([a-z0-9_-]+)"`)

// Two deployments, each with its own database, share one RabbitMQ vhost:
// each sees its own events, all of them, and none of the other's.
func TestTwoDeploymentsShareOneVhost(t *testing.T) {
	t.Parallel()
	first := newEnv(t)
	second := newEnv(t)
	second.amqpURL = first.amqpURL
	type deployment struct {
		p         *proc
		id, token string
		rcv       *receiver
		feed      *feed
	}
	var ds []*deployment
	for i, e := range []*env{first, second} {
		d := &deployment{p: e.start("ZAPGATE_ATTENDANCE_IDLE=1h")}
		d.id, d.token = d.p.linkedInstance(fmt.Sprintf("deployment-%d", i), fmt.Sprintf("55119000005%02d", i))
		d.feed = watchFeed(t, d.p) // resumes from the linking's events: misses none after them
		d.rcv = newReceiver(t)
		d.p.webhook(d.id, d.token, d.rcv.srv.URL, "message.received")
		ds = append(ds, d)
	}

	// Customers write to both at once; with shared queues, each consumer
	// group would take about half of the other's events and drop them.
	const customers = 12
	for c := range customers {
		for i, d := range ds {
			d.p.inbound(d.id, fmt.Sprintf("55119888%02d%03d", i, c), fmt.Sprintf("hello %d from customer %d", i, c), "")
		}
	}
	for i, d := range ds {
		eventually(t, 30*time.Second, fmt.Sprintf("deployment %d: every message.received at its webhook", i), func() bool {
			return d.rcv.count() >= customers
		})
		eventually(t, 30*time.Second, fmt.Sprintf("deployment %d: an attendance per customer", i), func() bool {
			return countRows(t, d.p, "SELECT count(*) FROM attendances") == customers
		})
		eventually(t, 30*time.Second, fmt.Sprintf("deployment %d: every message.received on its websocket", i), func() bool {
			own, _ := d.feed.count("message.received", d.id)
			return own >= customers
		})
	}

	// A send on each goes out once, from its own deployment.
	for i, d := range ds {
		d.p.must(202, "POST", "/v1/instances/"+d.id+"/messages", d.token,
			map[string]any{"to": "5511977776666", "type": "text", "text": fmt.Sprintf("reply from %d", i)})
	}
	for i, d := range ds {
		eventually(t, 30*time.Second, fmt.Sprintf("deployment %d: its send delivered", i), func() bool {
			return countRows(t, d.p, "SELECT count(*) FROM messages WHERE direction = 'out' AND status IN ('sent','delivered','read')") == 1
		})
	}

	for i, d := range ds {
		for _, e := range d.rcv.events() {
			data, _ := e["data"].(map[string]any)
			text, _ := data["text"].(string)
			if !strings.HasPrefix(text, fmt.Sprintf("hello %d ", i)) {
				t.Errorf("deployment %d: webhook got %v", i, e)
			}
		}
		if n := d.rcv.count(); n != customers {
			t.Errorf("deployment %d: webhook got %d events, want %d", i, n, customers)
		}
		if _, foreign := d.feed.count("message.received", d.id); foreign > 0 {
			t.Errorf("deployment %d: websocket got %d events of another deployment's instance", i, foreign)
		}
		var sent []any
		eventually(t, 10*time.Second, "the sim's sent list", func() bool {
			sent = d.p.must(200, "GET", "/v1/sim/instances/"+d.id+"/sent", adminToken, nil)["items"].([]any)
			return len(sent) > 0
		})
		if len(sent) != 1 || sent[0].(map[string]any)["text"] != fmt.Sprintf("reply from %d", i) {
			t.Errorf("deployment %d: sim sent %v, want one reply", i, sent)
		}
		logs := d.p.logs.String()
		for _, bad := range []string{"foreign key", "violates", `"level":"ERROR"`} {
			if strings.Contains(logs, bad) {
				t.Errorf("deployment %d logged %q:\n%s", i, bad, tail(logs, 30))
			}
		}
	}

	// Each deployment names its topology after its own namespace.
	var namespaces []string
	for _, d := range ds {
		m := namespaceLine.FindStringSubmatch(d.p.logs.String())
		if m == nil {
			t.Fatalf("no namespace logged at start:\n%s", tail(d.p.logs.String(), 20))
		}
		namespaces = append(namespaces, m[1])
	}
	if namespaces[0] == namespaces[1] {
		t.Fatalf("both deployments use namespace %q", namespaces[0])
	}
}

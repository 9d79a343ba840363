package e2e

import (
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// burst is one fault scenario's traffic: messages out across instances and
// a stream of inbound messages, while a fault happens.
type burst struct {
	t        *testing.T
	api      func() *proc // the process serving HTTP (it may be restarted)
	insts    []struct{ id, token string }
	rcv      *receiver
	messages int
	inbound  int

	accepted  atomic.Int64
	bad5xx    atomic.Int64
	inboundOK atomic.Int64
}

const (
	faultMessages = 1000
	faultInbound  = 100
)

func newBurst(t *testing.T, api func() *proc, instances int) *burst {
	b := &burst{t: t, api: api, messages: faultMessages, inbound: faultInbound, rcv: newReceiver(t)}
	p := api()
	for i := range instances {
		id, token := p.linkedInstance(fmt.Sprint("f", i), fmt.Sprint("55119000002", i))
		p.webhook(id, token, b.rcv.srv.URL, "message.received")
		b.insts = append(b.insts, struct{ id, token string }{id, token})
	}
	return b
}

// call retries through outages: connection errors and 503 are expected
// while a dependency is down; any other 5xx is a failure.
func (b *burst) call(method, path, token string, body any, ok ...int) {
	for deadline := time.Now().Add(3 * time.Minute); time.Now().Before(deadline); {
		p := b.api()
		r, err := p.try(method, path, token, body)
		if err == nil {
			for _, code := range ok {
				if r.Status == code {
					return
				}
			}
			if r.Status >= 500 && r.Status != 503 {
				b.bad5xx.Add(1)
				b.t.Errorf("%s %s = %d %s", method, path, r.Status, r.Body)
			}
			if r.Status < 500 {
				b.t.Errorf("%s %s = %d %s", method, path, r.Status, r.Body)
				return
			}
		}
		time.Sleep(100 * time.Millisecond) // a pause between retries through the outage
	}
	b.t.Errorf("%s %s never succeeded", method, path)
}

// run sends the burst; fault is called once a third of it is out.
func (b *burst) run(fault func()) {
	var wg sync.WaitGroup
	third := make(chan struct{})
	var once sync.Once
	wg.Add(2)
	go func() {
		defer wg.Done()
		for i := range b.messages {
			in := b.insts[i%len(b.insts)]
			b.call("POST", "/v1/instances/"+in.id+"/messages", in.token,
				map[string]any{"to": "5511999998888", "type": "text", "text": fmt.Sprint("burst ", i)}, 202)
			b.accepted.Add(1)
			if i == b.messages/3 {
				once.Do(func() { close(third) })
			}
		}
	}()
	go func() {
		defer wg.Done()
		for i := range b.inbound {
			in := b.insts[i%len(b.insts)]
			b.call("POST", "/v1/sim/instances/"+in.id+"/inbound", adminToken,
				map[string]any{"from": "5511988887777", "text": fmt.Sprint("in ", i), "wa_message_id": fmt.Sprint("IN-", i)}, 201, 200)
			b.inboundOK.Add(1)
			time.Sleep(20 * time.Millisecond) // spreads the inbound stream over the fault: nothing is waited for
		}
	}()
	<-third
	fault()
	wg.Wait()
}

// verify waits for the system to settle and checks nothing was lost or
// doubled; it reports the figures the reliability doc quotes.
func (b *burst) verify(name string, recoveredAt time.Time) {
	t := b.t
	p := b.api()
	eventually(t, 3*time.Minute, "every accepted message sent", func() bool {
		return countRows(t, p, `SELECT count(*) FROM messages WHERE direction = 'out' AND status = 'sent'`) == int(b.accepted.Load())
	})
	settled := time.Since(recoveredAt)
	st := p.must(200, "GET", "/v1/sim/stats", adminToken, nil)
	sent, distinct := int(st["sent"].(float64)), int(st["distinct"].(float64))
	if distinct != int(b.accepted.Load()) || sent != distinct {
		t.Errorf("sim: %d sends, %d distinct, %d accepted: duplicates or losses", sent, distinct, b.accepted.Load())
	}
	if n := countRows(t, p, `SELECT count(*) FROM messages WHERE direction = 'in'`); n != b.inbound {
		t.Errorf("%d inbound messages stored, want %d", n, b.inbound)
	}
	eventually(t, 3*time.Minute, "every inbound message at the webhook", func() bool {
		seen := map[string]bool{}
		for _, e := range b.rcv.events() {
			if d, ok := e["data"].(map[string]any); ok {
				seen[d["wa_message_id"].(string)] = true
			}
		}
		return len(seen) == b.inbound
	})
	ids := map[string]string{}
	for _, e := range b.rcv.events() {
		wa := e["data"].(map[string]any)["wa_message_id"].(string)
		if prev, ok := ids[wa]; ok && prev != e["id"] {
			t.Errorf("inbound %s delivered with two event ids", wa)
		}
		ids[wa] = e["id"].(string)
	}
	if b.bad5xx.Load() > 0 {
		t.Errorf("%d answers were 5xx other than 503", b.bad5xx.Load())
	}
	t.Logf("FAULT %s: accepted %d, sent %d, duplicates at WhatsApp %d, inbound %d, webhook events %d, settled %s after recovery",
		name, b.accepted.Load(), distinct, sent-distinct, b.inbound, len(b.rcv.events()), settled.Round(100*time.Millisecond))
}

// try is do without failing the test on a transport error.
func (p *proc) try(method, path, token string, body any) (r response, err error) {
	defer func() {
		if rec := recover(); rec != nil {
			err = fmt.Errorf("%v", rec)
		}
	}()
	c := &http.Client{Timeout: 30 * time.Second}
	return p.doWith(c, method, path, token, body)
}

func TestFaultRabbitMQUnreachable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	mq := newProxy(t, hostOf(t, e.amqpURL))
	p := e.start("ZAPGATE_AMQP_URL=" + mq.via(t, e.amqpURL))
	b := newBurst(t, func() *proc { return p }, 4)
	var restored time.Time
	b.run(func() {
		mq.cut()
		time.Sleep(10 * time.Second) // the outage's length is the scenario: nothing is waited for
		mq.restore()
		restored = time.Now()
	})
	b.verify("rabbitmq down 10s", restored)
}

func TestFaultPostgresUnreachable(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pg := newProxy(t, hostOf(t, e.dbURL))
	p := e.start("ZAPGATE_DATABASE_URL=" + pg.via(t, e.dbURL))
	b := newBurst(t, func() *proc { return p }, 4)
	var restored time.Time
	b.run(func() {
		pg.cut()
		eventually(t, 10*time.Second, "/readyz 503", func() bool {
			r, err := p.try("GET", "/readyz", "", nil)
			return err == nil && r.Status == 503
		})
		time.Sleep(10 * time.Second) // the outage's length is the scenario: nothing is waited for
		pg.restore()
		restored = time.Now()
		eventually(t, 30*time.Second, "/readyz 200 again", func() bool {
			r, err := p.try("GET", "/readyz", "", nil)
			return err == nil && r.Status == 200
		})
		t.Logf("ready again %s after Postgres returned", time.Since(restored).Round(10*time.Millisecond))
	})
	b.verify("postgres down 10s", restored)
}

func TestFaultBotKilled(t *testing.T) { faultRoleKilled(t, "bot", "api,forwarder,notifier,scheduler") }
func TestFaultForwarderKilled(t *testing.T) {
	faultRoleKilled(t, "forwarder", "api,bot,notifier,scheduler")
}

// faultRoleKilled runs role in a process of its own beside one with the
// other roles, SIGKILLs it in the middle of the burst and starts it again.
func faultRoleKilled(t *testing.T, role, others string) {
	t.Parallel()
	e := newEnv(t)
	p := e.start("ZAPGATE_ROLES=" + others)
	victim := e.start("ZAPGATE_ROLES=" + role)
	b := newBurst(t, func() *proc { return p }, 4)
	var restarted time.Time
	b.run(func() {
		victim.kill()
		victim = e.start("ZAPGATE_ROLES=" + role)
		restarted = time.Now()
	})
	b.verify(role+" SIGKILL + restart", restarted)
}

func TestFaultGracefulRestartDuringBurst(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var mu sync.Mutex
	p := e.start()
	current := func() *proc { mu.Lock(); defer mu.Unlock(); return p }
	b := newBurst(t, current, 4)
	var restarted time.Time
	b.run(func() {
		old := current()
		if err := old.stop(); err != nil {
			t.Errorf("graceful stop: %v", err)
		}
		q := e.start()
		mu.Lock()
		p = q
		mu.Unlock()
		restarted = time.Now()
	})
	b.verify("SIGTERM + restart", restarted)
}

func TestFaultWebhookReceiverDownForTheBurst(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	p := e.start()
	b := newBurst(t, func() *proc { return p }, 2)
	b.messages = 200
	b.rcv.mu.Lock()
	b.rcv.fail = 1 << 30 // down: every request is answered 500
	b.rcv.mu.Unlock()
	b.run(func() {})
	// Up again once the down receiver has refused as many requests as
	// there are inbound events: the deliveries are in their retries.
	eventually(t, 3*time.Minute, "the receiver refusing the burst", func() bool {
		b.rcv.mu.Lock()
		defer b.rcv.mu.Unlock()
		return 1<<30-b.rcv.fail >= b.inbound
	})
	b.rcv.mu.Lock()
	b.rcv.fail = 0
	b.rcv.mu.Unlock()
	b.verify("webhook receiver down for the burst", time.Now())
}

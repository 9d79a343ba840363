package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// healthOf reads an instance's health.
func healthOf(p *proc, id string) map[string]any {
	p.t.Helper()
	h, _ := p.must(200, "GET", "/v1/instances/"+id, adminToken, nil)["health"].(map[string]any)
	if h == nil {
		p.t.Fatalf("instance %s has no health", id)
	}
	return h
}

// healthEvent waits for an instance.health event of the instance with the
// given state and reason in the event log, and returns its data.
func healthEvent(t *testing.T, p *proc, id, state, reason string) map[string]any {
	t.Helper()
	var data map[string]any
	eventually(t, 20*time.Second, "instance.health "+state+" "+reason+" in the event log", func() bool {
		for _, it := range p.must(200, "GET", "/v1/events?type=instance.health&instance="+id, adminToken, nil)["items"].([]any) {
			d, _ := it.(map[string]any)["data"].(map[string]any)
			if d["state"] == state && d["reason"] == reason {
				data = d
				return true
			}
		}
		return false
	})
	return data
}

// sendTexts queues n texts and returns their ids.
func sendTexts(p *proc, id, token string, n int) []string {
	p.t.Helper()
	ids := make([]string, n)
	for i := range n {
		m := p.must(202, "POST", "/v1/instances/"+id+"/messages", token,
			map[string]any{"to": "5511999998888", "type": "text", "text": fmt.Sprint("paced ", i)})
		ids[i] = m["id"].(string)
	}
	return ids
}

// sentOnce waits until every message is sent and checks that the sim got
// each exactly once, in order.
func sentOnce(t *testing.T, p *proc, id string, ids []string) {
	t.Helper()
	wa := make([]string, len(ids))
	for i, mid := range ids {
		wa[i] = p.sentMessage(id, mid)["wa_message_id"].(string)
	}
	sent := simSent(t, p, id)
	if len(sent) != len(ids) {
		t.Fatalf("the sim got %d sends, want %d (each message once)", len(sent), len(ids))
	}
	for i, s := range sent {
		if s["wa_message_id"] != wa[i] {
			t.Fatalf("send %d is %v, want %s (queue order, no duplicate)", i, s["wa_message_id"], wa[i])
		}
	}
}

// TestRateLimitPausesUntilResumed: WhatsApp's 463 pauses the instance
// (health, an instance.health event), its messages stay queued, and
// resume sends each of them once; resuming an ok instance is 409 and
// another instance's token cannot resume it.
func TestRateLimitPausesUntilResumed(t *testing.T) {
	p := newEnv(t).start()
	id, token := p.linkedInstance("paused", "5511900000301")
	other, otherToken := p.linkedInstance("other", "5511900000302")

	if code := p.do("POST", "/v1/instances/"+id+"/resume", token, nil).ErrorCode(t); code != "not_paused" {
		t.Fatalf("resume of an ok instance: %s, want not_paused", code)
	}
	if r := p.do("POST", "/v1/instances/"+id+"/resume", otherToken, nil); r.Status != 404 {
		t.Fatalf("resume with another instance's token = %d, want 404", r.Status)
	}

	p.must(200, "POST", "/v1/sim/instances/"+id+"/faults", adminToken, map[string]any{"send_error": "rate_limited"})
	ids := sendTexts(p, id, token, 5)

	eventually(t, 20*time.Second, "instance paused", func() bool { return healthOf(p, id)["state"] == "paused" })
	h := healthOf(p, id)
	until, err := time.Parse(time.RFC3339, fmt.Sprint(h["until"]))
	if err != nil || h["reason"] != "rate_limited" {
		t.Fatalf("health = %v (%v)", h, err)
	}
	// 463 gives no deadline: an hour.
	if d := time.Until(until); d < 50*time.Minute || d > 61*time.Minute {
		t.Fatalf("paused until %v, want about an hour from now", until)
	}
	if ev := healthEvent(t, p, id, "paused", "rate_limited"); ev["until"] == nil {
		t.Fatalf("instance.health without until: %v", ev)
	}
	// The message that hit the limit and those behind it wait, queued; the
	// other instance is not held.
	for _, mid := range ids {
		if st := p.must(200, "GET", "/v1/instances/"+id+"/messages/"+mid, token, nil)["status"]; st != "queued" {
			t.Fatalf("message %s is %v while paused, want queued", mid, st)
		}
	}
	sentOnce(t, p, other, sendTexts(p, other, otherToken, 2))
	if n := len(simSent(t, p, id)); n != 0 {
		t.Fatalf("the sim got %d sends of the paused instance", n)
	}

	// The gauges count the deployment's instances by health and status.
	metrics := string(p.do("GET", "/metrics", "", nil).Body)
	for _, line := range []string{`zapgate_instance_health{state="paused"} 1`, `zapgate_instance_health{state="ok"} 1`,
		`zapgate_instances{status="connected"} 2`} {
		if !strings.Contains(metrics, line+"\n") {
			t.Fatalf("/metrics lacks %s", line)
		}
	}

	resumed := p.must(200, "POST", "/v1/instances/"+id+"/resume", token, nil)
	if rh := resumed["health"].(map[string]any); rh["state"] != "ok" || rh["until"] != nil {
		t.Fatalf("resume answered health %v", rh)
	}
	healthEvent(t, p, id, "ok", "resumed")
	sentOnce(t, p, id, ids)
	if code := p.do("POST", "/v1/instances/"+id+"/resume", adminToken, nil).ErrorCode(t); code != "not_paused" {
		t.Fatalf("second resume: %s, want not_paused", code)
	}
}

// TestTemporaryBanEndsByItself: a ban pauses the queue and drops the
// session; when it ends, health is ok again, the instance reconnects and
// every message waiting goes once.
func TestTemporaryBanEndsByItself(t *testing.T) {
	p := newEnv(t).start()
	id, token := p.linkedInstance("banned", "5511900000311")

	p.must(200, "POST", "/v1/sim/instances/"+id+"/faults", adminToken, map[string]any{"ban_seconds": 2})
	h := healthOf(p, id)
	if h["state"] != "banned" || h["reason"] != "temporary_ban" || h["until"] == nil {
		t.Fatalf("health after the ban = %v", h)
	}
	healthEvent(t, p, id, "banned", "temporary_ban")
	ids := sendTexts(p, id, token, 3)

	healthEvent(t, p, id, "ok", "expired")
	sentOnce(t, p, id, ids)
	in := p.must(200, "GET", "/v1/instances/"+id, adminToken, nil)
	if in["status"] != "connected" || in["health"].(map[string]any)["state"] != "ok" {
		t.Fatalf("after the ban: %v %v", in["status"], in["health"])
	}
	if r := p.do("POST", "/v1/sim/instances/"+id+"/faults", adminToken, map[string]any{"ban_seconds": -1}); r.Status != 400 {
		t.Fatalf("ban_seconds -1 = %d, want 400", r.Status)
	}
}

// TestContactCheckLimit: 60 numbers a minute per instance; a request
// beyond is refused whole with 429 and Retry-After; another instance has
// its own budget.
func TestContactCheckLimit(t *testing.T) {
	p := newEnv(t).start()
	id, token := p.linkedInstance("checker", "5511900000321")
	other, otherToken := p.linkedInstance("checker2", "5511900000322")
	phones := func(n, from int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("55119%08d", from+i)
		}
		return out
	}
	p.must(202, "POST", "/v1/instances/"+id+"/contacts/check", token, map[string]any{"phones": phones(50, 0)})
	// 11 more than the 10 left: refused whole, nothing counted.
	r := p.do("POST", "/v1/instances/"+id+"/contacts/check", token, map[string]any{"phones": phones(11, 50)})
	if r.Status != 429 || r.ErrorCode(t) != "rate_limited" {
		t.Fatalf("check over the budget = %d %s, want 429 rate_limited", r.Status, r.Body)
	}
	p.must(202, "POST", "/v1/instances/"+id+"/contacts/check", token, map[string]any{"phones": phones(10, 50)})
	r = p.do("POST", "/v1/instances/"+id+"/contacts/check", token, map[string]any{"phones": phones(1, 60)})
	if r.Status != 429 || r.ErrorCode(t) != "rate_limited" {
		t.Fatalf("61st number = %d %s, want 429 rate_limited", r.Status, r.Body)
	}
	secs, err := strconv.Atoi(r.Header.Get("Retry-After"))
	if err != nil || secs < 1 || secs > 60 {
		t.Fatalf("Retry-After = %q, want 1 to 60 seconds", r.Header.Get("Retry-After"))
	}
	p.must(202, "POST", "/v1/instances/"+other+"/contacts/check", otherToken, map[string]any{"phones": phones(50, 0)})
}

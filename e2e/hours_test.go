package e2e

import (
	"strings"
	"testing"
	"time"
)

// alwaysOpen and neverOpen are business hours that hold whatever the time
// the test runs: every day whole, or no day at all.
var (
	alwaysOpen = map[string]any{"timezone": "America/Sao_Paulo", "week": map[string]any{
		"mon": [][]string{{"00:00", "24:00"}}, "tue": [][]string{{"00:00", "24:00"}}, "wed": [][]string{{"00:00", "24:00"}},
		"thu": [][]string{{"00:00", "24:00"}}, "fri": [][]string{{"00:00", "24:00"}}, "sat": [][]string{{"00:00", "24:00"}},
		"sun": [][]string{{"00:00", "12:00"}, {"12:00", "24:00"}}}}
	neverOpen = map[string]any{"timezone": "Europe/Berlin", "week": map[string]any{"mon": [][]string{}}}
)

// outTexts are the texts zapgate sent in an attendance, oldest first.
func outTexts(t *testing.T, p *proc, token, aid string) []string {
	t.Helper()
	var out []string
	for _, it := range p.must(200, "GET", "/v1/attendances/"+aid, token, nil)["messages"].([]any) {
		if m := it.(map[string]any); m["direction"] == "out" {
			out = append(out, m["text"].(string))
		}
	}
	return out
}

// count is how many times s is in ss.
func count(ss []string, s string) int {
	n := 0
	for _, x := range ss {
		if x == s {
			n++
		}
	}
	return n
}

// Within business hours a new attendance is greeted once; outside them
// the client hears the away message once however often they write, and
// no greeting. Neither is an attendant's reply.
func TestGreetingWithinHoursAwayOutside(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	open, otoken := p.linkedInstance("open", "5511900000501")
	closed, ctoken := p.linkedInstance("closed", "5511900000502")

	in := p.must(200, "GET", "/v1/instances/"+open, otoken, nil)
	if in["business_hours"] != nil || in["greeting_message"] != "" || in["away_message"] != "" || in["first_response_sla"] != "" {
		t.Fatalf("defaults %v", in)
	}
	in = p.must(200, "PATCH", "/v1/instances/"+open, otoken, map[string]any{
		"business_hours": alwaysOpen, "greeting_message": " Olá! Já vamos te atender. ", "away_message": "Fora do horário."})
	hours, _ := in["business_hours"].(map[string]any)
	if in["greeting_message"] != "Olá! Já vamos te atender." || hours == nil || hours["timezone"] != "America/Sao_Paulo" ||
		len(hours["week"].(map[string]any)["sun"].([]any)) != 2 {
		t.Fatalf("patched %v", in)
	}
	if got := p.must(200, "GET", "/v1/instances/"+open, otoken, nil); got["greeting_message"] != "Olá! Já vamos te atender." || got["business_hours"] == nil {
		t.Fatalf("GET after PATCH %v", got)
	}
	p.must(200, "PATCH", "/v1/instances/"+closed, ctoken, map[string]any{
		"business_hours": neverOpen, "greeting_message": "Olá!", "away_message": "Estamos fora do horário."})

	// Within hours: greeted once.
	p.inbound(open, "5511988885001", "oi", "")
	att := openAttendanceOf(t, p, adminToken, "5511988885001")
	aid := att["id"].(string)
	eventually(t, 20*time.Second, "the greeting sent", func() bool {
		return count(sentTo(p, open, "5511988885001"), "Olá! Já vamos te atender.") == 1
	})
	p.inbound(open, "5511988885001", "alguém?", "")
	eventually(t, 20*time.Second, "the second message filed", func() bool {
		return p.must(200, "GET", "/v1/attendances/"+aid, adminToken, nil)["unread"] == float64(2)
	})
	if got := outTexts(t, p, adminToken, aid); len(got) != 1 || got[0] != "Olá! Já vamos te atender." {
		t.Fatalf("out messages within hours %q; want the greeting once, no away message", got)
	}
	if a := p.must(200, "GET", "/v1/attendances/"+aid, adminToken, nil); a["first_reply_at"] != nil || a["last_message_from"] != "client" {
		t.Fatalf("the greeting counted as a reply: %v", a)
	}

	// Outside hours: the away message once, no greeting.
	p.inbound(closed, "5511988885002", "oi", "")
	att = openAttendanceOf(t, p, adminToken, "5511988885002")
	aid = att["id"].(string)
	p.inbound(closed, "5511988885002", "tem alguém?", "")
	eventually(t, 20*time.Second, "the second message filed", func() bool {
		return p.must(200, "GET", "/v1/attendances/"+aid, adminToken, nil)["unread"] == float64(2)
	})
	if got := outTexts(t, p, adminToken, aid); len(got) != 1 || got[0] != "Estamos fora do horário." {
		t.Fatalf("out messages outside hours %q; want the away message once", got)
	}
	eventually(t, 20*time.Second, "the away message sent", func() bool {
		return count(sentTo(p, closed, "5511988885002"), "Estamos fora do horário.") == 1
	})
	if a := p.must(200, "GET", "/v1/attendances/"+aid, adminToken, nil); a["first_reply_at"] != nil || a["sla_due_at"] != nil || a["sla_breached_at"] != nil {
		t.Fatalf("attendance outside hours %v", a)
	}

	// Cleared: no hours is always open, no texts send nothing.
	in = p.must(200, "PATCH", "/v1/instances/"+closed, ctoken, map[string]any{"business_hours": nil, "away_message": nil, "greeting_message": ""})
	if in["business_hours"] != nil || in["away_message"] != "" || in["greeting_message"] != "" {
		t.Fatalf("cleared %v", in)
	}
}

// Bad settings are 400s naming the field, and change nothing.
func TestBusinessHoursRefuseBadInput(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	id, token := p.linkedInstance("hours", "5511900000503")
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"business_hours": map[string]any{"timezone": "Mars/Olympus", "week": map[string]any{}}}, "business_hours.timezone"},
		{map[string]any{"business_hours": map[string]any{"week": map[string]any{}}}, "business_hours.timezone"},
		{map[string]any{"business_hours": "9 to 5"}, "business_hours"},
		{map[string]any{"business_hours": map[string]any{"timezone": "UTC", "week": map[string]any{"mon": [][]string{{"9:00", "18:00"}}}}}, "business_hours.week.mon[0]"},
		{map[string]any{"business_hours": map[string]any{"timezone": "UTC", "week": map[string]any{"tue": [][]string{{"09:00", "09:00"}}}}}, "business_hours.week.tue[0]"},
		{map[string]any{"business_hours": map[string]any{"timezone": "UTC", "week": map[string]any{"wed": [][]string{{"09:00", "12:00"}, {"11:00", "18:00"}}}}}, "business_hours.week.wed[1]"},
		{map[string]any{"business_hours": map[string]any{"timezone": "UTC", "week": map[string]any{"fri": [][]string{{"22:00", "06:00"}}, "sat": [][]string{{"05:00", "07:00"}}}}}, "business_hours.week.sat[0]"},
		{map[string]any{"business_hours": map[string]any{"timezone": "UTC", "week": map[string]any{"funday": [][]string{}}}}, "business_hours.week.funday"},
		{map[string]any{"first_response_sla": "30s"}, "first_response_sla"},
		{map[string]any{"first_response_sla": "25h"}, "first_response_sla"},
		{map[string]any{"first_response_sla": "soon"}, "first_response_sla"},
		{map[string]any{"first_response_sla": 15}, "first_response_sla"},
		{map[string]any{"greeting_message": "a\x00b"}, "greeting_message"},
		{map[string]any{"away_message": strings.Repeat("x", 1001)}, "away_message"},
	} {
		r := p.do("PATCH", "/v1/instances/"+id, token, c.body)
		if r.Status != 400 {
			t.Fatalf("PATCH %v = %d %s", c.body, r.Status, r.Body)
		}
		if fields, _ := r.JSON(t)["error"].(map[string]any)["fields"].(map[string]any); fields[c.field] == nil {
			t.Errorf("PATCH %v: %s; want it to name %s", c.body, r.Body, c.field)
		}
	}
	in := p.must(200, "PATCH", "/v1/instances/"+id, token, map[string]any{"first_response_sla": "15m"})
	if in["first_response_sla"] != "15m" || in["business_hours"] != nil {
		t.Fatalf("after refusals %v", in)
	}
	if in = p.must(200, "PATCH", "/v1/instances/"+id, token, map[string]any{"first_response_sla": "1h30m"}); in["first_response_sla"] != "1h30m" {
		t.Fatalf("sla shown as %v", in["first_response_sla"])
	}
}

// An attendance nobody answers within the SLA emits attendance.sla_breached
// once and shows when; ZAPGATE_SLA_MIN (test-only) lets the SLA be seconds.
func TestFirstResponseSLABreachedOnce(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start("ZAPGATE_SLA_MIN=1s")
	id, token := p.linkedInstance("sla", "5511900000504")
	rcv := newReceiver(t)
	p.webhook(id, token, rcv.srv.URL, "attendance.sla_breached")
	in := p.must(200, "PATCH", "/v1/instances/"+id, token, map[string]any{"first_response_sla": "2s"})
	if in["first_response_sla"] != "2s" {
		t.Fatalf("patched %v", in)
	}

	p.inbound(id, "5511988885101", "oi", "")
	first := openAttendanceOf(t, p, adminToken, "5511988885101")
	opened, _ := time.Parse(time.RFC3339Nano, first["opened_at"].(string))
	due, err := time.Parse(time.RFC3339Nano, first["sla_due_at"].(string))
	if err != nil || !due.Equal(opened.Add(2*time.Second)) || first["sla_breached_at"] != nil {
		t.Fatalf("new attendance %v", first)
	}
	breachedFor := func(aid string) int {
		n := 0
		for _, e := range rcv.events() {
			if d, _ := e["data"].(map[string]any); e["type"] == "attendance.sla_breached" && d["attendance_id"] == aid {
				n++
			}
		}
		return n
	}
	eventually(t, 30*time.Second, "attendance.sla_breached delivered", func() bool { return breachedFor(first["id"].(string)) > 0 })
	var ev map[string]any
	for _, e := range rcv.events() {
		ev = e
	}
	d := ev["data"].(map[string]any)
	if d["instance_id"] != id || d["sla_seconds"] != float64(2) || d["opened_at"] == nil {
		t.Fatalf("event %v", ev)
	}
	a := p.must(200, "GET", "/v1/attendances/"+first["id"].(string), adminToken, nil)
	if a["sla_breached_at"] == nil {
		t.Fatalf("attendance after the breach %v", a)
	}

	// A later breach is the barrier: by the time it is delivered, the
	// first attendance had every chance to be reported again.
	p.inbound(id, "5511988885102", "olá", "")
	second := openAttendanceOf(t, p, adminToken, "5511988885102")
	eventually(t, 30*time.Second, "the second breach delivered", func() bool { return breachedFor(second["id"].(string)) > 0 })
	if n := breachedFor(first["id"].(string)); n != 1 {
		t.Fatalf("the first attendance was reported %d times", n)
	}
}

package e2e

import (
	"testing"
	"time"

	"github.com/fasthttp/websocket"
)

// helpdesk is an e2e helper for the helpdesk's people and queues.
type helpdesk struct {
	t *testing.T
	p *proc
}

// attendant creates and logs in an attendant; it returns id and token.
func (h helpdesk) attendant(name string) (string, string) {
	h.t.Helper()
	email := name + "@example.com"
	h.p.must(201, "POST", "/v1/attendants", adminToken, map[string]any{"name": name, "email": email, "password": "attendant-pass-1"})
	login := h.p.must(200, "POST", "/v1/auth/login", "", map[string]any{"email": email, "password": "attendant-pass-1"})
	return login["attendant"].(map[string]any)["id"].(string), login["token"].(string)
}

// connect opens the attendant's dashboard feed (which makes them online)
// and keeps reading it, so it answers the server's pings.
func (h helpdesk) connect(id, token string) *websocket.Conn {
	h.t.Helper()
	conn := dialWS(h.t, h.p, "token="+token)
	go func() {
		for {
			if _, _, err := conn.ReadMessage(); err != nil {
				return
			}
		}
	}()
	h.waitStatus(id, "online")
	return conn
}

// attendantView reads one attendant from the list.
func (h helpdesk) attendantView(id string) map[string]any {
	h.t.Helper()
	for _, it := range h.p.must(200, "GET", "/v1/attendants", adminToken, nil)["items"].([]any) {
		if a := it.(map[string]any); a["id"] == id {
			return a
		}
	}
	h.t.Fatalf("attendant %s not listed", id)
	return nil
}

func (h helpdesk) waitStatus(id, status string) {
	h.t.Helper()
	eventually(h.t, 20*time.Second, "attendant "+id+" "+status, func() bool { return h.attendantView(id)["status"] == status })
}

// opened waits for the open attendance of a client and returns it.
func (h helpdesk) opened(instance, phone string) map[string]any {
	h.t.Helper()
	var att map[string]any
	eventually(h.t, 20*time.Second, "an attendance for "+phone, func() bool {
		for _, it := range h.p.must(200, "GET", "/v1/attendances?status=open&instance="+instance, adminToken, nil)["items"].([]any) {
			if a := it.(map[string]any); a["client"].(map[string]any)["phone"] == phone {
				att = a
				return true
			}
		}
		return false
	})
	return att
}

// assignedTo waits until the attendance is assigned to attendant.
func (h helpdesk) assignedTo(aid, attendant string) {
	h.t.Helper()
	eventually(h.t, 20*time.Second, "attendance "+aid+" assigned to "+attendant, func() bool {
		return h.p.must(200, "GET", "/v1/attendances/"+aid, adminToken, nil)["attendant_id"] == attendant
	})
}

// assignedEvents lists attendance.assigned data of an attendance.
func (h helpdesk) assignedEvents(aid string) []map[string]any {
	h.t.Helper()
	var out []map[string]any
	for _, it := range h.p.must(200, "GET", "/v1/events?limit=500&type=attendance.assigned", adminToken, nil)["items"].([]any) {
		if d := it.(map[string]any)["data"].(map[string]any); d["attendance_id"] == aid {
			out = append(out, d)
		}
	}
	return out
}

// waitAssignedEvent waits for an attendance.assigned of aid to attendant by by.
func (h helpdesk) waitAssignedEvent(aid, attendant, by string) {
	h.t.Helper()
	eventually(h.t, 20*time.Second, "attendance.assigned of "+aid+" to "+attendant+" by "+by, func() bool {
		for _, d := range h.assignedEvents(aid) {
			if d["attendant_id"] == attendant && d["by"] == by {
				return true
			}
		}
		return false
	})
}

func TestTeamsCRUDAndAccess(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	h := helpdesk{t, p}
	one := p.must(201, "POST", "/v1/instances", adminToken, map[string]any{"name": "one"})["id"].(string)
	two := p.must(201, "POST", "/v1/instances", adminToken, map[string]any{"name": "two"})["id"].(string)
	ana, anaToken := h.attendant("ana")

	// Attendants cannot manage teams or other attendants (admin routes are
	// hidden: 404), but they see the teams.
	p.must(404, "POST", "/v1/teams", anaToken, map[string]any{"name": "x"})
	p.must(404, "PATCH", "/v1/attendants/"+ana, anaToken, map[string]any{"max_open": 50})

	for name, body := range map[string]map[string]any{
		"no name":          {"instance_ids": []string{one}},
		"bad routing":      {"name": "x", "routing": "random"},
		"bad instance id":  {"name": "x", "instance_ids": []string{"nope"}},
		"unknown instance": {"name": "x", "instance_ids": []string{"00000000-0000-4000-8000-000000000000"}},
		"unknown member":   {"name": "x", "attendant_ids": []string{"00000000-0000-4000-8000-000000000000"}},
		"NUL in name":      {"name": "a\u0000b"},
		"wrong type":       {"name": 3},
	} {
		if r := p.do("POST", "/v1/teams", adminToken, body); r.Status != 400 {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	sales := p.must(201, "POST", "/v1/teams", adminToken, map[string]any{
		"name": "Sales", "instance_ids": []string{one}, "attendant_ids": []string{ana}, "routing": "round_robin"})
	tid := sales["id"].(string)
	if sales["routing"] != "round_robin" || len(sales["instance_ids"].([]any)) != 1 || sales["attendant_ids"].([]any)[0] != ana {
		t.Fatalf("team = %v", sales)
	}
	// One instance, one team.
	if code := p.do("POST", "/v1/teams", adminToken, map[string]any{"name": "Other", "instance_ids": []string{one}}).ErrorCode(t); code != "instance_in_team" {
		t.Fatalf("second team on the instance: %s", code)
	}
	support := p.must(201, "POST", "/v1/teams", adminToken, map[string]any{"name": "Support", "instance_ids": []string{two}, "routing": "manual"})
	sid := support["id"].(string)
	if code := p.do("PATCH", "/v1/teams/"+sid, adminToken, map[string]any{"instance_ids": []string{one, two}}).ErrorCode(t); code != "instance_in_team" {
		t.Fatalf("moving an instance of another team in: %s", code)
	}
	if r := p.do("PATCH", "/v1/teams/"+sid, adminToken, map[string]any{"routing": "fast"}); r.Status != 400 {
		t.Fatalf("bad routing patch = %d", r.Status)
	}
	p.must(404, "PATCH", "/v1/teams/00000000-0000-4000-8000-000000000000", adminToken, map[string]any{"name": "x"})
	renamed := p.must(200, "PATCH", "/v1/teams/"+sid, adminToken, map[string]any{"name": "Help", "attendant_ids": []string{ana}})
	if renamed["name"] != "Help" || renamed["routing"] != "manual" || len(renamed["instance_ids"].([]any)) != 1 {
		t.Fatalf("patched team = %v", renamed)
	}
	if n := len(p.must(200, "GET", "/v1/teams", anaToken, nil)["items"].([]any)); n != 2 {
		t.Fatalf("attendant lists %d teams", n)
	}
	p.must(404, "DELETE", "/v1/teams/"+tid, anaToken, nil)
	if r := p.do("DELETE", "/v1/teams/"+tid, adminToken, nil); r.Status != 204 {
		t.Fatalf("delete = %d", r.Status)
	}
	p.must(404, "DELETE", "/v1/teams/"+tid, adminToken, nil)
	// Its instance is free again.
	p.must(200, "PATCH", "/v1/teams/"+sid, adminToken, map[string]any{"instance_ids": []string{one, two}})

	// Attendants: capacity and presence.
	for name, body := range map[string]map[string]any{
		"max_open 0":    {"max_open": 0},
		"max_open 1001": {"max_open": 1001},
		"bad role":      {"role": "boss"},
		"NUL in name":   {"name": "a\u0000"},
	} {
		if r := p.do("PATCH", "/v1/attendants/"+ana, adminToken, body); r.Status != 400 {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	p.must(404, "PATCH", "/v1/attendants/00000000-0000-4000-8000-000000000000", adminToken, map[string]any{"max_open": 3})
	v := h.attendantView(ana)
	if v["max_open"] != float64(10) || v["status"] != "offline" || v["open_count"] != float64(0) {
		t.Fatalf("a new attendant = %v", v)
	}
	if got := p.must(200, "PATCH", "/v1/attendants/"+ana, adminToken, map[string]any{"max_open": 3, "name": "Ana"}); got["max_open"] != float64(3) || got["name"] != "Ana" {
		t.Fatalf("patched attendant = %v", got)
	}
	if r := p.do("PATCH", "/v1/attendants/me", anaToken, map[string]any{"status": "busy"}); r.Status != 400 {
		t.Fatalf("bad status = %d", r.Status)
	}
	p.must(404, "PATCH", "/v1/attendants/me", adminToken, map[string]any{"status": "away"})
	conn := h.connect(ana, anaToken)
	if got := p.must(200, "PATCH", "/v1/attendants/me", anaToken, map[string]any{"status": "away"}); got["status"] != "away" {
		t.Fatalf("away = %v", got)
	}
	p.must(200, "PATCH", "/v1/attendants/me", anaToken, map[string]any{"status": "online"})
	h.waitStatus(ana, "online")
	// The dashboard closes: offline.
	conn.Close()
	h.waitStatus(ana, "offline")
}

// TestRoundRobinWithCapacity: two online attendants share a team's new
// attendances, fewest open first; when both are full the next one waits
// and is assigned when one of them closes; an away attendant is skipped;
// transfers to an attendant and to a team; replying takes an unassigned
// attendance.
func TestRoundRobinWithCapacity(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	h := helpdesk{t, p}
	instance, _ := p.linkedInstance("helpdesk", "5511900000400")
	ana, anaToken := h.attendant("ana")
	bia, biaToken := h.attendant("bia")
	for _, id := range []string{ana, bia} {
		p.must(200, "PATCH", "/v1/attendants/"+id, adminToken, map[string]any{"max_open": 2})
	}
	team := p.must(201, "POST", "/v1/teams", adminToken, map[string]any{
		"name": "Sales", "instance_ids": []string{instance}, "attendant_ids": []string{ana, bia}})["id"].(string)
	h.connect(ana, anaToken)
	h.connect(bia, biaToken)

	// Two customers: one each (the second goes to who has fewer open).
	p.inbound(instance, "5511911110001", "hi", "")
	a1 := h.opened(instance, "5511911110001")["id"].(string)
	var first, second string
	eventually(t, 20*time.Second, "the first attendance routed", func() bool {
		first, _ = p.must(200, "GET", "/v1/attendances/"+a1, adminToken, nil)["attendant_id"].(string)
		return first != ""
	})
	second = map[string]string{ana: bia, bia: ana}[first]
	h.waitAssignedEvent(a1, first, "routing")
	if d := h.assignedEvents(a1)[0]; d["team_id"] != team {
		t.Fatalf("assigned = %v", d)
	}
	p.inbound(instance, "5511911110002", "hi", "")
	a2 := h.opened(instance, "5511911110002")["id"].(string)
	h.assignedTo(a2, second)
	// A tie (one open each): who waited longest since their last
	// assignment, the first.
	p.inbound(instance, "5511911110003", "hi", "")
	a3 := h.opened(instance, "5511911110003")["id"].(string)
	h.assignedTo(a3, first)
	p.inbound(instance, "5511911110004", "hi", "")
	a4 := h.opened(instance, "5511911110004")["id"].(string)
	h.assignedTo(a4, second)
	if v := h.attendantView(first); v["open_count"] != float64(2) || v["status"] != "online" {
		t.Fatalf("first attendant = %v", v)
	}

	// Both full: the fifth waits, then takes the room a close makes.
	p.inbound(instance, "5511911110005", "hi", "")
	a5 := h.opened(instance, "5511911110005")
	if a5["attendant_id"] != "" || a5["team_id"] != team {
		t.Fatalf("with everyone full: %v", a5)
	}
	p.must(200, "POST", "/v1/attendances/"+a1+"/close", adminToken, nil)
	h.assignedTo(a5["id"].(string), first)

	// Away is skipped: second goes away and first closes one; the next
	// customer goes to first although second has the same load.
	secondToken := map[string]string{ana: anaToken, bia: biaToken}[second]
	p.must(200, "PATCH", "/v1/attendants/me", secondToken, map[string]any{"status": "away"})
	h.waitStatus(second, "away")
	p.must(200, "POST", "/v1/attendances/"+a3+"/close", adminToken, nil)
	p.must(200, "POST", "/v1/attendances/"+a2+"/close", adminToken, nil)
	p.inbound(instance, "5511911110006", "hi", "")
	a6 := h.opened(instance, "5511911110006")["id"].(string)
	h.assignedTo(a6, first)

	// Transfers: bad input first.
	for name, body := range map[string]map[string]any{
		"neither":      {"note": "x"},
		"both":         {"attendant_id": ana, "team_id": team},
		"unknown team": {"team_id": "00000000-0000-4000-8000-000000000000"},
		"unknown one":  {"attendant_id": "00000000-0000-4000-8000-000000000000"},
		"NUL in note":  {"attendant_id": ana, "note": "a\u0000"},
	} {
		if r := p.do("POST", "/v1/attendances/"+a6+"/transfer", adminToken, body); r.Status != 400 {
			t.Errorf("transfer %s: %d %s", name, r.Status, r.Body)
		}
	}
	p.must(404, "POST", "/v1/attendances/00000000-0000-4000-8000-000000000000/transfer", adminToken, map[string]any{"attendant_id": ana})
	// To an attendant (by hand, capacity is the person's call), with a note.
	firstToken := map[string]string{ana: anaToken, bia: biaToken}[first]
	moved := p.must(200, "POST", "/v1/attendances/"+a6+"/transfer", firstToken, map[string]any{"attendant_id": second, "note": "VIP, call back"})
	if moved["attendant_id"] != second {
		t.Fatalf("transferred = %v", moved)
	}
	h.waitAssignedEvent(a6, second, first)
	eventually(t, 20*time.Second, "attendance.transferred with the note", func() bool {
		for _, it := range p.must(200, "GET", "/v1/events?limit=500&type=attendance.transferred", adminToken, nil)["items"].([]any) {
			d := it.(map[string]any)["data"].(map[string]any)
			if d["attendance_id"] == a6 && d["note"] == "VIP, call back" && d["from_attendant_id"] == first && d["by"] == first {
				return true
			}
		}
		return false
	})
	// To the team: routing picks again, skipping second (away).
	back := p.must(200, "POST", "/v1/attendances/"+a6+"/transfer", adminToken, map[string]any{"team_id": team})
	if back["attendant_id"] != first || back["team_id"] != team {
		t.Fatalf("transferred to the team = %v", back)
	}
	h.waitAssignedEvent(a6, first, "routing")

	// Back online, second takes what waits. The waiting one: first is
	// full again (a5, a6) — a new customer waits for second.
	p.inbound(instance, "5511911110007", "hi", "")
	a7 := h.opened(instance, "5511911110007")
	if a7["attendant_id"] != "" {
		t.Fatalf("first is full and second away: %v", a7)
	}
	p.must(200, "PATCH", "/v1/attendants/me", secondToken, map[string]any{"status": "online"})
	h.assignedTo(a7["id"].(string), second)
}

// TestReplyingTakesAnUnassignedAttendance: on a manual team nobody is
// assigned; the attendant who answers owns it, and attendance.assigned
// says so.
func TestReplyingTakesAnUnassignedAttendance(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	h := helpdesk{t, p}
	instance, _ := p.linkedInstance("manual", "5511900000401")
	caio, caioToken := h.attendant("caio")
	p.must(201, "POST", "/v1/teams", adminToken, map[string]any{
		"name": "Manual", "instance_ids": []string{instance}, "attendant_ids": []string{caio}, "routing": "manual"})
	h.connect(caio, caioToken)
	p.inbound(instance, "5511911120001", "hello?", "")
	att := h.opened(instance, "5511911120001")
	if att["attendant_id"] != "" {
		t.Fatalf("a manual team assigned: %v", att)
	}
	aid := att["id"].(string)
	p.must(202, "POST", "/v1/attendances/"+aid+"/messages", caioToken, map[string]any{"type": "text", "text": "Hi, Caio here"})
	h.assignedTo(aid, caio)
	h.waitAssignedEvent(aid, caio, caio)
	// Manual assignment says who did it, too.
	dani, _ := h.attendant("dani")
	p.must(200, "POST", "/v1/attendances/"+aid+"/assign", caioToken, map[string]any{"attendant_id": dani})
	h.waitAssignedEvent(aid, dani, caio)
}

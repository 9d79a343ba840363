package e2e

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

var feedbackLink = regexp.MustCompile(`/feedback/(zgf_[A-Za-z0-9_-]+)`)

func TestAttendanceFlowEndToEnd(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start("ZAPGATE_ATTENDANCE_IDLE=3s", "ZAPGATE_ATTENDANCE_SWEEP=1s")
	id, _ := p.linkedInstance("support", "5511900000040")
	p.must(201, "POST", "/v1/attendants", adminToken, map[string]any{"name": "Ana", "email": "ana@example.com", "password": "s3cret-pass", "role": "attendant"})
	if r := p.do("POST", "/v1/attendants", adminToken, map[string]any{"name": "Ana", "email": "ANA@example.com", "password": "s3cret-pass"}); r.Status != 409 {
		t.Fatalf("duplicate email = %d", r.Status)
	}
	if r := p.do("POST", "/v1/auth/login", "", map[string]any{"email": "ana@example.com", "password": "wrong-pass"}); r.Status != 401 {
		t.Fatalf("wrong password = %d", r.Status)
	}
	login := p.must(200, "POST", "/v1/auth/login", "", map[string]any{"email": "ana@example.com", "password": "s3cret-pass"})
	token := login["token"].(string)
	ana := login["attendant"].(map[string]any)["id"].(string)
	// An attendant sees attendance routes only.
	p.must(404, "GET", "/v1/instances", token, nil)
	p.must(404, "GET", "/v1/instances/"+id, token, nil)

	// A customer writes in: an attendance opens, once, however often the event comes.
	p.inbound(id, "5511988887777", "hi, I need help", "WA-1")
	p.inbound(id, "5511988887777", "hi, I need help", "WA-1")
	var att map[string]any
	eventually(t, 20*time.Second, "an open attendance", func() bool {
		items := p.must(200, "GET", "/v1/attendances?status=open", token, nil)["items"].([]any)
		if len(items) == 1 {
			att = items[0].(map[string]any)
		}
		return att != nil
	})
	aid := att["id"].(string)
	client := att["client"].(map[string]any)
	if client["phone"] != "5511988887777" || att["unread"] != float64(1) || att["last_message"].(map[string]any)["text"] != "hi, I need help" {
		t.Fatalf("attendance = %v", att)
	}
	p.inbound(id, "5511988887777", "are you there?", "WA-2")
	eventually(t, 20*time.Second, "the second message filed", func() bool {
		return len(p.must(200, "GET", "/v1/attendances/"+aid, token, nil)["messages"].([]any)) == 2
	})
	// The attendant assigns it and replies; the reply reaches the client.
	p.must(200, "POST", "/v1/attendances/"+aid+"/assign", token, map[string]any{"attendant_id": ana})
	reply := p.must(202, "POST", "/v1/attendances/"+aid+"/messages", token, map[string]any{"type": "text", "text": "Hello! How can I help?"})
	if reply["to"] != "5511988887777" {
		t.Fatalf("reply = %v", reply)
	}
	eventually(t, 20*time.Second, "the reply at the client", func() bool {
		for _, it := range p.must(200, "GET", "/v1/sim/instances/"+id+"/sent", adminToken, nil)["items"].([]any) {
			if it.(map[string]any)["text"] == "Hello! How can I help?" {
				return true
			}
		}
		return false
	})
	got := p.must(200, "GET", "/v1/attendances/"+aid, token, nil)
	if got["attendant_id"] != ana || got["unread"] != float64(0) || got["last_message_from"] != "attendant" || len(got["messages"].([]any)) != 3 {
		t.Fatalf("after the reply = %v", got)
	}
	// Idle for 3 s: closed, and the client gets a one-time feedback link.
	var link string
	eventually(t, 30*time.Second, "closed for idleness with a feedback link", func() bool {
		for _, it := range p.must(200, "GET", "/v1/sim/instances/"+id+"/sent", adminToken, nil)["items"].([]any) {
			if m := feedbackLink.FindStringSubmatch(it.(map[string]any)["text"].(string)); m != nil {
				link = m[1]
			}
		}
		return link != ""
	})
	closed := p.must(200, "GET", "/v1/attendances/"+aid, token, nil)
	if closed["status"] != "closed" || closed["closed_reason"] != "idle" {
		t.Fatalf("attendance = %v", closed)
	}
	if r := p.do("POST", "/v1/attendances/"+aid+"/messages", token, map[string]any{"type": "text", "text": "late"}); r.Status != 409 {
		t.Fatalf("reply to a closed attendance = %d", r.Status)
	}
	page := p.do("GET", "/feedback/"+link, "", nil)
	if page.Status != 200 || !strings.Contains(page.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("feedback page = %d %s", page.Status, page.Header.Get("Content-Type"))
	}
	if st := p.must(200, "GET", "/v1/feedback/"+link, "", nil)["status"]; st != "open" {
		t.Fatalf("link state = %v", st)
	}
	p.must(400, "POST", "/v1/feedback/"+link, "", map[string]any{"rating": 9})
	p.must(201, "POST", "/v1/feedback/"+link, "", map[string]any{"rating": 5, "comment": "great"})
	if r := p.do("POST", "/v1/feedback/"+link, "", map[string]any{"rating": 1}); r.Status != 409 || r.ErrorCode(t) != "feedback_already_given" {
		t.Fatalf("second feedback = %d %s", r.Status, r.Body)
	}
	p.must(404, "POST", "/v1/feedback/zgf_unknown", "", map[string]any{"rating": 3})
	if st := p.must(200, "GET", "/v1/feedback/"+link, "", nil)["status"]; st != "used" {
		t.Fatalf("link state = %v", st)
	}
	sum := p.must(200, "GET", "/v1/feedback/summary", adminToken, nil)
	if sum["count"] != float64(1) || sum["average"] != float64(5) {
		t.Fatalf("summary = %v", sum)
	}
	p.must(404, "GET", "/v1/feedback/summary", token, nil)
	// A new message after closing opens a new attendance.
	p.inbound(id, "5511988887777", "one more thing", "WA-3")
	eventually(t, 20*time.Second, "a new attendance", func() bool {
		items := p.must(200, "GET", "/v1/attendances?status=open", token, nil)["items"].([]any)
		return len(items) == 1 && items[0].(map[string]any)["id"] != aid
	})
	// Expired link: 410.
	expireFeedbackLinks(t, p)
	second := firstOpen(t, p, token)
	// Answered, so closing asks for feedback.
	p.must(202, "POST", "/v1/attendances/"+second+"/messages", token, map[string]any{"type": "text", "text": "sure"})
	p.must(200, "POST", "/v1/attendances/"+second+"/close", token, nil)
	eventually(t, 20*time.Second, "a second link", func() bool { return countLinks(t, p, id) == 2 })
	expireFeedbackLinks(t, p)
	second = ""
	for _, it := range p.must(200, "GET", "/v1/sim/instances/"+id+"/sent", adminToken, nil)["items"].([]any) {
		if m := feedbackLink.FindStringSubmatch(it.(map[string]any)["text"].(string)); m != nil && m[1] != link {
			second = m[1]
		}
	}
	if r := p.do("POST", "/v1/feedback/"+second, "", map[string]any{"rating": 3}); r.Status != 410 || r.ErrorCode(t) != "feedback_expired" {
		t.Fatalf("expired link = %d %s", r.Status, r.Body)
	}
}

func firstOpen(t *testing.T, p *proc, token string) string {
	items := p.must(200, "GET", "/v1/attendances?status=open", token, nil)["items"].([]any)
	if len(items) == 0 {
		t.Fatal("no open attendance")
	}
	return items[0].(map[string]any)["id"].(string)
}

func countLinks(t *testing.T, p *proc, id string) int {
	n := 0
	for _, it := range p.must(200, "GET", "/v1/sim/instances/"+id+"/sent", adminToken, nil)["items"].([]any) {
		if feedbackLink.MatchString(it.(map[string]any)["text"].(string)) {
			n++
		}
	}
	return n
}

// expireFeedbackLinks moves every link's expiry into the past, as a week
// passing would.
func expireFeedbackLinks(t *testing.T, p *proc) {
	countRows(t, p, "WITH u AS (UPDATE feedback_tokens SET expires_at = now() - interval '1 second' RETURNING 1) SELECT count(*) FROM u")
}

func TestLoginIsRateLimited(t *testing.T) {
	t.Parallel()
	p := newEnv(t).start()
	p.must(201, "POST", "/v1/attendants", adminToken, map[string]any{"name": "Bo", "email": "bo@example.com", "password": "right-password"})
	var last response
	for range 6 {
		last = p.do("POST", "/v1/auth/login", "", map[string]any{"email": "bo@example.com", "password": "wrong-password"})
	}
	if last.Status != 429 || last.Header.Get("Retry-After") == "" || last.ErrorCode(t) != "too_many_attempts" {
		t.Fatalf("sixth failure = %d %s", last.Status, last.Body)
	}
	// Even the right password waits now.
	if r := p.do("POST", "/v1/auth/login", "", map[string]any{"email": "bo@example.com", "password": "right-password"}); r.Status != 429 {
		t.Fatalf("login while blocked = %d", r.Status)
	}
	if n := countRows(t, p, "SELECT count(*) FROM attendants WHERE password_hash LIKE '$2a$%'"); n != 1 {
		t.Fatalf("password not stored as a bcrypt hash")
	}
}
